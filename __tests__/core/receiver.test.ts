import { MemoryDedupeStore, WebhookError, type DedupeStore } from 'converc-webhooks';
import { resolveOptions, type ConvercWebhooksOptions } from '../../src/core/options';
import { Receiver, type Delivery, type DeliveryBody } from '../../src/core/receiver';
import { toReply, type Reply } from '../../src/core/reply';
import { deferred } from '../contract/helpers';
import { fixtures } from '../fixtures/events';

function receiverWith(options: ConvercWebhooksOptions = {}) {
  const receiver = new Receiver(resolveOptions(options));
  const errors: WebhookError[] = [];
  receiver.errors.add((error: WebhookError) => errors.push(error));
  return { receiver, errors };
}

/** The HTTP answer the receiver's outcome maps to, as an adapter would write it. */
async function answerOf(receiver: Receiver, delivery: Delivery): Promise<Reply> {
  return toReply(await receiver.receive(delivery));
}

function textBody(text: string): DeliveryBody {
  return { text, bytes: Buffer.byteLength(text) };
}

function delivery(body: unknown, headers: Record<string, string> = {}): Delivery {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    readBody: () => Promise.resolve(textBody(JSON.stringify(body))),
  };
}

describe('Receiver', () => {
  it('reads no body for a known duplicate named in X-IC-Id', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    const readBody = jest.fn();
    const reply = await answerOf(receiver, { method: 'POST', headers: { 'x-ic-id': 'evt-call.ended' }, readBody });
    expect(reply.body).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
    expect(readBody).not.toHaveBeenCalled();
  });

  it('arms no timer for a delivery whose store and handlers answered at once', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => 42);
    receiver.registry.addAny(() => undefined);
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    try {
      const reply = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
      expect(reply.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
      await receiver.drain();
      expect(setTimeoutSpy).not.toHaveBeenCalled();
      const again = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
      expect(again.body).toMatchObject({ status: 'duplicate' });
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it('runs a handler added by another handler from the next delivery on, not in the one adding it', async () => {
    const { receiver } = receiverWith({ dedupe: false });
    const ran: string[] = [];
    receiver.registry.add('call.ended', () => {
      ran.push('first');
      if (ran.length === 1) receiver.registry.add('call.ended', () => void ran.push('added'));
    });
    await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(ran).toEqual(['first']);
    await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(ran).toEqual(['first', 'first', 'added']);
  });

  it('waits for a handler that returned a promise, and processes the event once it resolves', async () => {
    const { receiver } = receiverWith();
    const work = deferred();
    receiver.registry.add('call.ended', () => undefined);
    receiver.registry.addAny(() => work.promise);
    let answered = false;
    const pending = answerOf(receiver, delivery(fixtures['call.ended'])).then((reply) => {
      answered = true;
      return reply;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    work.resolve();
    expect((await pending).body).toMatchObject({ status: 'processed' });
  });

  it('reads no body when Content-Length already exceeds the limit, and closes the connection', async () => {
    const { receiver } = receiverWith({ limit: 10 });
    const readBody = jest.fn();
    const reply = await answerOf(receiver, { method: 'POST', headers: { 'content-length': '11' }, readBody });
    expect(reply.status).toBe(413);
    expect(reply.headers).toEqual({ connection: 'close' });
    expect(readBody).not.toHaveBeenCalled();
  });

  it('treats an empty X-IC-Id as absent and dedupes on the body id', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    const reply = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': '' }));
    expect(reply.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
  });

  it('strips a UTF-8 byte order mark before parsing', async () => {
    const { receiver } = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    const reply = await answerOf(receiver, {
      method: 'POST',
      headers: {},
      readBody: () => Promise.resolve(textBody(`\uFEFF${JSON.stringify(fixtures['call.ended'])}`)),
    });
    expect(reply.status).toBe(200);
  });

  it('answers a body that failed to read with request_aborted, and holds no claim on its id', async () => {
    const { receiver, errors } = receiverWith();
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await answerOf(receiver, {
      method: 'POST',
      headers: { 'x-ic-id': 'evt-call.ended' },
      readBody: () => Promise.reject(new Error('socket hang up')),
    });
    expect(reply.status).toBe(400);
    expect(errors.map((e) => e.code)).toEqual(['request_aborted']);
    expect(handler).not.toHaveBeenCalled();
    const resent = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
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
    const reply = await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(reply.status).toBe(202);
    gate.resolve();
    await receiver.drain();
    expect(errors.map((e) => e.code)).toEqual(['handler_failed']);
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'processed' });
  });

  it('answers 500 at the first failure without waiting for the other handlers, releasing once all settle', async () => {
    const { receiver } = receiverWith();
    const slow = deferred();
    receiver.registry.add('call.ended', () => slow.promise);
    let failures = 1;
    receiver.registry.add('call.ended', () =>
      failures-- > 0 ? Promise.reject(new Error('fast failure')) : Promise.resolve(),
    );
    const reply = await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(reply.status).toBe(500);
    // Still held while the slow handler runs: a resend now is a duplicate, not a second concurrent run.
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'duplicate' });
    slow.resolve();
    await receiver.drain();
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'processed' });
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
    const reply = await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(reply.body).toMatchObject({ status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(errors.map((e) => [e.code, e.deliveryId])).toEqual([['store_unavailable', 'evt-call.ended']]);
  });

  it("answers 503 store_unavailable with onStoreError: 'reject', and releases a claim that lands late", async () => {
    const late = deferred<{ key: string; token: string } | null>();
    const released = jest.fn(() => Promise.resolve());
    const store: DedupeStore = { claim: () => late.promise, complete: () => Promise.resolve(), release: released };
    const { receiver, errors } = receiverWith({ dedupe: store, onStoreError: 'reject', storeTimeoutMs: 20 });
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await answerOf(receiver, delivery(fixtures['call.ended']));
    expect(reply.status).toBe(503);
    expect(reply.body).toMatchObject({ error: { code: 'store_unavailable' } });
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
    // Answered 503, so never resent: onError gets what it needs to keep the event.
    expect(JSON.parse(errors[0]?.rawBody ?? 'null')).toEqual(fixtures['call.ended']);
    expect(errors[0]?.event).toEqual(fixtures['call.ended']);
    late.resolve({ key: 'evt-call.ended', token: 't' });
    await receiver.drain();
    expect(released).toHaveBeenCalledWith({ key: 'evt-call.ended', token: 't' });
  });

  it('asks a store that failed isProcessed nothing more in that delivery, and processes the event', async () => {
    const claim = jest.fn(() => Promise.resolve(null));
    const store: DedupeStore = {
      claim,
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
      isProcessed: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { receiver, errors } = receiverWith({ dedupe: store });
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    expect(reply.body).toMatchObject({ status: 'processed' });
    expect(claim).not.toHaveBeenCalled();
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
  });

  it('reports a store that fails to complete, without failing the delivery', async () => {
    const memory = new MemoryDedupeStore();
    const store: DedupeStore = {
      claim: (key) => memory.claim(key),
      complete: () => Promise.reject(new Error('READONLY')),
      release: memory.release.bind(memory),
    };
    // Tried again while the store might recover, a few store timeouts apart, before onError hears of it.
    const { receiver, errors } = receiverWith({ dedupe: store, storeTimeoutMs: 5 });
    receiver.registry.add('call.ended', () => undefined);
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).status).toBe(200);
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
    await answerOf(receiver, { method: 'POST', headers: {}, readBody: () => Promise.resolve(textBody('{')) });
    expect(stored).toEqual([]);
    await receiver.drain();
    expect(stored).toEqual(['invalid_json']);
  });

  it('answers 422 for a deeply nested array, and processes an event carrying deep nesting in a field it does not know', async () => {
    const { receiver } = receiverWith();
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const depth = 50_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const array = await answerOf(receiver, { method: 'POST', headers: {}, readBody: () => Promise.resolve(textBody(deep)) });
    expect(array.status).toBe(422);
    const text = JSON.stringify(fixtures['call.ended']).replace(/}$/, `,"nested":${deep}}`);
    const nested = await answerOf(receiver, { method: 'POST', headers: {}, readBody: () => Promise.resolve(textBody(text)) });
    expect(nested.body).toMatchObject({ status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers by ackTimeoutMs when the store never answers a claim, processing the event anyway', async () => {
    const late = deferred<{ key: string; token: string } | null>();
    const completed = jest.fn(() => Promise.resolve());
    const store: DedupeStore = { claim: () => late.promise, complete: completed, release: () => Promise.resolve() };
    const { receiver, errors } = receiverWith({ dedupe: store, ackTimeoutMs: 50 });
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const reply = await answerOf(receiver, delivery(fixtures['call.ended']));
    expect([200, 202]).toContain(reply.status);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
    // The claim arrives after all: it is completed, not left held.
    late.resolve({ key: 'evt-call.ended', token: 't' });
    await receiver.drain();
    expect(completed).toHaveBeenCalledWith({ key: 'evt-call.ended', token: 't' });
  });

  it('answers processed without waiting for a slow store to complete the claim', async () => {
    const memory = new MemoryDedupeStore();
    const slow = deferred();
    const store: DedupeStore = {
      claim: (key) => memory.claim(key),
      complete: async (claim) => {
        await slow.promise;
        memory.complete(claim);
      },
      release: memory.release.bind(memory),
    };
    const { receiver } = receiverWith({ dedupe: store, ackTimeoutMs: 50 });
    receiver.registry.add('call.ended', () => undefined);
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'processed' });
    // Still held while it completes: a resend meanwhile is a duplicate.
    expect((await answerOf(receiver, delivery(fixtures['call.ended']))).body).toMatchObject({ status: 'duplicate' });
    slow.resolve();
    await receiver.drain();
  });

  it('leaves no unhandled rejection when a store call given up on rejects later', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const late = deferred<boolean>();
      const memory = new MemoryDedupeStore();
      const store: DedupeStore = {
        claim: (key) => memory.claim(key),
        complete: memory.complete.bind(memory),
        release: memory.release.bind(memory),
        isProcessed: () => late.promise,
      };
      const { receiver } = receiverWith({ dedupe: store, storeTimeoutMs: 10 });
      receiver.registry.add('call.ended', () => undefined);
      await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
      late.reject(new Error('connection lost'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('answers by ackTimeoutMs when the store never answers isProcessed, and reads the body instead', async () => {
    const memory = new MemoryDedupeStore();
    const store: DedupeStore = {
      claim: (key) => memory.claim(key),
      complete: memory.complete.bind(memory),
      release: memory.release.bind(memory),
      isProcessed: () => new Promise<boolean>(() => undefined),
    };
    const { receiver, errors } = receiverWith({ dedupe: store, ackTimeoutMs: 50 });
    receiver.registry.add('call.ended', () => undefined);
    const reply = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    expect(reply.body).toMatchObject({ status: 'processed' });
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
  });

  it('processes a duplicate that arrives while the first copy is still uploading, if that copy then breaks', async () => {
    const { receiver, errors } = receiverWith();
    const handler = jest.fn();
    receiver.registry.add('call.ended', handler);
    const upload = deferred<DeliveryBody>();
    const first = answerOf(receiver, {
      method: 'POST',
      headers: { 'x-ic-id': 'evt-call.ended' },
      readBody: () => upload.promise,
    });
    const second = await answerOf(receiver, delivery(fixtures['call.ended'], { 'x-ic-id': 'evt-call.ended' }));
    expect(second.body).toMatchObject({ status: 'processed' });
    upload.reject(new Error('connection reset'));
    expect((await first).status).toBe(400);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(errors.map((e) => e.code)).toEqual(['request_aborted']);
  });

  it('makes drain() wait for a delivery still reading its body', async () => {
    const { receiver } = receiverWith();
    const order: string[] = [];
    receiver.registry.add('call.ended', () => void order.push('handler'));
    const upload = deferred<DeliveryBody>();
    const answered = receiver
      .receive({ method: 'POST', headers: {}, readBody: () => upload.promise })
      .then(() => order.push('answered'));
    const drained = receiver.drain().then(() => order.push('drained'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    upload.resolve(textBody(JSON.stringify(fixtures['call.ended'])));
    await Promise.all([answered, drained]);
    expect(order).toEqual(['handler', 'answered', 'drained']);
  });
});
