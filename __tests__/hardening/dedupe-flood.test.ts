import { convercWebhooks, createFetchHandler } from 'converc-webhooks';
import { deferred } from '../contract/helpers';
import { eventWithId } from '../fixtures/events';

// A stranger (no auth) can send as many fresh ids as it likes. The memory store forgets the oldest
// processed ids beyond `max`, as documented, but a claim held by a delivery still running must
// survive any flood: forgetting it would let a resend run the handler a second time, beside the first.
describe('a flood of fresh ids', () => {
  it('never evicts the claim of an event whose handler is still running', async () => {
    const slow = deferred();
    let runs = 0;
    const webhooks = convercWebhooks({ ackTimeoutMs: 100, bodyTimeoutMs: 100, storeTimeoutMs: 50 }).on('call.ended', async (event) => {
      if (event.id !== 'evt-held') return;
      runs += 1;
      await slow.promise;
    });
    const handle = createFetchHandler(webhooks, { waitUntil: () => undefined });
    const send = async (id: string) => {
      const response = await handle(
        new Request('http://127.0.0.1/hooks', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(eventWithId('call.ended', id)),
        }),
      );
      return ((await response.json()) as { status?: string }).status;
    };

    expect(await send('evt-held')).toBe('accepted'); // still running after ackTimeoutMs
    for (let index = 0; index < 10_500; index++) await send(`flood-${index}`);
    expect(await send('evt-held')).toBe('duplicate');
    slow.resolve();
    await webhooks.drain();
    expect(await send('evt-held')).toBe('duplicate');
    expect(runs).toBe(1);
  });
});

describe('the flood-risk warning', () => {
  const previous = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = previous;
    jest.restoreAllMocks();
  });

  function warningsOf(make: () => unknown): unknown[][] {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    make();
    return emit.mock.calls;
  }

  it('is emitted once, with its code, by a production receiver with no auth and the memory store', () => {
    process.env.NODE_ENV = 'production';
    const calls = warningsOf(() => convercWebhooks());
    expect(calls).toHaveLength(1);
    expect(calls[0]?.[1]).toMatchObject({ code: 'CONVERC_WEBHOOKS_FLOOD_RISK' });
    expect(String(calls[0]?.[0])).toMatch(/auth option.*shared store/);
  });

  it('is not emitted with auth, with a shared store, or outside production', () => {
    process.env.NODE_ENV = 'production';
    expect(warningsOf(() => convercWebhooks({ auth: { tokens: ['a-secret'] } }))).toEqual([]);
    const shared = { claim: () => null, complete: () => undefined, release: () => undefined };
    expect(warningsOf(() => convercWebhooks({ dedupe: shared }))).toEqual([]);
    process.env.NODE_ENV = 'development';
    expect(warningsOf(() => convercWebhooks())).toEqual([]);
  });
});
