import { toReply, type Reply } from '../core/reply';
import { receiverOf } from '../core/receivers';
import type { ConvercWebhooks } from '../webhooks';
import { checkOptions, fn, optionsObject } from '../options/check-options';
import { rawRequest, readFetchBody, readFetchRawBody, type FetchRequest } from './read-body';

/** What a platform may pass beside the request: Cloudflare's `ExecutionContext`, Hono's `c.executionCtx`. */
export interface FetchContext {
  /** Keeps the function alive until `promise` settles, after the response has gone. */
  waitUntil?(promise: Promise<unknown>): void;
  /**
   * The client address, for `auth.allowIps`: the Fetch API does not carry it, so pass what the
   * platform gives (Deno's `info.remoteAddr.hostname`, Bun's `server.requestIP(request)?.address`).
   */
  remoteAddress?: string;
}

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * A platform's `waitUntil` that works without a per-request context, such as `waitUntil` from
   * `@vercel/functions`. With one (here or in the handler's second argument), `ackTimeoutMs` and
   * `ack` apply as they do on Express, and work left after the answer is handed to it.
   * @default none: the answer waits until every handler has settled
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

const optionsSchema = optionsObject({
  waitUntil: fn<(promise: Promise<unknown>) => void>('must be a function').optional(),
} satisfies Record<keyof FetchHandlerOptions, unknown>);

/**
 * A Fetch API handler: a `Request` in, a `Response` out. It also takes a framework's wrapper that keeps
 * a body already read (Hono's `c.req`), so a middleware that read the body first costs no event. The
 * second argument is a {@link FetchContext}, or any other object a platform passes (Next.js's route
 * `{ params }`), which is then ignored: so `export const POST = createFetchHandler(webhooks)`
 * type-checks in a Next.js route.
 */
export type FetchHandler = (request: FetchRequest, context?: FetchContext | object) => Promise<Response>;

/**
 * The receiver as a Fetch API handler, for Next.js route handlers, Hono, Bun, Deno and edge runtimes.
 * Same handlers, dedupe store and HTTP contract as the Express middleware, and nothing from Node.
 *
 * Serverless platforms may freeze whatever runs after the response, so by default the answer waits
 * for the handlers (a `202` at `ackTimeoutMs` would let them be frozen mid-way). Where the platform
 * offers `waitUntil`, pass it, and the answer leaves by `ackTimeoutMs` as on Express.
 *
 * @example
 * ```ts
 * // app/api/webhooks/converc/route.ts (Next.js)
 * const webhooks = convercWebhooks().on('call.ended', saveCall);
 * export const POST = createFetchHandler(webhooks);
 * ```
 */
export function createFetchHandler(webhooks: ConvercWebhooks, options: FetchHandlerOptions = {}): FetchHandler {
  const receiver = receiverOf(webhooks);
  const { waitUntil } = checkOptions(optionsSchema, options, 'createFetchHandler(webhooks, options)');
  return async function convercFetchHandler(wrapped, given) {
    const request = rawRequest(wrapped);
    const context = given as FetchContext | undefined;
    const platformWaitUntil = typeof context?.waitUntil === 'function' ? context.waitUntil.bind(context) : waitUntil;
    const outcome = await receiver.receive({
      method: request.method,
      headers: Object.fromEntries(request.headers),
      readBody: (limit, timeoutMs) => readFetchBody(wrapped, limit, timeoutMs),
      readRawBody: (limit, timeoutMs) => readFetchRawBody(wrapped, limit, timeoutMs),
      holdUntilSettled: platformWaitUntil === undefined,
      url: pathAndQuery(request.url),
      remoteAddress: () => context?.remoteAddress,
      request,
      ...(platformWaitUntil === undefined ? {} : { waitUntil: platformWaitUntil }),
    });
    return toResponse(toReply(outcome));
  };
}

function pathAndQuery(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

function toResponse(reply: Reply): Response {
  const headers = new Headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  for (const [name, value] of Object.entries(reply.headers)) {
    // Connection handling belongs to the platform's server, not to a Response.
    if (name !== 'connection') headers.set(name, value);
  }
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}
