import { convercWebhooks, MemoryDedupeStore, type ConvercWebhooksOptions } from 'converc-webhooks';

describe('convercWebhooks options', () => {
  it.each([
    [{ ackTimeoutMs: 7001 }, /ackTimeoutMs must be at most 7000/],
    [{ ackTimeoutMs: 0 }, /ackTimeoutMs must be a positive/],
    [{ ackTimeoutMs: Number.NaN }, /ackTimeoutMs/],
    [{ ack: 'later' }, /ack must be/],
    [{ limit: 'huge' }, /limit must be/],
    [{ path: 'webhooks' }, /path must be a string starting with '\/'/],
    [{ dedupe: { max: -1 } }, /dedupe\.max/],
    [{ dedupe: 'memory' }, /dedupe must be/],
    [{ dedupe: { claim: () => null } }, /lacks claim, complete or release/],
    [{ onError: 'log' }, /onError must be a function/],
    [{ onStoreError: 'ignore' }, /onStoreError must be 'process' or 'reject'/],
    [{ bodyTimeoutMs: 0 }, /bodyTimeoutMs must be a positive/],
    [{ bodyTimeoutMs: 6000 }, /bodyTimeoutMs \(6000\) must be at most ackTimeoutMs \(5000\)/],
    [{ storeTimeoutMs: 0 }, /storeTimeoutMs must be a positive/],
    [{ storeTimeoutMs: 5000 }, /storeTimeoutMs \(5000\) must be below ackTimeoutMs \(5000\)/],
    [{ handlers: { 'call.ended': 'not a function' } }, /handler must be a function/],
    [{ handlers: { 'call.end': () => undefined } }, /unknown event type "call\.end"/],
  ])('throws a TypeError at construction for %p', (options, message) => {
    const make = () => convercWebhooks(options as ConvercWebhooksOptions);
    expect(make).toThrow(TypeError);
    expect(make).toThrow(message);
  });

  it('accepts every option at its edge', () => {
    expect(() =>
      convercWebhooks({
        ackTimeoutMs: 7000,
        ack: 'immediate',
        limit: 1,
        path: '/',
        dedupe: new MemoryDedupeStore(),
        handlers: {},
        onError: () => undefined,
      }),
    ).not.toThrow();
    expect(() => convercWebhooks({ dedupe: false })).not.toThrow();
    expect(() => convercWebhooks({ dedupe: { max: 5, ttlMs: 1000 } })).not.toThrow();
  });

  it('refuses a handler added with on() that is not a function', () => {
    const webhooks = convercWebhooks() as unknown as { on(type: string, handler: unknown): unknown };
    expect(() => webhooks.on('call.ended', 'nope')).toThrow(/handler must be a function/);
    expect(() => convercWebhooks().on([], () => undefined)).toThrow(/non-empty array/);
  });
});
