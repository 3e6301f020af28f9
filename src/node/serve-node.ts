import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Receiver } from '../core/receiver';
import { toReply } from '../core/reply';
import { warnIfParsedFirst } from './parsed-first-warning';
import { readNodeBody, readNodeRawBody } from './read-body';
import { writeReply } from './write-reply';

/** Express's `next`, or any Connect-style continuation. */
export type NextFunction = (error?: unknown) => void;

/** Hands a Node request to the core and writes its answer; shared by the Express and node:http adapters. */
export function serveNode(receiver: Receiver, req: IncomingMessage, res: ServerResponse, next?: NextFunction): void {
  warnIfParsedFirst(receiver, req);
  receiver
    .receive({
      method: req.method ?? 'GET',
      headers: req.headers,
      readBody: (limit, timeoutMs) => readNodeBody(req, limit, timeoutMs),
      readRawBody: (limit, timeoutMs) => readNodeRawBody(req, limit, timeoutMs),
      url: req.url,
      // Express's req.ip honours its `trust proxy` setting; X-Forwarded-For is never read here.
      remoteAddress: () => (req as { ip?: string }).ip ?? req.socket.remoteAddress,
      request: req,
    })
    .then(
      (outcome) => {
        writeReply(res, toReply(outcome));
      },
      // receive() never rejects by design; should that ever break, the framework's error handler answers.
      (error: unknown) => {
        if (next === undefined) res.destroy();
        else next(error);
      },
    );
}

/** A request for a path this receiver does not handle: the next middleware's, or a 404. */
export function passOn(res: ServerResponse, next?: NextFunction): void {
  if (next !== undefined) {
    next();
    return;
  }
  res.statusCode = 404;
  res.setHeader('content-length', 0);
  res.end();
}
