import { convercWebhooks, createFetchHandler, MemoryDedupeStore, type DedupeStore, type WebhookError } from 'converc-webhooks';
import { eventWithId } from '../fixtures/events';

const post = (handle: ReturnType<typeof createFetchHandler>, body: string, id: string) =>
  handle(new Request('http://127.0.0.1/hooks', { method: 'POST', headers: { 'content-type': 'application/json', 'x-ic-id': id }, body }));

// Under onStoreError: 'reject', a store outage is answered 503. The provider never resends, so the
// only copy of the event left is the one onError gets: the refusal must wait for the body to hand it over.
describe("a store outage under onStoreError: 'reject'", () => {
  it('answers 503 store_unavailable only after reading the body, and hands onError the raw body and the event', async () => {
    const down: DedupeStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => Promise.reject(new Error('ECONNREFUSED')),
      release: () => Promise.reject(new Error('ECONNREFUSED')),
      isProcessed: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const errors: WebhookError[] = [];
    const handler = jest.fn();
    const webhooks = convercWebhooks({ dedupe: down, onStoreError: 'reject' }).on('call.ended', handler).onError((error) => void errors.push(error));
    const body = JSON.stringify(eventWithId('call.ended', 'evt-outage'));
    const response = await post(createFetchHandler(webhooks), body, 'evt-outage');
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((error) => error.code)).toEqual(['store_unavailable']);
    expect(errors[0]?.rawBody).toBe(body);
    expect(errors[0]?.event).toMatchObject({ id: 'evt-outage' });
  });
});

// A sender chooses the id. However long it is, what a store holds per event must stay small and known.
describe('an absurdly long id', () => {
  it('is remembered by a digest of 71 characters, and still dedupes, in the body and in X-IC-Id', async () => {
    const keys: string[] = [];
    const memory = new MemoryDedupeStore();
    const recording: DedupeStore = {
      claim: (key) => (keys.push(key), memory.claim(key)),
      complete: (claim) => { memory.complete(claim); },
      release: (claim) => { memory.release(claim); },
      isProcessed: (key) => (keys.push(key), memory.isProcessed(key)),
    };
    const handler = jest.fn();
    const handle = createFetchHandler(convercWebhooks({ dedupe: recording }).on('call.ended', handler));
    const longId = 'x'.repeat(1024 * 1024);
    const body = JSON.stringify(eventWithId('call.ended', longId));
    const statusOf = async (response: Response) => ((await response.json()) as { status: string }).status;

    expect(await statusOf(await post(handle, body, longId))).toBe('processed');
    expect(await statusOf(await post(handle, body, longId))).toBe('duplicate');
    const noHeader = new Request('http://127.0.0.1/hooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await statusOf(await handle(noHeader))).toBe('duplicate');
    expect(handler).toHaveBeenCalledTimes(1);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A short id is kept as it is.
    await post(handle, JSON.stringify(eventWithId('call.ended', 'evt-short')), 'evt-short');
    expect(keys.at(-1)).toBe('evt-short');
  });
});

// Under onStoreError: 'process', an event that arrives while the store is down is processed anyway.
// It must still be recorded once the store is back, or its resend after the outage runs it again.
describe("a store outage under onStoreError: 'process'", () => {
  function flakyStore() {
    const memory = new MemoryDedupeStore();
    const state = { down: true, calls: 0 };
    // Every call while down rejects, as a client whose server is gone does.
    const call = <T>(work: () => T): Promise<T> => {
      state.calls += 1;
      return state.down ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve(work());
    };
    const store: DedupeStore = {
      claim: (key) => call(() => memory.claim(key)),
      complete: (claim) => call(() => {
        memory.complete(claim);
      }),
      release: (claim) => call(() => {
        memory.release(claim);
      }),
      isProcessed: (key) => call(() => memory.isProcessed(key)),
    };
    return { store, state };
  }
  const statusOf = async (response: Promise<Response>) => ((await (await response).json()) as { status: string }).status;

  it.each([
    ['named in X-IC-Id (the store fails the processed check)', true],
    ['named in the body only (the store fails the claim)', false],
  ])('records an event %s once the store is back, so its resend is a duplicate', async (_, withHeader) => {
    const { store, state } = flakyStore();
    const handler = jest.fn();
    const webhooks = convercWebhooks({ dedupe: store, storeTimeoutMs: 20 }).on('call.ended', handler).onError(() => undefined);
    const handle = createFetchHandler(webhooks);
    const send = () => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(withHeader ? { 'x-ic-id': 'evt-outage' } : {}) };
      return handle(new Request('http://127.0.0.1/hooks', { method: 'POST', headers, body: JSON.stringify(eventWithId('call.ended', 'evt-outage')) }));
    };
    expect(await statusOf(send())).toBe('processed');
    setTimeout(() => {
      state.down = false;
    }, 70);
    await webhooks.drain();
    expect(await statusOf(send())).toBe('duplicate');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('gives up after a bounded number of tries, and then onError hears that the event was not recorded', async () => {
    const { store, state } = flakyStore();
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks({ dedupe: store, storeTimeoutMs: 5 }).on('call.ended', () => undefined).onError((error) => void errors.push(error));
    await statusOf(post(createFetchHandler(webhooks), JSON.stringify(eventWithId('call.ended', 'evt-down')), 'evt-down'));
    await webhooks.drain();
    const calls = state.calls;
    expect(calls).toBeLessThanOrEqual(8); // the processed check, then a completion and its retries
    expect(errors.map((error) => error.code)).toEqual(['store_unavailable', 'store_unavailable']);
    expect(errors[1]?.message).toMatch(/failed to complete/);
  });
});
