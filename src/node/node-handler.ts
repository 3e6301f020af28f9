import type { IncomingMessage, ServerResponse } from 'node:http';
import { pathSchema } from '../core/options';
import { checkOptions, optionsObject } from '../options/check-options';
import { receiverOf } from '../core/receivers';
import type { ConvercWebhooks } from '../webhooks';
import { isPath, pathnameOf } from './request-path';
import { passOn, serveNode, type NextFunction } from './serve-node';

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * The only path handled; a request for another goes to `next` when given, else gets a 404.
   * @default the receiver's `path` option; without one, every path
   */
  path?: string;
}

const nodeHandlerOptionsSchema = optionsObject({ path: pathSchema.optional() } satisfies Record<keyof NodeHandlerOptions, unknown>);

/** A `node:http` request listener that also works as Connect-style middleware. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

/**
 * The receiver as a `node:http` request listener, for bare Node servers and Connect-style stacks
 * (Fastify's middie, Koa through a bridge). Same handlers, dedupe store and HTTP contract as the
 * Express middleware.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * const webhooks = convercWebhooks().on('call.ended', saveCall);
 * createServer(createNodeHandler(webhooks, { path: '/webhooks/converc' })).listen(3000);
 * ```
 */
export function createNodeHandler(webhooks: ConvercWebhooks, options: NodeHandlerOptions = {}): NodeHandler {
  const receiver = receiverOf(webhooks);
  const path = checkOptions(nodeHandlerOptionsSchema, options, 'createNodeHandler(webhooks, options)').path ?? receiver.path;
  return function convercNodeHandler(req, res, next) {
    if (path !== undefined && !isPath(pathnameOf(req.url), path)) passOn(receiver, req, res, next);
    else serveNode(receiver, req, res, next);
  };
}
