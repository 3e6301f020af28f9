import type { IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { pathnameOf } from '../../node/request-path';
import type { DeliveryLog, ListenAnswer, ListenEntry } from './delivery-log';
import { inspectorPage } from './inspector-page';

/** Where `listen --ui` serves the inspector, on its own port. */
export const INSPECTOR_PATH = '/_inspector';

/** What the inspector needs from `listen`. */
export interface InspectorContext {
  readonly log: DeliveryLog;
  /** Sends a kept delivery to the `--forward-to` app again, and resolves with its answer. */
  readonly resend: (entry: ListenEntry) => Promise<ListenAnswer>;
  /** `http://127.0.0.1:4000`, the address `listen` answers on. */
  readonly listenUrl: string;
  /** The app deliveries are relayed to, if any. */
  readonly forwardTo: string | undefined;
}

// The inspector shows whole bodies (names, emails, phones) and can resend them: it answers this
// machine only, whatever address `listen` is bound to for a tunnel.
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether a request is for the inspector rather than a delivery. */
export function isInspectorRequest(url: string | undefined): boolean {
  const path = pathnameOf(url);
  return path === INSPECTOR_PATH || path.startsWith(`${INSPECTOR_PATH}/`);
}

/**
 * Serves the inspector: the page (`GET /_inspector`), the live stream of deliveries as Server-Sent
 * Events (`GET /_inspector/events`), and a resend (`POST /_inspector/deliveries/<n>/resend`). Only to
 * a loopback client, for a loopback host name (so a web page on another site that resolves its name
 * to 127.0.0.1 — DNS rebinding — gets nothing), and a resend only from the inspector's own origin.
 */
export function serveInspector(req: IncomingMessage, res: ServerResponse, context: InspectorContext): void {
  if (!isLoopbackClient(req)) {
    answer(res, 403, { error: { code: 'forbidden', message: 'the inspector answers this machine only' } });
    return;
  }
  const path = pathnameOf(req.url);
  if (req.method === 'GET' && (path === INSPECTOR_PATH || path === `${INSPECTOR_PATH}/`)) {
    const html = inspectorPage({ listenUrl: context.listenUrl, forwardTo: context.forwardTo ?? null });
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(html),
        'cache-control': 'no-store',
        // Everything the page needs is inline; nothing else may load or run.
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:",
        'x-content-type-options': 'nosniff',
      })
      .end(html);
    return;
  }
  if (req.method === 'GET' && path === `${INSPECTOR_PATH}/events`) {
    stream(req, res, context.log);
    return;
  }
  const resend = /^\/_inspector\/deliveries\/(\d+)\/resend$/.exec(path);
  if (resend !== null && req.method === 'POST') {
    req.resume();
    if (!sameOrigin(req)) {
      answer(res, 403, { error: { code: 'forbidden', message: 'a resend comes from the inspector page only' } });
      return;
    }
    const entry = context.log.get(Number(resend[1]));
    if (entry === undefined) {
      answer(res, 404, { error: { code: 'not_found', message: 'no such delivery (only the newest are kept)' } });
      return;
    }
    if (context.forwardTo === undefined) {
      answer(res, 409, { error: { code: 'no_forward_target', message: 'start listen with --forward-to to resend' } });
      return;
    }
    context.resend(entry).then(
      () => {
        answer(res, 200, entry);
      },
      (error: unknown) => {
        answer(res, 500, { error: { code: 'resend_failed', message: (error as Error).message } });
      },
    );
    return;
  }
  req.resume();
  answer(res, 404, { error: { code: 'not_found', message: `no such inspector path: ${path}` } });
}

/** The live stream: every kept delivery first (so a reload or a reconnect loses nothing), then each new or changed one. */
function stream(req: IncomingMessage, res: ServerResponse, log: DeliveryLog): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  const send = (entry: ListenEntry) => {
    res.write(`data: ${JSON.stringify(entry)}\n\n`);
  };
  res.write('retry: 1000\n\n');
  for (const entry of log.all()) send(entry);
  const unsubscribe = log.subscribe(send);
  req.on('close', unsubscribe);
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-store' })
    .end(json);
}

function isLoopbackClient(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  const family = isIP(address);
  if (family === 0 || !loopback.check(address, family === 4 ? 'ipv4' : 'ipv6')) return false;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || (isIP(host) !== 0 && loopback.check(host, isIP(host) === 4 ? 'ipv4' : 'ipv6'));
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin') return false;
  return origin === undefined || origin === `http://${req.headers.host ?? ''}`;
}
