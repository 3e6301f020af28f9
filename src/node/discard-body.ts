import type { IncomingMessage } from 'node:http';

/** At most this much of a refused body is read and thrown away before the connection closes. */
export const DISCARD_MAX_BYTES = 64 * 1024 * 1024;

/** At most this long is spent reading and throwing away a refused body before the connection closes. */
export const DISCARD_MAX_MS = 2_000;

/**
 * Reads what is left of a request's body and throws it away, until it ends or `maxBytes` or `maxMs` is
 * reached; resolves then, never rejects. For a refusal answered before the body was read (`413`): a
 * server that answers and closes while the client is still sending makes the kernel reset the
 * connection, and clients (undici, axios, got) then report EPIPE rather than the answer.
 */
export function discardBody(req: IncomingMessage, maxBytes = DISCARD_MAX_BYTES, maxMs = DISCARD_MAX_MS): Promise<void> {
  if (req.complete || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (): void => {
      clearTimeout(timer);
      req.off('data', count).off('end', done).off('close', done).off('error', done);
      resolve();
    };
    const count = (chunk: Buffer | string): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    req.on('data', count).on('end', done).on('close', done).on('error', done);
    req.resume();
  });
}
