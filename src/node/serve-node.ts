import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery, Receiver } from '../core/receiver';
import type { DeliveryOutcome } from '../core/outcome';
import { toReply } from '../core/reply';
import { WebhookError } from '../errors/webhook-error';
import { warnIfParsedFirst } from './parsed-first-warning';
import { readNodeBody, readNodeRawBody } from './read-body';
import { writeReply } from './write-reply';

/** Express's `next`, or any Connect-style continuation. */
export type NextFunction = (error?: unknown) => void;

/** Hands a Node request to the core and writes its answer; shared by the Express and node:http adapters. */
export function serveNode(receiver: Receiver, req: IncomingMessage, res: ServerResponse, next?: NextFunction): void {
  warnIfParsedFirst(receiver, req);
  answer(receiver.receive(nodeDelivery(req)), res, next);
}

/**
 * A request for a path this receiver does not handle: the next middleware's. With no `next`, it is
 * answered `404 not_found`, and `onError` hears of it with the body: a mount that routes a real
 * delivery here would otherwise lose it without a word.
 */
export function passOn(receiver: Receiver, req: IncomingMessage, res: ServerResponse, next?: NextFunction): void {
  if (next !== undefined) {
    next();
    return;
  }
  const error = new WebhookError('not_found', 'The receiver does not handle this path, and there was no next handler to pass it to');
  answer(receiver.refuse(nodeDelivery(req), error), res, next);
}

/** A Node request as the core sees it. */
export function nodeDelivery(req: IncomingMessage): Delivery {
  return {
    method: req.method ?? 'GET',
    headers: req.headers,
    readBody: (limit, timeoutMs) => readNodeBody(req, limit, timeoutMs),
    readRawBody: (limit, timeoutMs) => readNodeRawBody(req, limit, timeoutMs),
    url: req.url,
    // Express's req.ip honours its `trust proxy` setting; X-Forwarded-For is never read here.
    remoteAddress: () => (req as { ip?: string }).ip ?? req.socket.remoteAddress,
    request: req,
  };
}

function answer(outcome: Promise<DeliveryOutcome>, res: ServerResponse, next: NextFunction | undefined): void {
  outcome.then(
    (ended) => {
      writeReply(res, toReply(ended));
    },
    // receive() never rejects by design; should that ever break, the framework's error handler answers.
    (error: unknown) => {
      if (next === undefined) res.destroy();
      else next(error);
    },
  );
}
