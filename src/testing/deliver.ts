import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * An app that handles requests in this process: an Express app, a `node:http` request listener, the
 * receiver itself or `createNodeHandler(…)`.
 */
export type DeliveryListener = (req: IncomingMessage, res: ServerResponse) => unknown;

/** Where {@link deliver} sends an event: an app in this process, or the URL of a running server. */
export type DeliveryTarget = DeliveryListener | string | URL;

/** Options of {@link deliver}. */
export interface DeliverOptions {
  /**
   * The path requested from an app in this process. Not allowed with a URL, which has its own.
   * @default '/'
   */
  path?: string;
  /**
   * Extra request headers, or replacements of the default ones (names in any case). `null` removes a
   * default: `{ 'X-IC-Id': null }` sends no `X-IC-Id`, so the receiver dedupes on the body's `id`.
   * @default none
   */
  headers?: Readonly<Record<string, string | null>>;
  /**
   * The exact body to send instead of `JSON.stringify(event)`: a body that is not JSON, say, or bytes
   * saved from an `onError` handler. `X-IC-Id` is still taken from `event.id`.
   * @default JSON.stringify(event)
   */
  body?: string;
  /**
   * A shared secret, sent as `Authorization: Bearer <token>`, for a receiver that checks one.
   * @default none: no `Authorization` header
   */
  token?: string;
  /**
   * The request method. The provider always POSTs; another method tests the `405` answer.
   * @default 'POST'
   */
  method?: string;
  /**
   * Give up when no whole answer has arrived after this many milliseconds, as the provider does.
   * The promise then rejects with an error whose `code` is `ETIMEDOUT`.
   * @default 8000
   */
  timeoutMs?: number;
  /**
   * Aborts the request; the promise then rejects with an `AbortError`.
   * @default none
   */
  signal?: AbortSignal;
}

/** What the receiver answered. */
export interface DeliveryResult {
  /** The HTTP status. */
  status: number;
  /** The response body: parsed when the answer is JSON, else its text (`''` when empty). */
  body: unknown;
  /** The response body as text. */
  text: string;
  /** The response headers, with lower-case names. */
  headers: IncomingHttpHeaders;
}

/** How long the provider waits for an answer before it records a failed delivery. */
const PROVIDER_TIMEOUT_MS = 8000;

/**
 * Sends `event` the way Converc does: a `POST` with a JSON body and the event's id in `X-IC-Id`. The
 * target is either an app in this process (an Express app or a `node:http` listener: it is served on
 * a free loopback port for this one request, and the port is closed before the promise settles) or
 * the URL of a running server. Resolves with the answer whatever its status; rejects only when no
 * answer came (the connection failed, the timeout passed, or the request was aborted), with the
 * underlying error and its `code` (`ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, …).
 *
 * @example
 * ```ts
 * import { createTestEvent, deliver } from 'converc-webhooks/testing';
 *
 * const app = express().use('/webhooks/converc', webhooks);
 * const result = await deliver(app, createTestEvent('call.ended'), { path: '/webhooks/converc' });
 * expect(result.body).toMatchObject({ received: true, status: 'processed' });
 *
 * await deliver('https://staging.example.com/webhooks/converc', createTestEvent('webhook.test'));
 * ```
 */
export async function deliver(
  target: DeliveryTarget,
  event: unknown,
  options: DeliverOptions = {},
): Promise<DeliveryResult> {
  const timeoutMs = options.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`deliver: timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`);
  }
  // JSON.stringify's type says string, but undefined and functions give undefined.
  const json: string | undefined = JSON.stringify(event);
  const body = options.body ?? json;
  if (typeof body !== 'string') {
    throw new TypeError('deliver: the event cannot be sent as JSON (it is undefined or a function); pass options.body');
  }
  const request: OutgoingRequest = {
    method: options.method ?? 'POST',
    headers: requestHeaders(event, body, options),
    body,
    timeoutMs,
    signal: options.signal,
  };
  if (typeof target === 'function') return deliverInProcess(target, options.path ?? '/', request);
  if (options.path !== undefined) {
    throw new TypeError('deliver: path is for an app in this process; put the path in the URL');
  }
  return send(targetUrl(target), request);
}

interface OutgoingRequest {
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

function requestHeaders(event: unknown, body: string, options: DeliverOptions): OutgoingHttpHeaders {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'converc-webhooks-testing',
  };
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  if (typeof id === 'string' && id !== '') headers['x-ic-id'] = id;
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value === null) Reflect.deleteProperty(headers, name.toLowerCase());
    else headers[name.toLowerCase()] = value;
  }
  headers['content-length'] ??= String(Buffer.byteLength(body));
  return headers;
}

function targetUrl(target: string | URL): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new TypeError(`deliver: not a URL: ${JSON.stringify(String(target))}`, { cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`deliver: the URL must be http or https, got ${JSON.stringify(url.href)}`);
  }
  return url;
}

async function deliverInProcess(listener: DeliveryListener, path: string, request: OutgoingRequest) {
  if (!path.startsWith('/')) throw new TypeError(`deliver: path must start with '/', got ${JSON.stringify(path)}`);
  let listenerError: unknown;
  const server = createServer((req, res) => {
    // A listener that throws or rejects would otherwise crash the test run far from its cause; the
    // promise of deliver() rejects with its error instead.
    const fail = (error: unknown) => {
      listenerError ??= error;
      res.destroy();
    };
    try {
      const result = listener(req, res);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  });
  const port = await listenOnLoopback(server);
  try {
    return await send(new URL(path, `http://127.0.0.1:${port}`), request);
  } catch (error) {
    throw listenerError ?? error;
  } finally {
    // Nothing may outlive the call: no port, no kept-alive socket, so Jest exits cleanly.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  }
}

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function send(url: URL, request: OutgoingRequest): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    const requestFn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // No agent: one connection per delivery, closed after it, as a fresh sender would do.
    const req = requestFn(url, { method: request.method, headers: request.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: parseBody(text, res.headers), text, headers: res.headers });
      });
    });
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(`no answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, request.timeoutMs);
    const onAbort = () => req.destroy(abortError(request.signal));
    function fail(error: Error) {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      reject(error);
    }
    if (request.signal?.aborted === true) onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => request.signal?.removeEventListener('abort', onAbort));
    req.on('error', fail);
    req.end(request.body);
  });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The delivery was aborted', 'AbortError');
}

function parseBody(text: string, headers: IncomingHttpHeaders): unknown {
  if (text === '' || !/\bjson\b/i.test(headers['content-type'] ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
