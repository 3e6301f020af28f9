import { convercWebhooks, EVENT_TYPES, type HandlerContext } from 'converc-webhooks';
import { eventWithId, fixtures, futureEvent } from '../fixtures/events';
import { closeServers, type Adapter, type Client, type TestResponse } from './adapters';
import { deferred, recordingReceiver, waitFor } from './helpers';

const JSON_TYPE = { 'content-type': 'application/json' };

/** POSTs `event` as JSON, the way the provider does. */
function post(client: Client, event: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
  return client({ headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(event) });
}

/**
 * Every row of the HTTP contract, plus dedupe, the ack deadline and the error hooks, run against one
 * adapter. Every adapter runs this same suite, so they cannot drift apart.
 */
export function describeHttpContract(adapter: Adapter): void {
  describe(`the HTTP contract on ${adapter.name}`, () => {
    afterEach(closeServers);

    const rows = new Set<string>();
    // A row this mount cannot keep, because the framework answers before the receiver, runs the
    // adapter's own assertion of that answer instead, and says why in its name.
    const row = (title: string, test: () => Promise<void>): void => {
      rows.add(title);
      const exception = adapter.exceptions?.[title];
      if (exception === undefined) it(title, test);
      else it(`${title}: not on this mount, because ${exception.why} (asserted instead)`, () => exception.check(adapter));
    };

    row('answers 200 processed once every handler resolved, and hands each the event and its context', async () => {
      const { webhooks, errors } = recordingReceiver();
      const seen: { event: unknown; ctx: HandlerContext }[] = [];
      webhooks.on('call.ended', async (event, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        seen.push({ event, ctx });
      });
      const response = await post(await adapter.mount(webhooks), fixtures['call.ended'], { 'X-IC-Id': 'evt-call.ended' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.event).toEqual(fixtures['call.ended']);
      expect(seen[0]?.ctx.id).toBe('evt-call.ended');
      expect(seen[0]?.ctx.receivedAt).toBeInstanceOf(Date);
      expect(seen[0]?.ctx.headers['x-ic-id']).toBe('evt-call.ended');
      expect(errors).toEqual([]);
    });

    for (const type of EVENT_TYPES) row(`routes a ${type} event to its handler only`, async () => {
      const { webhooks } = recordingReceiver();
      const calls: string[] = [];
      for (const other of EVENT_TYPES) webhooks.on(other, () => void calls.push(other));
      const response = await post(await adapter.mount(webhooks), fixtures[type]);
      expect(response.body).toEqual({ received: true, id: `evt-${type}`, status: 'processed' });
      expect(calls).toEqual([type]);
    });

    row('answers 200 ignored for a valid event with no handler for its type and no onAny', async () => {
      const { webhooks, errors } = recordingReceiver();
      const ended = jest.fn();
      webhooks.on('call.ended', ended);
      const response = await post(await adapter.mount(webhooks), fixtures['call.missed']);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true, id: 'evt-call.missed', status: 'ignored' });
      expect(ended).not.toHaveBeenCalled();
      expect(errors).toEqual([]);
    });

    row('answers 200 processed for a future event type through onAny, unknown fields included', async () => {
      const { webhooks } = recordingReceiver();
      const any = jest.fn();
      webhooks.onAny(any);
      const response = await post(await adapter.mount(webhooks), futureEvent);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ received: true, id: 'evt-future', status: 'processed' });
      expect(any).toHaveBeenCalledTimes(1);
      expect(any.mock.calls[0]?.[0]).toEqual(futureEvent);
    });

    row('answers 200 ignored for a future event type when there is no onAny', async () => {
      const { webhooks, errors } = recordingReceiver();
      webhooks.on('call.ended', jest.fn());
      const response = await post(await adapter.mount(webhooks), futureEvent);
      expect(response.body).toEqual({ received: true, id: 'evt-future', status: 'ignored' });
      expect(errors).toEqual([]);
    });

    row('answers 200 duplicate for an id already processed, and runs no handler again', async () => {
      const { webhooks } = recordingReceiver();
      const handler = jest.fn();
      webhooks.on('call.ended', handler);
      const client = await adapter.mount(webhooks);
      expect((await post(client, fixtures['call.ended'])).body.status).toBe('processed');
      const again = await post(client, fixtures['call.ended']);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
      expect(handler).toHaveBeenCalledTimes(1);
    });

    row('answers 200 duplicate for an id being processed right now', async () => {
      const { webhooks } = recordingReceiver();
      const gate = deferred();
      const handler = jest.fn(() => gate.promise);
      webhooks.on('call.ended', handler);
      const client = await adapter.mount(webhooks);
      const first = post(client, fixtures['call.ended']);
      await waitFor(() => handler.mock.calls.length === 1);
      const second = await post(client, fixtures['call.ended']);
      expect(second.body.status).toBe('duplicate');
      gate.resolve();
      expect((await first).body.status).toBe('processed');
      expect(handler).toHaveBeenCalledTimes(1);
    });

    row('answers a processed X-IC-Id as duplicate without parsing the body', async () => {
      const { webhooks, errors } = recordingReceiver();
      webhooks.on('call.ended', jest.fn());
      const client = await adapter.mount(webhooks);
      await post(client, fixtures['call.ended'], { 'X-IC-Id': 'evt-call.ended' });
      const response = await client({ headers: { ...JSON_TYPE, 'X-IC-Id': 'evt-call.ended' }, body: 'not json' });
      expect(response.body).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
      expect(errors).toEqual([]);
    });

    row('answers 202 accepted when handlers still run at ackTimeoutMs, and they run on to completion', async () => {
      const { webhooks, errors } = recordingReceiver({ ackTimeoutMs: 50 });
      const gate = deferred();
      let finished = false;
      webhooks.on('call.ended', async () => {
        await gate.promise;
        finished = true;
      });
      const client = await adapter.mount(webhooks);
      const response = await post(client, fixtures['call.ended']);
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ received: true, id: 'evt-call.ended', status: 'accepted' });
      expect(finished).toBe(false);
      const drained = webhooks.drain();
      gate.resolve();
      await drained;
      expect(finished).toBe(true);
      expect(errors).toEqual([]);
      // Completed in the background: the id is now remembered.
      expect((await post(client, fixtures['call.ended'])).body.status).toBe('duplicate');
    });

    row("answers 202 accepted right after validation with ack: 'immediate', then runs the handlers", async () => {
      const { webhooks } = recordingReceiver({ ack: 'immediate' });
      const gate = deferred();
      const handler = jest.fn(() => gate.promise);
      webhooks.on('call.ended', handler);
      const response = await post(await adapter.mount(webhooks), fixtures['call.ended']);
      expect(response.status).toBe(202);
      expect(response.body.status).toBe('accepted');
      expect(handler).toHaveBeenCalledTimes(1);
      gate.resolve();
      await webhooks.drain();
    });

    row("tells onError of a handler failing after an ack: 'immediate' answer, and processes a resend", async () => {
      const { webhooks, errors } = recordingReceiver({ ack: 'immediate' });
      let calls = 0;
      webhooks.on('call.ended', () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('CRM down')) : Promise.resolve();
      });
      const client = await adapter.mount(webhooks);
      expect((await post(client, fixtures['call.ended'])).status).toBe(202);
      await webhooks.drain();
      expect(errors.map((e) => e.error.code)).toEqual(['handler_failed']);
      expect((await post(client, fixtures['call.ended'])).status).toBe(202);
      await webhooks.drain();
      expect(calls).toBe(2);
    });

    row('answers 500 handler_failed with a generic message when a handler throws, and tells onError', async () => {
      const { webhooks, errors } = recordingReceiver();
      const thrown = new Error('CRM said 503 (secret=hunter2)');
      webhooks.on('call.ended', () => {
        throw thrown;
      });
      const response = await post(await adapter.mount(webhooks), fixtures['call.ended']);
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('handler_failed');
      expect(response.text).not.toContain('hunter2');
      await webhooks.drain();
      expect(errors).toHaveLength(1);
      const { error, event } = errors[0]!;
      expect(error.code).toBe('handler_failed');
      expect(error.cause).toBe(thrown);
      expect(error.event).toEqual(fixtures['call.ended']);
      expect(event).toEqual(fixtures['call.ended']);
      expect(JSON.parse(error.rawBody ?? 'null')).toEqual(fixtures['call.ended']);
    });

    row('answers 500 handler_failed when a handler rejects, and processes the event when it is sent again', async () => {
      const { webhooks, errors } = recordingReceiver();
      let calls = 0;
      webhooks.on('call.ended', () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database restarting')) : Promise.resolve();
      });
      const client = await adapter.mount(webhooks);
      expect((await post(client, fixtures['call.ended'])).status).toBe(500);
      await webhooks.drain();
      const resent = await post(client, fixtures['call.ended'], { 'X-IC-Id': 'evt-call.ended' });
      expect(resent.status).toBe(200);
      expect(resent.body.status).toBe('processed');
      expect(calls).toBe(2);
      expect(errors.map((e) => e.error.code)).toEqual(['handler_failed']);
    });

    row('answers 400 invalid_json for a body that is not JSON, and hands onError the raw body', async () => {
      const { webhooks, errors } = recordingReceiver();
      const handler = jest.fn();
      webhooks.onAny(handler);
      const response = await (await adapter.mount(webhooks))({ headers: JSON_TYPE, body: '{"id": "evt-1", "type": ' });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_json');
      expect(handler).not.toHaveBeenCalled();
      expect(errors.map((e) => [e.error.code, e.error.rawBody])).toEqual([['invalid_json', '{"id": "evt-1", "type": ']]);
    });

    row('answers 400 invalid_json for an empty body', async () => {
      const { webhooks, errors } = recordingReceiver();
      const response = await (await adapter.mount(webhooks))({ headers: JSON_TYPE, body: '' });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_json');
      expect(errors[0]?.error.rawBody).toBe('');
    });

    row('answers 422 invalid_event with issues when call.id is missing, and calls no handler', async () => {
      const { webhooks, errors } = recordingReceiver();
      const handler = jest.fn();
      webhooks.on('call.ended', handler).onAny(handler);
      const broken = structuredClone(fixtures['call.ended']) as { data: { call: Record<string, unknown> } };
      delete broken.data.call.id;
      const response = await post(await adapter.mount(webhooks), broken);
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('invalid_event');
      expect(response.body.error.issues).toEqual([{ path: 'data.call.id', message: expect.any(String) }]);
      expect(handler).not.toHaveBeenCalled();
      expect(errors[0]?.error.code).toBe('invalid_event');
      expect(JSON.parse(errors[0]?.error.rawBody ?? 'null')).toEqual(broken);
    });

    row('stops at the first problem of an invalid event, says there may be more, and gives onError the same issues', async () => {
      const { webhooks, errors } = recordingReceiver();
      const broken = structuredClone(fixtures['call.ended']);
      broken.data.qualificationAnswers = Array.from({ length: 30 }, () => ({ id: 7 })) as never;
      const response = await post(await adapter.mount(webhooks), broken);
      expect(response.status).toBe(422);
      expect(response.body.error.message).toMatch(/^Invalid event: data\.qualificationAnswers\[0\]\.id: .*there may be more$/);
      expect(response.body.error.issues.length).toBeGreaterThanOrEqual(1);
      expect(response.body.error.issues.length).toBeLessThanOrEqual(20);
      expect(errors[0]?.error.issues).toEqual(response.body.error.issues);
    });

    row('answers 400 id_mismatch when X-IC-Id differs from the body id, and still processes the right delivery', async () => {
      const { webhooks, errors } = recordingReceiver();
      const handler = jest.fn();
      webhooks.on('call.ended', handler);
      const client = await adapter.mount(webhooks);
      const response = await post(client, fixtures['call.ended'], { 'X-IC-Id': 'evt-other' });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('id_mismatch');
      expect(errors[0]?.error.deliveryId).toBe('evt-other');
      expect(handler).not.toHaveBeenCalled();
      // The mismatched claim was released: the same header with a matching body is processed.
      const right = await post(client, eventWithId('call.ended', 'evt-other'), { 'X-IC-Id': 'evt-other' });
      expect(right.body.status).toBe('processed');
    });

    row('answers 413 payload_too_large for a body over limit, whole and chunked', async () => {
      const { webhooks, errors } = recordingReceiver({ limit: 1024 });
      const handler = jest.fn();
      webhooks.onAny(handler);
      const client = await adapter.mount(webhooks);
      const big = JSON.stringify({ ...fixtures['call.ended'], padding: 'x'.repeat(2048) });
      const whole = await client({ headers: JSON_TYPE, body: big });
      expect(whole.status).toBe(413);
      expect(whole.body.error.code).toBe('payload_too_large');
      const chunked = await client({ headers: JSON_TYPE, body: [big.slice(0, 1000), big.slice(1000)] });
      expect(chunked.status).toBe(413);
      expect(chunked.body.error.code).toBe('payload_too_large');
      expect(handler).not.toHaveBeenCalled();
      expect(errors.map((e) => e.error.code)).toEqual(['payload_too_large', 'payload_too_large']);
    });

    row('accepts a body of exactly limit bytes', async () => {
      const body = JSON.stringify(fixtures['call.ended']);
      const { webhooks } = recordingReceiver({ limit: Buffer.byteLength(body) });
      webhooks.onAny(jest.fn());
      const response = await (await adapter.mount(webhooks))({ headers: JSON_TYPE, body });
      expect(response.body.status).toBe('processed');
    });

    for (const [what, headers] of [
      ['a text/plain Content-Type', { 'content-type': 'text/plain' }],
      ['a form Content-Type', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['a charset other than UTF-8', { 'content-type': 'application/json; charset=iso-8859-1' }],
      ['a gzip Content-Encoding', { 'content-type': 'application/json', 'content-encoding': 'gzip' }],
    ] as const) row(`answers 415 unsupported_media_type for ${what}`, async () => {
      const { webhooks, errors } = recordingReceiver();
      const handler = jest.fn();
      webhooks.onAny(handler);
      const response = await (await adapter.mount(webhooks))({ headers, body: JSON.stringify(fixtures['call.ended']) });
      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('unsupported_media_type');
      expect(handler).not.toHaveBeenCalled();
      expect(errors[0]?.error.code).toBe('unsupported_media_type');
    });

    for (const contentType of ['application/json', 'Application/JSON; charset=UTF-8', 'application/vnd.converc+json', undefined]) {
      row(`accepts the Content-Type ${contentType ?? 'undefined'}`, async () => {
        const { webhooks } = recordingReceiver();
        webhooks.onAny(jest.fn());
        const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
        const response = await (await adapter.mount(webhooks))({ headers, body: JSON.stringify(fixtures['call.ended']) });
        expect(response.status).toBe(200);
        expect(response.body.status).toBe('processed');
      });
    }

    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) row(`answers 405 method_not_allowed with Allow: POST to ${method}`, async () => {
      const { webhooks, errors } = recordingReceiver();
      const response = await (await adapter.mount(webhooks))({ method });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.body.error.code).toBe('method_not_allowed');
      expect(errors[0]?.error.code).toBe('method_not_allowed');
    });

    row('runs 50 concurrent deliveries of one id through the handler once', async () => {
      const { webhooks } = recordingReceiver();
      const handler = jest.fn(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
      });
      webhooks.on('call.ended', handler);
      const client = await adapter.mount(webhooks);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post(client, fixtures['call.ended'], i % 2 === 0 ? { 'X-IC-Id': 'evt-call.ended' } : {}),
        ),
      );
      expect(handler).toHaveBeenCalledTimes(1);
      const statuses = responses.map((r) => r.body.status as string);
      expect(statuses.filter((s) => s === 'processed')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(49);
    });

    row('never lets an onError handler that throws or rejects escape', async () => {
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const webhooks = convercWebhooks()
          .on('call.ended', () => Promise.reject(new Error('handler down')))
          .onError(() => {
            throw new Error('onError down');
          })
          .onError(() => Promise.reject(new Error('async onError down')));
        const client = await adapter.mount(webhooks);
        expect((await post(client, fixtures['call.ended'])).status).toBe(500);
        // A refusal that reaches the receiver behind a body parser too: an event that is JSON but invalid.
        expect((await post(client, { ...fixtures['call.ended'], id: 'evt-invalid', createdAt: 'yesterday' })).status).toBe(422);
        await webhooks.drain();
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).not.toHaveBeenCalled();
        expect(consoleError).toHaveBeenCalledTimes(4);
      } finally {
        process.off('unhandledRejection', unhandled);
        consoleError.mockRestore();
      }
    });

    it('names only rows of this contract among its exceptions', () => {
      expect(Object.keys(adapter.exceptions ?? {}).filter((title) => !rows.has(title))).toEqual([]);
    });
  });
}
