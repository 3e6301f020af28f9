import type { DedupeStore } from '../../src/dedupe/dedupe-store';
import { resolveOptions, type ConvercWebhooksOptions } from '../../src/core/options';
import { Receiver, type Delivery } from '../../src/core/receiver';
import { toReply } from '../../src/core/reply';
import { fixtures } from '../fixtures/events';

function receiverWith(options: ConvercWebhooksOptions = {}): Receiver {
  const receiver = new Receiver(resolveOptions(options));
  receiver.errors.add(() => undefined);
  return receiver;
}

function delivery(text: string, headers: Record<string, string> = {}): Delivery {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    readBody: () => Promise.resolve({ text, bytes: Buffer.byteLength(text) }),
  };
}

const body = JSON.stringify(fixtures['call.ended']);

describe('DeliveryOutcome', () => {
  it('tells a processed delivery with its id, type, size and the time of each stage it went through', async () => {
    const receiver = receiverWith();
    receiver.registry.add('call.ended', () => undefined);
    const outcome = await receiver.receive(delivery(body));
    expect(outcome).toMatchObject({ kind: 'processed', id: 'evt-call.ended', type: 'call.ended', bytes: Buffer.byteLength(body) });
    const { readMs, validateMs, storeMs, handlersMs, totalMs } = outcome.timings;
    for (const ms of [readMs, validateMs, storeMs, handlersMs]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(totalMs).toBeGreaterThanOrEqual((readMs ?? 0) + (validateMs ?? 0) + (storeMs ?? 0) + (handlersMs ?? 0));
  });

  it('tells a duplicate known from X-IC-Id without a type, a size or a read, since the body was never read', async () => {
    const receiver = receiverWith();
    await receiver.receive(delivery(body, { 'x-ic-id': 'evt-call.ended' }));
    const outcome = await receiver.receive(delivery(body, { 'x-ic-id': 'evt-call.ended' }));
    expect(outcome).toMatchObject({ kind: 'duplicate', id: 'evt-call.ended', type: undefined, bytes: undefined });
    expect(outcome.timings.readMs).toBeUndefined();
    expect(outcome.timings.storeMs).toBeGreaterThanOrEqual(0);
  });

  it('tells a refusal with its WebhookError, and the reply is made from it', async () => {
    const receiver = receiverWith();
    const outcome = await receiver.receive(delivery('{"id":'));
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.error.code).toBe('invalid_json');
    expect(outcome.bytes).toBe(6);
    expect(toReply(outcome)).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('tells ignored, accepted and failed apart, each with its answer', async () => {
    expect((await receiverWith().receive(delivery(body))).kind).toBe('ignored');

    const immediate = receiverWith({ ack: 'immediate' });
    immediate.registry.add('call.ended', () => undefined);
    const accepted = await immediate.receive(delivery(body));
    expect(accepted.kind).toBe('accepted');
    expect(toReply(accepted).status).toBe(202);

    const failing = receiverWith();
    failing.registry.add('call.ended', () => Promise.reject(new Error('crm down')));
    const failed = await failing.receive(delivery(body));
    expect(failed.kind).toBe('failed');
    if (failed.kind === 'failed') expect(failed.error).toMatchObject({ code: 'handler_failed', attempt: 1 });
    expect(toReply(failed)).toMatchObject({ status: 500, body: { error: { code: 'handler_failed', message: 'A handler failed to process the event' } } });
  });

  describe('storeError: the store or queue failure a delivery went on without', () => {
    const down = (): Promise<never> => Promise.reject(new Error('ECONNREFUSED'));
    const store = (failing: 'isProcessed' | 'claim'): DedupeStore => ({
      isProcessed: failing === 'isProcessed' ? down : () => false,
      claim: failing === 'claim' ? down : (key) => ({ key, token: 't' }),
      complete: () => undefined,
      release: () => undefined,
    });

    it.each([
      ['the X-IC-Id lookup', { dedupe: store('isProcessed') }],
      ['the claim', { dedupe: store('claim') }],
      ['the handoff queue', { handoff: { enqueue: down } }],
    ] as const)("is set when %s fails under onStoreError 'process', and the event is processed", async (_, options) => {
      const receiver = receiverWith(options);
      receiver.registry.add('call.ended', () => undefined);
      const outcome = await receiver.receive(delivery(body, { 'x-ic-id': 'evt-call.ended' }));
      expect(outcome.kind).toBe('processed');
      expect(outcome.storeError?.code).toBe('store_unavailable');
    });

    it("is not set on a refusal under 'reject', whose error is the store's", async () => {
      const receiver = receiverWith({ dedupe: store('claim'), onStoreError: 'reject' });
      const outcome = await receiver.receive(delivery(body));
      expect(outcome.kind === 'refused' && outcome.error.code).toBe('store_unavailable');
      expect(outcome.storeError).toBeUndefined();
    });

    it('is not set when the store answered', async () => {
      const receiver = receiverWith();
      receiver.registry.add('call.ended', () => undefined);
      expect((await receiver.receive(delivery(body))).storeError).toBeUndefined();
    });
  });
});
