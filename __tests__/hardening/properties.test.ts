import fc from 'fast-check';
import { convercWebhooks, createFetchHandler, parseEvent, type AnyEvent } from 'converc-webhooks';
import { nearSchemaEvent } from '../fixtures/arbitraries';
import { eventWithId, fixtures } from '../fixtures/events';

// Every random choice below comes from fast-check, so a run is fixed by its seed (FC_SEED, read by
// __tests__/fixtures/fast-check-seed.ts for every suite).

const url = 'http://127.0.0.1/webhooks/converc';
const CONTRACT_STATUSES = [200, 202, 400, 413, 415, 422];

/** A Fetch handler over a receiver whose handler re-validates every event it is given. */
function receiverUnderTest() {
  const seen: AnyEvent[] = [];
  const webhooks = convercWebhooks({ limit: '64kb' }).onAny((event) => {
    parseEvent(event); // throws, hence a 500, if an invalid event ever got through
    seen.push(event);
  });
  return { handle: createFetchHandler(webhooks), seen };
}

function post(handle: ReturnType<typeof createFetchHandler>, body: Uint8Array, headers: Record<string, string>) {
  return handle(new Request(url, { method: 'POST', headers, body: new Uint8Array(body) }));
}

const contentTypes = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'APPLICATION/JSON; charset=utf-8', 'application/foo+json'),
  fc.string({ maxLength: 40 }).filter((s) => /^[\x21-\x7e ]*$/.test(s)),
);

const keyArb = fc.string({ minLength: 1, maxLength: 12 }).filter((key) => key !== '__proto__');

/** Events near the schema, as the bytes a stranger would send. */
const nearSchema = nearSchemaEvent.map((event) => new TextEncoder().encode(JSON.stringify(event)));

describe('properties', () => {
  it('answers anything a stranger sends with a contract status, never a 5xx, and never hands on an invalid event', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.jsonValue().map((value) => new TextEncoder().encode(JSON.stringify(value))),
      nearSchema,
    );
    await fc.assert(
      fc.asyncProperty(body, contentTypes, async (bytes, contentType) => {
        const { handle, seen } = receiverUnderTest();
        const response = await post(handle, bytes, contentType === undefined ? {} : { 'content-type': contentType });
        expect(CONTRACT_STATUSES).toContain(response.status);
        const answer = (await response.json()) as { status?: string };
        if (response.status === 200 && answer.status === 'processed') expect(seen).toHaveLength(1);
        else expect(seen).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts any valid event, unknown fields and enum values included, and hands it on deep-equal', async () => {
    const extra = fc.dictionary(keyArb, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    const validEvent = fc
      .record({
        type: fc.constantFrom(...(Object.keys(fixtures) as (keyof typeof fixtures)[])),
        id: fc.string({ minLength: 1, maxLength: 40 }),
        name: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
        status: fc.string({ maxLength: 20 }),
        top: extra,
        data: extra,
        call: extra,
      })
      .map(({ type, id, name, status, top, data, call }) => {
        const event = eventWithId(type, id) as unknown as Record<string, Record<string, Record<string, unknown>>>;
        Object.assign(event, Object.fromEntries(Object.entries(top).filter(([k]) => !Object.hasOwn(event, k))));
        const eventData = event.data ?? {};
        Object.assign(eventData, Object.fromEntries(Object.entries(data).filter(([k]) => !Object.hasOwn(eventData, k))));
        // The call and contact are only a call.* event's own: webhook.test's data is any object, so its
        // extras may hold a `call` or `contact` of any kind (fast-check favours such names), and are kept as drawn.
        if (type !== 'webhook.test') {
          const eventCall = eventData.call as Record<string, unknown>;
          Object.assign(eventCall, Object.fromEntries(Object.entries(call).filter(([k]) => !Object.hasOwn(eventCall, k))));
          eventCall.status = status;
          (eventData.contact as Record<string, unknown>).name = name;
        }
        return event;
      });
    await fc.assert(
      fc.asyncProperty(validEvent, async (event) => {
        const { handle, seen } = receiverUnderTest();
        const response = await post(handle, new TextEncoder().encode(JSON.stringify(event)), { 'content-type': 'application/json' });
        expect(response.status).toBe(200);
        expect(seen).toHaveLength(1);
        expect(seen[0]).toEqual(JSON.parse(JSON.stringify(event)));
      }),
      { numRuns: 200 },
    );
  });

  it('runs every id exactly once over random interleavings of repeats, failures and resends', async () => {
    const delivery = fc.record({ id: fc.integer({ min: 0, max: 7 }), fail: fc.boolean(), withHeader: fc.boolean() });
    const batchesArb = fc.array(fc.array(delivery, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 });
    // The interleaving is the scheduler's, drawn from the seed. Before each step it lets every delivery
    // run as far as it can (to a gate below, or to its answer), so what is waiting is the same on every run.
    const interleaving = fc.scheduler({ act: async (step) => { await new Promise((resolve) => setImmediate(resolve)); await step(); } });
    await fc.assert(
      fc.asyncProperty(batchesArb, interleaving, async (batches, s) => {
        const successes = new Map<string, number>();
        const webhooks = convercWebhooks().on('call.ended', async (event, ctx) => {
          const fails = ctx.headers['x-fail'] === 'yes';
          // Where this handler resumes among the others' is the scheduler's choice.
          await s.schedule(Promise.resolve(), `handler of ${event.id}${fails ? ', failing' : ''}`);
          if (fails) throw new Error('planned failure');
          successes.set(event.id, (successes.get(event.id) ?? 0) + 1);
        });
        webhooks.onError(() => undefined);
        const handle = createFetchHandler(webhooks);
        const send = (id: string, fail: boolean, withHeader: boolean) =>
          post(handle, new TextEncoder().encode(JSON.stringify(eventWithId('call.ended', id))), {
            'content-type': 'application/json',
            ...(fail ? { 'x-fail': 'yes' } : {}),
            ...(withHeader ? { 'x-ic-id': id } : {}),
          });
        // Each batch is concurrent, its deliveries arriving when the scheduler lets them; batches follow
        // one another. waitFor releases the scheduled steps until the batch is answered, so none is left.
        const arrive = (d: { id: number; fail: boolean; withHeader: boolean }) =>
          s
            .schedule(Promise.resolve(), `delivery of evt-${d.id}${d.fail ? ', failing' : ''}${d.withHeader ? ', with X-IC-Id' : ''}`)
            .then(() => send(`evt-${d.id}`, d.fail, d.withHeader));
        for (const batch of batches) await s.waitFor(Promise.all(batch.map(arrive)));
        const ids = [...new Set(batches.flat().map((d) => `evt-${d.id}`))];
        for (const id of ids) expect(successes.get(id) ?? 0).toBeLessThanOrEqual(1);
        // A resend of every id that never succeeded is processed; one that did is a duplicate.
        for (const id of ids) {
          const expected = successes.get(id) === 1 ? 'duplicate' : 'processed';
          const answer = (await (await s.waitFor(send(id, false, true))).json()) as { status: string };
          expect(answer.status).toBe(expected);
        }
        for (const id of ids) expect(successes.get(id)).toBe(1);
      }),
      { numRuns: 60 },
    );
  });
});
