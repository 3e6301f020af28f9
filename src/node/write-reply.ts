import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Reply } from '../core/reply';
import { discardBody } from './discard-body';

/**
 * Writes a reply as JSON with Node's own API, headers and all in one `writeHead`. Express's `res.json`
 * would also hash the body for an ETag, which no webhook sender reads; skipping it is part of why this
 * answers faster than a route behind `express.json()`.
 */
export function writeReply(res: ServerResponse, reply: Reply): void {
  // A body too large to read is read to its end (and thrown away) before the answer closes the
  // connection: closing on a client still sending makes it see EPIPE instead of the 413. Only then is
  // there a wait: every other answer is written at once.
  if (reply.status === 413) void discardBody(res.req).then(() => { write(res, reply); });
  else write(res, reply);
}

function write(res: ServerResponse, reply: Reply): void {
  // Something else may have answered (a timeout middleware, say); never write twice.
  if (res.headersSent || res.writableEnded) return;
  const json = JSON.stringify(reply.body);
  const headers: OutgoingHttpHeaders = {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
  };
  res.writeHead(reply.status, headers).end(json);
}
