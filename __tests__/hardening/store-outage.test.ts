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
