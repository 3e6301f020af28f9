import { MemoryDedupeStore, WebhookError, type DedupeStore } from 'converc-webhooks';
import { resolveOptions, type ConvercWebhooksOptions } from '../../src/core/options';
import { Receiver, type Delivery } from '../../src/core/receiver';
import { deferred } from '../contract/helpers';
import { fixtures } from '../fixtures/events';

function receiverWith(options: ConvercWebhooksOptions = {}) {
  const receiver = new Receiver(resolveOptions(options));
  const errors: WebhookError[] = [];
  receiver.errors.add((error: WebhookError) => errors.push(error));
  return { receiver, errors };
}

function delivery(body: unknown, headers: Record<string, string> = {}): Delivery {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    readBody: () => Promise.resolve({ text: JSON.stringify(body) }),
  };
}

describe('Receiver', () => {
  it('reads no body for a known duplicate named in X-IC-Id', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    await receiver.receive(delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    const readBody = jest.fn();
    const reply = await receiver.receive({ method: 'POST', headers: { 'x-ic-id': 'evt-call.ended' }, readBody });
    expect(reply.body).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
    expect(readBody).not.toHaveBeenCalled();
  });

  it('reads no body when Content-Length already exceeds the limit, and closes the connection', async () => {
    const { receiver } = receiverWith({ limit: 10 });
    const readBody = jest.fn();
    const reply = await receiver.receive({ method: 'POST', headers: { 'content-length': '11' }, readBody });
    expect(reply.status).toBe(413);
    expect(reply.headers).toEqual({ connection: 'close' });
    expect(readBody).not.toHaveBeenCalled();
  });

  it('treats an empty X-IC-Id as absent and dedupes on the body id', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    const reply = await receiver.receive(delivery(fixtures['call.ended'], { 'x-ic-id': '' }));
    expect(reply.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
  });

  it('strips a UTF-8 byte order mark before parsing', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    const reply = await receiver.receive({
      method: 'POST',
      headers: {},
      readBody: () => Promise.resolve({ text: `\uFEFF${JSON.stringify(fixtures['call.ended'])}` }),
    });
    expect(reply.status).toBe(200);
  });

  it('answers a body that failed to read with request_aborted, and releases the header claim', async () => {
    const { receiver, errors } = receiverWith();
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await receiver.receive({
      method: 'POST',
      headers: { 'x-ic-id': 'evt-call.ended' },
      readBody: () => Promise.reject(new Error('socket hang up')),
    });
    expect(reply.status).toBe(400);
    expect(errors.map((e) => e.code)).toEqual(['request_aborted']);
    expect(handler).not.toHaveBeenCalled();
    const resent = await receiver.receive(delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    expect(resent.body).toMatchObject({ status: 'processed' });
  });

  it('releases the claim when a handler fails after the ack deadline, and tells onError', async () => {
    const { receiver, errors } = receiverWith({ ackTimeoutMs: 20 });
    const gate = deferred();
    let calls = 0;
    receiver.registry.add('call.ended', async () => {
      calls += 1;
      if (calls === 1) {
        await gate.promise;
        throw new Error('late failure');
      }
    });
    const reply = await receiver.receive(delivery(fixtures['call.ended']));
    expect(reply.status).toBe(202);
    gate.resolve();
    await receiver.drain();
    expect(errors.map((e) => e.code)).toEqual(['handler_failed']);
    expect((await receiver.receive(delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'processed' });
  });

  it('answers 500 at the first failure without waiting for the other handlers, releasing once all settle', async () => {
    const { receiver } = receiverWith();
    const slow = deferred();
    receiver.registry.add('call.ended', () => slow.promise);
    let failures = 1;
    receiver.registry.add('call.ended', () =>
      failures-- > 0 ? Promise.reject(new Error('fast failure')) : Promise.resolve(),
    );
    const reply = await receiver.receive(delivery(fixtures['call.ended']));
    expect(reply.status).toBe(500);
    // Still held while the slow handler runs: a resend now is a duplicate, not a second concurrent run.
    expect((await receiver.receive(delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'duplicate' });
    slow.resolve();
    await receiver.drain();
    expect((await receiver.receive(delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'processed' });
  });

  it('processes the event when the store fails to claim, and tells onError store_unavailable', async () => {
    const failing: DedupeStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    const { receiver, errors } = receiverWith({ dedupe: failing });
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await receiver.receive(delivery(fixtures['call.ended']));
    expect(reply.body).toMatchObject({ status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(errors.map((e) => [e.code, e.deliveryId])).toEqual([['store_unavailable', 'evt-call.ended']]);
  });

  it('reports a store that fails to complete, without failing the delivery', async () => {
    const memory = new MemoryDedupeStore();
    const store: DedupeStore = {
      claim: (key) => memory.claim(key),
      complete: () => Promise.reject(new Error('READONLY')),
      release: (claim) => memory.release(claim),
    };
    const { receiver, errors } = receiverWith({ dedupe: store });
    receiver.registry.add('call.ended', () => undefined);
    expect((await receiver.receive(delivery(fixtures['call.ended']))).status).toBe(200);
    await receiver.drain();
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
  });

  it('makes drain() wait for an async onError handler, so a failed event is stored before shutdown', async () => {
    const receiver = new Receiver(resolveOptions({}));
    const stored: string[] = [];
    receiver.errors.add(async (error: WebhookError) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stored.push(error.code);
    });
    await receiver.receive({ method: 'POST', headers: {}, readBody: () => Promise.resolve({ text: '{' }) });
    expect(stored).toEqual([]);
    await receiver.drain();
    expect(stored).toEqual(['invalid_json']);
  });

  it('answers invalid_json for JSON nested deeper than the stack allows', async () => {
    const { receiver } = receiverWith({ limit: '20mb' });
    const depth = 2_000_000;
    const text = '['.repeat(depth) + ']'.repeat(depth);
    const reply = await receiver.receive({ method: 'POST', headers: {}, readBody: () => Promise.resolve({ text }) });
    // V8 parses deep arrays without recursion; either way the answer is a 4xx, never a crash.
    expect([400, 422]).toContain(reply.status);
  });
});
