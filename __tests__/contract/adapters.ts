import { createServer, request as httpRequest, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import express5 from 'express';
import express4 from 'express4';
import { createFetchHandler, createNodeHandler, type ConvercWebhooks, type FetchHandler } from 'converc-webhooks';

export const WEBHOOK_PATH = '/webhooks/converc';

/** A request as a test describes it. `body` as an array is sent chunk by chunk, with no Content-Length. */
export interface TestRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | readonly string[];
}

/** An answer as a test reads it. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests reach into it freely
}

/** Sends one request to a mounted receiver. */
export type Client = (request: TestRequest) => Promise<TestResponse>;

/** One way of serving a receiver; the contract suite runs once per adapter. */
export interface Adapter {
  readonly name: string;
  /** Serves `webhooks` at {@link WEBHOOK_PATH} and returns a client for it. */
  mount(webhooks: ConvercWebhooks): Promise<Client>;
  /** Rows of the contract, by title, that the framework answers instead of the receiver on this mount. */
  readonly exceptions?: Readonly<Record<string, RowException>>;
}

/** Why a mount cannot keep a contract row, and the test of what the framework answers instead. */
export interface RowException {
  /** Said in the test's name: why the framework answers, not the receiver. */
  readonly why: string;
  /** Asserts the framework's answer on this adapter. */
  check(adapter: Adapter): Promise<void>;
}

const servers = new Set<Server>();

/** Closes every server the adapters started; each suite calls it after each test. */
export async function closeServers(): Promise<void> {
  const closing = [...servers].map(
    (server) =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  );
  servers.clear();
  await Promise.all(closing);
}

/** Serves `listener` on a free loopback port and returns a client that speaks real HTTP to it. */
export async function serve(listener: RequestListener): Promise<Client> {
  const server = createServer(listener);
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return (request) => sendHttp(port, request);
}

function sendHttp(port: number, request: TestRequest): Promise<TestResponse> {
  const { body } = request;
  const headers: Record<string, string | number> = { ...request.headers };
  if (body !== undefined && !Array.isArray(body) && !hasHeader(headers, 'content-length')) {
    headers['content-length'] = Buffer.byteLength(body as string);
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: request.path ?? WEBHOOK_PATH, method: request.method ?? 'POST', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve(toTestResponse(res.statusCode ?? 0, flatHeaders(res), Buffer.concat(chunks).toString('utf8')));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (Array.isArray(body)) for (const chunk of body as readonly string[]) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A client that calls a Fetch handler directly with real `Request` objects: no server in between. */
export function fetchClient(handler: (request: Request) => Promise<Response>): Client {
  return async (request) => {
    const { body } = request;
    const method = request.method ?? 'POST';
    const init: RequestInit & { duplex?: 'half' } = { method, headers: request.headers ?? {} };
    if (body !== undefined) {
      // Bytes, never a string: a string body would get a text/plain Content-Type it was not sent with.
      init.body = Array.isArray(body) ? streamOf(body as readonly string[]) : new TextEncoder().encode(body as string);
      if (Array.isArray(body)) init.duplex = 'half';
    }
    const response = await handler(new Request(`http://127.0.0.1${request.path ?? WEBHOOK_PATH}`, init));
    return toTestResponse(response.status, Object.fromEntries(response.headers), await response.text());
  };
}

/** A stream that yields `chunks` one by one, as a body sent in pieces. */
function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(chunk));
    },
  });
}

/** A Node server that converts each request to a Fetch `Request` and each `Response` back. */
export function fetchBridge(handler: FetchHandler): RequestListener {
  return (req, res) => {
    const method = req.method ?? 'GET';
    const init: RequestInit & { duplex?: 'half' } = { method, headers: toFetchHeaders(req) };
    if (method !== 'GET' && method !== 'HEAD') {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    handler(new Request(`http://127.0.0.1${req.url ?? '/'}`, init))
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
  };
}

function toFetchHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}

function toTestResponse(status: number, headers: Record<string, string>, text: string): TestResponse {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status, headers, text, body };
}

function flatHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** Background work handed to a Fetch handler's waitUntil, so tests can wait for it. */
const waitUntil = (promise: Promise<unknown>): void => {
  void promise;
};

/**
 * Every adapter, each serving the same receiver the same way. The Fetch handler gets a `waitUntil`,
 * so that it answers by `ackTimeoutMs` exactly as the others do; its default (waiting for the
 * handlers) has tests of its own.
 */
export const adapters: readonly Adapter[] = [
  { name: 'Express 5', mount: (webhooks) => serve(express5().use(WEBHOOK_PATH, webhooks)) },
  { name: 'Express 4', mount: (webhooks) => serve(express4().use(WEBHOOK_PATH, webhooks)) },
  { name: 'node:http', mount: (webhooks) => serve(createNodeHandler(webhooks, { path: WEBHOOK_PATH })) },
  {
    name: 'the Fetch handler, called with Request objects',
    mount: (webhooks) => Promise.resolve(fetchClient(createFetchHandler(webhooks, { waitUntil }))),
  },
  {
    name: 'the Fetch handler, behind a server converting to and from the Fetch API',
    mount: (webhooks) => serve(fetchBridge(createFetchHandler(webhooks, { waitUntil }))),
  },
];
