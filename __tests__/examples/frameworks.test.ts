import { Hono, type Context } from 'hono';
import express4 from 'express4';
import { expectTypeOf } from 'expect-type';
import { convercWebhooks, createFetchHandler, type ConvercWebhooks } from 'converc-webhooks';
import { createTestEvent } from 'converc-webhooks/testing';
import * as expressExample from '../../examples/frameworks/express';
import * as fastifyExample from '../../examples/frameworks/fastify';
import * as honoExample from '../../examples/frameworks/hono';
import * as nestExample from '../../examples/frameworks/nestjs/app';
import { POST } from '../../examples/frameworks/nextjs';
import { closeServers, type Client } from '../contract/adapters';
import { serveExpress, serveFastify, serveNest } from '../contract/framework-adapters';
import { recordingReceiver } from '../contract/helpers';
import { fixtures } from '../fixtures/events';
import { PARSED_FIRST_WARNING } from '../../src/node/parsed-first-warning';

// What the framework guides (docs/frameworks/*.md) say beyond the HTTP contract, which runs through
// every mount in __tests__/contract/frameworks.test.ts.

const JSON_TYPE = { 'content-type': 'application/json' };
const ended = `call call-uuid ended at ${fixtures['call.ended'].data.call.endedAt}`;

/** A call.transcript_ready of about 200 KB: over body-parser's (and so NestJS's) default 100 kB limit. */
const transcript = JSON.stringify(
  createTestEvent('call.transcript_ready', {
    id: 'evt-transcript',
    data: { transcript: Array.from({ length: 2000 }, (_, i) => ({ at: i, speaker: i % 2 ? 'rep' : 'visitor', text: 'x'.repeat(80) })) },
  }),
);

afterEach(closeServers);

let warnings: jest.SpyInstance;
beforeEach(() => {
  warnings = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
});
afterEach(() => {
  warnings.mockRestore();
});

/** Sends the 200 KB transcript to a mount and says what came of it. */
async function sendTranscript(mount: (webhooks: ConvercWebhooks) => Promise<Client>) {
  const { webhooks, errors } = recordingReceiver();
  const handler = jest.fn();
  webhooks.on('call.transcript_ready', handler);
  const response = await (await mount(webhooks))({ headers: JSON_TYPE, body: transcript });
  return { response, handler, errors };
}

describe('examples/frameworks/express.ts', () => {
  it('keeps a 200 KB transcript when mounted first', async () => {
    expect(transcript.length).toBeGreaterThan(200_000);
    const { response, handler } = await sendTranscript((webhooks) => serveExpress(expressExample.mountFirst(webhooks)));
    expect(response.body).toEqual({ received: true, id: 'evt-transcript', status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(warnings).not.toHaveBeenCalled();
  });

  it.each([
    ['Express 5', undefined],
    ['Express 4', express4],
  ])('loses a 200 KB transcript on %s after express.json(): its 413 comes before onError', async (_, express) => {
    const { response, handler, errors } = await sendTranscript((webhooks) => serveExpress(expressExample.mountAfterParser(webhooks, express)));
    expect(response.status).toBe(413);
    expect(response.body).toBeUndefined(); // Express's own error page, not the receiver's answer
    expect(handler).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it('warns, with a code, when express.json() read a delivery first', async () => {
    const { webhooks } = recordingReceiver();
    const client = await serveExpress(expressExample.mountAfterParser(webhooks.onAny(jest.fn())));
    expect((await client({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) })).body.status).toBe('processed');
    expect(warnings.mock.calls[0]?.[1]).toMatchObject({ code: PARSED_FIRST_WARNING });
  });

  it('hands onError the body as sent when mounted first, and re-serialized after express.json()', async () => {
    // Spaced as no JSON.stringify would: only the bytes as read can give it back as sent.
    const sent = JSON.stringify({ ...fixtures['call.ended'], createdAt: 'yesterday' }, null, 2);
    const rawBodies: (string | undefined)[] = [];
    for (const mount of [expressExample.mountFirst, expressExample.mountAfterParser]) {
      const { webhooks, errors } = recordingReceiver();
      expect((await (await serveExpress(mount(webhooks)))({ headers: JSON_TYPE, body: sent })).status).toBe(422);
      rawBodies.push(errors[0]?.error.rawBody);
    }
    expect(rawBodies[0]).toBe(sent);
    expect(rawBodies[1]).not.toBe(sent);
    expect(JSON.parse(rawBodies[1] ?? 'null')).toEqual(JSON.parse(sent));
  });

  it("serves its createApp()'s receiver", async () => {
    const lines: string[] = [];
    const { app } = expressExample.createApp((line) => lines.push(line));
    const response = await (await serveExpress(app))({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    expect(response.body.status).toBe('processed');
    expect(lines).toEqual([ended]);
  });
});

describe('examples/frameworks/nestjs/app.ts', () => {
  it('keeps a 200 KB transcript when mounted with app.use in main.ts', async () => {
    const { response, handler } = await sendTranscript(async (webhooks) => serveNest(await nestExample.createMountedInMain(webhooks)));
    expect(response.body).toEqual({ received: true, id: 'evt-transcript', status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(warnings).not.toHaveBeenCalled();
  });

  it.each([
    ['a controller', nestExample.createWithController],
    ['a controller with rawBody: true', nestExample.createWithRawBody],
    ['MiddlewareConsumer', (webhooks: ConvercWebhooks) => nestExample.createWithMiddleware(webhooks, 'path and method')],
  ])("loses a 200 KB transcript through %s: Nest's parser answers 413 before onError", async (_, create) => {
    const { response, handler, errors } = await sendTranscript(async (webhooks) => serveNest(await create(webhooks)));
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ statusCode: 413 }); // Nest's answer, not the receiver's
    expect(handler).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });

  it('hands onError the exact bytes sent with rawBody: true, and a re-serialized value without', async () => {
    // Spaced as no JSON.stringify would: only the bytes Nest kept can give it back as sent.
    const sent = JSON.stringify({ ...fixtures['call.ended'], createdAt: 'yesterday' }, null, 2);
    const rawBodies: (string | undefined)[] = [];
    for (const create of [nestExample.createWithRawBody, nestExample.createWithController]) {
      const { webhooks, errors } = recordingReceiver();
      const response = await (await serveNest(await create(webhooks)))({ headers: JSON_TYPE, body: sent });
      expect(response.status).toBe(422);
      rawBodies.push(errors[0]?.error.rawBody);
    }
    expect(rawBodies[0]).toBe(sent);
    expect(rawBodies[1]).not.toBe(sent);
    expect(JSON.parse(rawBodies[1] ?? 'null')).toEqual(JSON.parse(sent));
  });

  it("serves its createApp()'s receiver", async () => {
    const lines: string[] = [];
    const { app } = await nestExample.createApp((line) => lines.push(line));
    const response = await (await serveNest(app))({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    expect(response.body.status).toBe('processed');
    expect(lines).toEqual([ended]);
  });
});

describe('examples/frameworks/fastify.ts', () => {
  it('answers 400 body_unavailable on the obvious fastify.post route, whose JSON parser read the body first', async () => {
    const { webhooks, errors } = recordingReceiver();
    const handler = jest.fn();
    const client = await serveFastify(fastifyExample.mountOnParsedRoute(webhooks.onAny(handler)));
    const response = await client({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('body_unavailable');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((e) => e.error.code)).toEqual(['body_unavailable']);
  });

  it('keeps a 200 KB transcript natively, and Fastify JSON parsing for the rest of the app', async () => {
    const { response, handler } = await sendTranscript(async (webhooks) => {
      const app = await fastifyExample.mountNative(webhooks);
      app.post('/echo', (request) => request.body);
      const client = await serveFastify(app);
      const echo = await client({ path: '/echo', headers: JSON_TYPE, body: '{"parsed":true}' });
      expect(echo.body).toEqual({ parsed: true });
      return client;
    });
    expect(response.body).toEqual({ received: true, id: 'evt-transcript', status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("serves its createApp()'s receiver", async () => {
    const lines: string[] = [];
    const { app } = await fastifyExample.createApp((line) => lines.push(line));
    const response = await (await serveFastify(app))({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    expect(response.body.status).toBe('processed');
    expect(lines).toEqual([ended]);
  });
});

describe('examples/frameworks/hono.ts', () => {
  it("serves its createApp()'s receiver through app.request()", async () => {
    const lines: string[] = [];
    const { app } = honoExample.createApp((line) => lines.push(line));
    const response = await app.request('/webhooks/converc', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    expect(await response.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
    // A duplicate named in X-IC-Id is answered before its body is read: this one is not even JSON.
    const again = await app.request('/webhooks/converc', { method: 'POST', headers: { ...JSON_TYPE, 'x-ic-id': 'evt-call.ended' }, body: 'not even json' });
    expect(await again.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
    expect(lines).toEqual([ended]);
  });

  it("leaves other methods to Hono's 404 on app.post, where app.all gives the receiver's 405", async () => {
    const { webhooks, errors } = recordingReceiver();
    const handle = createFetchHandler(webhooks);
    const onPost = new Hono().post('/webhooks/converc', (c) => handle(c.req.raw));
    expect((await onPost.request('/webhooks/converc')).status).toBe(404);
    expect(errors).toEqual([]);
    const onAll = honoExample.createNodeApp(webhooks);
    const response = await onAll.request('/webhooks/converc');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(errors.map((e) => e.error.code)).toEqual(['method_not_allowed']);
  });

  /** A Hono app whose middleware reads the body before the receiver, which is handed `pass(c)`. */
  async function afterAMiddlewareRead(pass: (c: Context) => Request | Context['req']) {
    const { webhooks, errors } = recordingReceiver();
    const handler = jest.fn();
    const handle = createFetchHandler(webhooks.onAny(handler));
    const app = new Hono();
    app.use(async (c, next) => {
      await c.req.json(); // a logging or checking middleware
      await next();
    });
    app.all('/webhooks/converc', (c) => handle(pass(c)));
    const response = await app.request('/webhooks/converc', { method: 'POST', headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
    return { status: response.status, body: (await response.json()) as unknown, handler, errors };
  }

  it('takes the body an earlier middleware read when given c.req, which Hono keeps it in', async () => {
    const { status, body, handler, errors } = await afterAMiddlewareRead((c) => c.req);
    expect(status).toBe(200);
    expect(body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([]);
  });

  it('answers 400 body_unavailable when given c.req.raw after a middleware used its body up', async () => {
    const { status, body, handler, errors } = await afterAMiddlewareRead((c) => c.req.raw);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: 'body_unavailable' } });
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((e) => e.error.code)).toEqual(['body_unavailable']);
  });
});

describe('examples/frameworks/nextjs.ts', () => {
  it('exports a POST of the type Next.js checks a route export against, and so is the bare Fetch handler', () => {
    // What `next build` checks a route's POST against: Next.js passes the route params second.
    type NextRouteHandler = (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;
    expectTypeOf(POST).toExtend<NextRouteHandler>();
    // FetchContext takes other members, so `{ params }` is one (it once shared none with it: TS2559).
    expectTypeOf(createFetchHandler(convercWebhooks())).toExtend<NextRouteHandler>();
  });

  it('exports a POST that Next.js calls with a Request and the route params', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const request = new Request('http://127.0.0.1/api/webhooks/converc', {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify(fixtures['call.ended']),
      });
      const nextCall = POST as (request: Request, context: { params: Promise<object> }) => Promise<Response>;
      const response = await nextCall(request, { params: Promise.resolve({}) });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
      expect(log.mock.calls).toEqual([[ended]]);
    } finally {
      log.mockRestore();
    }
  });

  it('processes a Request built as the guide says, with its Content-Type', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // #region test-request
      const response = await POST(
        new Request('http://localhost/api/webhooks/converc', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(createTestEvent('call.ended', { id: 'evt-from-the-guide' })),
        }),
      );
      // #endregion
      expect(await response.json()).toEqual({ received: true, id: 'evt-from-the-guide', status: 'processed' });
    } finally {
      log.mockRestore();
    }
  });

  it('answers 415 to a Request built with a string body and no Content-Type: the Fetch API sends it as text/plain', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const request = new Request('http://127.0.0.1/api/webhooks/converc', { method: 'POST', body: JSON.stringify(createTestEvent('call.ended')) });
      expect(request.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
      const response = await POST(request);
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
      expect(error.mock.calls).toEqual([['rejected or failed (unsupported_media_type)']]);
    } finally {
      error.mockRestore();
    }
  });
});
