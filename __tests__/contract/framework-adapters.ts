import { getRequestListener } from '@hono/node-server';
import { Logger, type INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { ExecutionContext } from 'hono';
import express5 from 'express';
import express4 from 'express4';
import { createFetchHandler, type ConvercWebhooks, type ConvercWebhooksOptions } from 'converc-webhooks';
import * as expressExample from '../../examples/frameworks/express';
import * as fastifyExample from '../../examples/frameworks/fastify';
import * as honoExample from '../../examples/frameworks/hono';
import * as nestExample from '../../examples/frameworks/nestjs/app';
import { POST } from '../../examples/frameworks/nextjs';
import { fetchClient, serve, type Adapter, type Client, type RowException, type TestRequest } from './adapters';
import { fixtures } from '../fixtures/events';
import { deferred, recordingReceiver } from './helpers';

// Each adapter is one mount from the framework guides (docs/frameworks/*.md), built by the example the
// guide quotes, served over real HTTP on a loopback port (or called with real Requests, as Workers and
// Next.js call a handler).

/**
 * A row whose request the framework answers itself, before the receiver sees it: asserts that answer,
 * that it is not the receiver's, and that onError never heard of the delivery (no handler ran either).
 */
function answeredBeforeUs(why: string, status: number, request: TestRequest): RowException {
  return {
    why,
    async check(adapter) {
      const { webhooks, errors } = recordingReceiver();
      const handler = jest.fn();
      webhooks.onAny(handler);
      const response = await (await adapter.mount(webhooks))(request);
      expect(response.status).toBe(status);
      expect(response.body?.error?.code).toBeUndefined();
      expect(handler).not.toHaveBeenCalled();
      expect(errors).toEqual([]);
    },
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const EVENT_TEXT = '{"id": "evt-x", "type": "call.ended"}';

/** What express.json() (body-parser, which NestJS runs too) answers itself when it runs before the receiver. */
const parserFirst: Readonly<Record<string, RowException>> = {
  'answers 400 invalid_json for a body that is not JSON, and hands onError the raw body': answeredBeforeUs(
    'the body parser mounted first answers a body that is not JSON 400 itself, and its raw body never reaches onError',
    400,
    { headers: JSON_TYPE, body: '{"id": "evt-1", "type": ' },
  ),
  'answers a processed X-IC-Id as duplicate without parsing the body': answeredBeforeUs(
    'the body parser mounted first parses (and here refuses) the body before the receiver can look at X-IC-Id',
    400,
    { headers: { ...JSON_TYPE, 'X-IC-Id': 'evt-call.ended' }, body: 'not json' },
  ),
  'answers 415 unsupported_media_type for a charset other than UTF-8': answeredBeforeUs(
    'the body parser mounted first refuses the charset with a 415 of its own, and onError never hears of it',
    415,
    { headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: EVENT_TEXT },
  ),
  'answers 415 unsupported_media_type for a gzip Content-Encoding': answeredBeforeUs(
    'the body parser mounted first inflates gzip itself, and answers 400 to a body that is not gzip',
    400,
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: EVENT_TEXT },
  ),
};

/**
 * A parser that read a body sent in chunks (no Content-Length) and left only the parsed value: the
 * receiver cannot count bytes it never saw, so the parser's own limit (100 kB) stands in for `limit`.
 * A Content-Length over `limit` is still refused by the receiver, and onError hears of it.
 */
const parsedValueLimit: Readonly<Record<string, RowException>> = {
  'answers 413 payload_too_large for a body over limit, whole and chunked': {
    why: 'the parser mounted first left a parsed value of the chunked body, whose size the receiver cannot know: the parser applies its own limit',
    async check(adapter) {
      const { webhooks, errors } = recordingReceiver({ limit: 1024 });
      const client = await adapter.mount(webhooks.onAny(jest.fn()));
      const big = JSON.stringify({ ...fixtures['call.ended'], padding: 'x'.repeat(2048) });
      const whole = await client({ headers: JSON_TYPE, body: big });
      expect(whole.status).toBe(413);
      expect(whole.body.error.code).toBe('payload_too_large');
      const chunked = await client({ headers: JSON_TYPE, body: [big.slice(0, 1000), big.slice(1000)] });
      expect(chunked.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
      expect(errors.map((e) => e.error.code)).toEqual(['payload_too_large']);
    },
  },
};

/** The 405 rows on a mount that handles POST only: the framework's router answers other methods 404. */
function postOnly(framework: string): Readonly<Record<string, RowException>> {
  return Object.fromEntries(
    ['GET', 'PUT', 'DELETE', 'PATCH'].map((method) => [
      `answers 405 method_not_allowed with Allow: POST to ${method}`,
      answeredBeforeUs(`the mount takes POST only, so ${framework} answers ${method} 404 itself`, 404, { method }),
    ]),
  );
}

/** Serves an Express app (on its own, or NestJS's after init) on a loopback port. */
export const serveExpress = (app: express5.Express): Promise<Client> => serve(app);

// Nest logs each module, route and start: noise in a test run.
Logger.overrideLogger(false);

export async function serveNest(app: INestApplication): Promise<Client> {
  await app.init();
  return serveExpress(app.getHttpAdapter().getInstance() as express5.Express);
}

export async function serveFastify(app: FastifyInstance): Promise<Client> {
  await app.ready();
  return serve((req, res) => {
    app.routing(req, res);
  });
}

export const expressAdapters: readonly Adapter[] = (
  [
    ['Express 5', express5],
    ['Express 4', express4],
  ] as const
).flatMap(([major, express]): Adapter[] => [
  { name: `${major}, mounted first (examples/frameworks/express.ts)`, mount: (webhooks) => serveExpress(expressExample.mountFirst(webhooks, express)) },
  {
    name: `${major}, on app.post (examples/frameworks/express.ts)`,
    mount: (webhooks) => serveExpress(expressExample.mountOnRoute(webhooks, express)),
    exceptions: postOnly(major),
  },
  {
    name: `${major}, after express.json() (examples/frameworks/express.ts)`,
    mount: (webhooks) => serveExpress(expressExample.mountAfterParser(webhooks, express)),
    exceptions: { ...parserFirst, ...parsedValueLimit },
  },
]);

export const nestAdapters: readonly Adapter[] = [
  { name: 'NestJS, app.use in main.ts', mount: async (webhooks) => serveNest(await nestExample.createMountedInMain(webhooks)) },
  {
    name: 'NestJS, a @Post() controller calling the receiver',
    mount: async (webhooks) => serveNest(await nestExample.createWithController(webhooks)),
    exceptions: { ...parserFirst, ...parsedValueLimit, ...postOnly('NestJS') },
  },
  {
    name: 'NestJS, a @Post() controller with rawBody: true',
    mount: async (webhooks) => serveNest(await nestExample.createWithRawBody(webhooks)),
    exceptions: { ...parserFirst, ...postOnly('NestJS') },
  },
  {
    name: "NestJS, MiddlewareConsumer forRoutes('webhooks/converc')",
    mount: async (webhooks) => serveNest(await nestExample.createWithMiddleware(webhooks, 'string')),
    exceptions: { ...parserFirst, ...parsedValueLimit },
  },
  {
    name: 'NestJS, MiddlewareConsumer forRoutes({ path, method: POST })',
    mount: async (webhooks) => serveNest(await nestExample.createWithMiddleware(webhooks, 'path and method')),
    exceptions: { ...parserFirst, ...parsedValueLimit, ...postOnly('NestJS') },
  },
];

export const fastifyAdapters: readonly Adapter[] = [
  { name: 'Fastify, natively with an unread body', mount: async (webhooks) => serveFastify(await fastifyExample.mountNative(webhooks)) },
  { name: 'Fastify, natively in an onRequest hook', mount: (webhooks) => serveFastify(fastifyExample.mountInOnRequestHook(webhooks)) },
  { name: 'Fastify, through @fastify/middie', mount: async (webhooks) => serveFastify(await fastifyExample.mountWithMiddie(webhooks)) },
  { name: 'Fastify, through @fastify/express', mount: async (webhooks) => serveFastify(await fastifyExample.mountWithFastifyExpress(webhooks)) },
];

/** A Workers execution context, whose waitUntil keeps background work (here: nothing to keep alive). */
const executionContext: ExecutionContext = {
  props: {},
  waitUntil(promise: Promise<unknown>): void {
    void promise;
  },
  passThroughOnException(): void {
    // Workers would pass the request on to the origin on an exception; there is none here.
  },
};

export const honoAdapters: readonly Adapter[] = [
  {
    name: 'Hono on Node (@hono/node-server)',
    mount: (webhooks) => {
      // What @hono/node-server's serve() listens with.
      const listener = getRequestListener(honoExample.createNodeApp(webhooks).fetch);
      return serve((req, res) => {
        void listener(req, res);
      });
    },
  },
  {
    name: 'Hono on Workers, app.fetch called with Request objects and an execution context',
    mount: (webhooks: ConvercWebhooks) => {
      const app = honoExample.createWorkersApp(webhooks);
      return Promise.resolve(fetchClient(async (request) => app.fetch(request, {}, executionContext)));
    },
  },
];

/**
 * Rows of `ackTimeoutMs` and `ack: 'immediate'` on a Fetch handler given no `waitUntil`: a serverless
 * function may be frozen once it has answered, so the answer waits until the handlers have settled.
 */
const heldUntilSettled: Readonly<Record<string, RowException>> = {
  'answers 202 accepted when handlers still run at ackTimeoutMs, and they run on to completion': {
    why: "without a waitUntil (Vercel's) the answer waits for the handlers, lest the function be frozen mid-way",
    check: (adapter) => answersOnceSettled(adapter, { ackTimeoutMs: 50 }),
  },
  "answers 202 accepted right after validation with ack: 'immediate', then runs the handlers": {
    why: 'without a waitUntil the answer waits for the handlers, lest the function be frozen mid-way',
    check: (adapter) => answersOnceSettled(adapter, { ack: 'immediate' }),
  },
  "tells onError of a handler failing after an ack: 'immediate' answer, and processes a resend": {
    why: 'without a waitUntil the answer waits for the handlers, so their failure is the answer: 500',
    async check(adapter) {
      const { webhooks, errors } = recordingReceiver({ ack: 'immediate' });
      webhooks.on('call.ended', () => Promise.reject(new Error('CRM down')));
      const client = await adapter.mount(webhooks);
      const response = await client({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('handler_failed');
      await webhooks.drain();
      expect(errors.map((e) => e.error.code)).toEqual(['handler_failed']);
    },
  },
};

async function answersOnceSettled(adapter: Adapter, options: ConvercWebhooksOptions): Promise<void> {
  const { webhooks } = recordingReceiver(options);
  const gate = deferred();
  webhooks.on('call.ended', () => gate.promise);
  const client = await adapter.mount(webhooks);
  let answered = false;
  const response = client({ headers: JSON_TYPE, body: JSON.stringify(fixtures['call.ended']) }).finally(() => {
    answered = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(answered).toBe(false);
  gate.resolve();
  expect((await response).body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
}

/** The route module's exports, as Next.js routes by them: a method it does not export is Next's to answer. */
const routeExports: Readonly<Record<string, unknown>> = { POST };

const nextAnswersOtherMethods: Readonly<Record<string, RowException>> = Object.fromEntries(
  ['GET', 'PUT', 'DELETE', 'PATCH'].map((method) => [
    `answers 405 method_not_allowed with Allow: POST to ${method}`,
    {
      why: `the route exports POST only, and Next.js answers ${method} 405 itself from the exports`,
      check: () => {
        expect(Object.keys(routeExports)).toEqual(['POST']);
        expect(routeExports[method]).toBeUndefined();
        return Promise.resolve();
      },
    },
  ]),
);

export const nextAdapters: readonly Adapter[] = [
  {
    name: 'a Next.js App Router route handler, called as Next.js calls it',
    mount: (webhooks) => {
      // examples/frameworks/nextjs.ts's POST, for this test's receiver (its module holds its own).
      const handle = createFetchHandler(webhooks);
      const routePost = (request: Request): Promise<Response> => handle(request);
      // Next.js passes the route's params as the second argument.
      const nextCall = routePost as (request: Request, context: { params: Promise<object> }) => Promise<Response>;
      return Promise.resolve(fetchClient((request) => nextCall(request, { params: Promise.resolve({}) })));
    },
    exceptions: { ...heldUntilSettled, ...nextAnswersOtherMethods },
  },
];
