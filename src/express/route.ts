import type { IncomingMessage } from 'node:http';
import { isPath, pathnameOf } from '../node/request-path';

/**
 * Whether this request is for the receiver `self`, by Express's routing. With a `path` option, the path below the mount point must
 * be it. Without one, a route of its own (`app.post(path, webhooks)`) handles what it matched, and a
 * mount (`app.use(path, webhooks)`) handles its own path only, so `/webhooks/converc/other` passes on.
 */
export function handlesPath(req: IncomingMessage, path: string | undefined, self: unknown): boolean {
  const pathname = pathnameOf(req.url);
  if (path !== undefined) return isPath(pathname, path);
  return isOwnRoute(req, self) || isPath(pathname, '/');
}

/**
 * Whether Express reached this receiver through a route it belongs to. `req.route` alone is not
 * enough: Express leaves it set when an earlier route called `next()`.
 */
function isOwnRoute(req: IncomingMessage, self: unknown): boolean {
  const { route } = req as { route?: { stack?: unknown } };
  return Array.isArray(route?.stack) && route.stack.some((layer) => (layer as { handle?: unknown }).handle === self);
}
