import { Hono } from 'hono';
import { convercWebhooks, createFetchHandler } from 'converc-webhooks';
import { fetchClient } from '../contract/adapters';
import { deferred } from '../contract/helpers';
import { fixtures } from '../fixtures/events';

const url = 'http://127.0.0.1/webhooks/converc';

function postRequest(event: unknown, headers: Record<string, string> = {}): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(event),
  });
}

describe('createFetchHandler', () => {
  it('answers only once the handlers have settled when the platform offers no waitUntil', async () => {
    const gate = deferred();
    let finished = false;
    const webhooks = convercWebhooks({ ackTimeoutMs: 20 }).on('call.ended', async () => {
      await gate.promise;
      finished = true;
    });
    const answer = createFetchHandler(webhooks)(postRequest(fixtures['call.ended']));
    await new Promise((resolve) => setTimeout(resolve, 60));
    gate.resolve();
    const response = await answer;
    expect(finished).toBe(true);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
  });

  it("waits for the handlers even with ack: 'immediate' when there is no waitUntil", async () => {
    const handler = jest.fn(() => new Promise((resolve) => setTimeout(resolve, 10)));
    const webhooks = convercWebhooks({ ack: 'immediate' }).on('call.ended', handler);
    const response = await createFetchHandler(webhooks)(postRequest(fixtures['call.ended']));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('processed');
  });

  it('answers 202 by ackTimeoutMs and hands the running work to the waitUntil of the request context', async () => {
    const gate = deferred();
    const webhooks = convercWebhooks({ ackTimeoutMs: 20 }).on('call.ended', () => gate.promise);
    const kept: Promise<unknown>[] = [];
    const context = {
      waitUntil(promise: Promise<unknown>) {
        kept.push(promise);
      },
    };
    const response = await createFetchHandler(webhooks)(postRequest(fixtures['call.ended']), context);
    expect(response.status).toBe(202);
    expect(kept.length).toBeGreaterThan(0);
    let settled = false;
    const all = Promise.all(kept).then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(settled).toBe(false);
    gate.resolve();
    await all;
    expect(settled).toBe(true);
  });

  it('hands an async onError handler to waitUntil, so a rejected event is stored before the platform freezes', async () => {
    const stored = deferred<string>();
    const webhooks = convercWebhooks().onError(async (error) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      stored.resolve(error.code);
    });
    const kept: Promise<unknown>[] = [];
    const handle = createFetchHandler(webhooks, { waitUntil: (promise) => kept.push(promise) });
    const response = await handle(new Request(url, { method: 'POST', body: new TextEncoder().encode('{') }));
    expect(response.status).toBe(400);
    await Promise.all(kept);
    await expect(stored.promise).resolves.toBe('invalid_json');
  });

  it('answers 400 body_unavailable for a request whose body was already read', async () => {
    const webhooks = convercWebhooks().onAny(jest.fn());
    const request = postRequest(fixtures['call.ended']);
    await request.text();
    const response = await createFetchHandler(webhooks)(request);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('body_unavailable');
  });

  it("uses the body a framework's request wrapper kept (Hono's c.req) when a middleware read it first", async () => {
    const handler = jest.fn();
    const webhooks = convercWebhooks().on('call.ended', handler);
    const app = new Hono();
    let seenByMiddleware: unknown;
    app.use(async (c, next) => {
      seenByMiddleware = await c.req.json();
      await next();
    });
    const handle = createFetchHandler(webhooks);
    app.post('/webhooks/converc', (c) => handle(c.req));
    const response = await app.request(postRequest(fixtures['call.ended']));
    expect(response.status).toBe(200);
    expect(seenByMiddleware).toEqual(fixtures['call.ended']);
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ id: fixtures['call.ended'].id }), expect.anything());
  });

  it('refuses a kept body over limit 413, and one the wrapper cannot give 400 body_unavailable', async () => {
    const handle = createFetchHandler(convercWebhooks({ limit: 10 }).onAny(jest.fn()));
    const used = postRequest(fixtures['call.ended']);
    await used.text();
    const tooLarge = await handle({ raw: used, arrayBuffer: () => Promise.resolve(new ArrayBuffer(11)) });
    expect(tooLarge.status).toBe(413);
    const lost = await handle({ raw: used, arrayBuffer: () => used.arrayBuffer() });
    expect(((await lost.json()) as { error: { code: string } }).error.code).toBe('body_unavailable');
  });

  it('sends no Connection header on a 413, leaving the connection to the platform', async () => {
    const webhooks = convercWebhooks({ limit: 10 });
    const response = await fetchClient(createFetchHandler(webhooks))({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fixtures['call.ended']),
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBeUndefined();
  });

  it('shares handlers and dedupe with the Express middleware of the same receiver', async () => {
    const handler = jest.fn();
    const webhooks = convercWebhooks().on('call.ended', handler);
    const handle = createFetchHandler(webhooks);
    expect((await handle(postRequest(fixtures['call.ended']))).status).toBe(200);
    const again = await handle(postRequest(fixtures['call.ended']));
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('throws a TypeError for something that is not a receiver, or a waitUntil that is not a function', () => {
    expect(() => createFetchHandler((() => undefined) as never)).toThrow(/convercWebhooks\(\)/);
    expect(() => createFetchHandler(convercWebhooks(), { waitUntil: 'soon' as never })).toThrow(/waitUntil/);
  });
});
