import type { IncomingMessage } from 'node:http';
import { isPath, pathnameOf } from '../node/request-path';

/**
 * Whether this request is for the receiver `self`, by Express's routing. With a `path` option, the path
 * below the mount point must be it. Without one:
 * - the mount point itself is always the receiver's;
 * - a route that a router has matched is the receiver's, whatever the URL: its own
 *   (`app.post(path, webhooks)`), or one whose handler calls it (`(req, res, next) => webhooks(req, res,
 *   next)`, as NestJS's middleware consumer and controllers do);
 * - a receiver mounted with `app.use(path, webhooks)` passes other sub-paths on, even where an earlier
 *   route that called `next()` left `req.route` set (Express never clears it).
 */
export function handlesPath(req: IncomingMessage, path: string | undefined, self: unknown): boolean {
  const pathname = pathnameOf(req.url);
  if (path !== undefined) return isPath(pathname, path);
  if (isPath(pathname, '/')) return true;
  const { route } = req as { route?: { stack?: unknown } };
  if (route === undefined) return false;
  if (Array.isArray(route.stack) && route.stack.some((layer) => (layer as Layer).handle === self)) return true;
  return !isMountedWithUse(req, self);
}

/** What this module reads of an Express router layer. */
interface Layer {
  readonly handle?: unknown;
  readonly route?: unknown;
}

/** Whether `self` is mounted with `use` somewhere in the app's router tree (Express 4's `app._router`, 5's `app.router`). */
function isMountedWithUse(req: IncomingMessage, self: unknown): boolean {
  const app = (req as { app?: { _router?: { stack?: unknown }; router?: { stack?: unknown } } }).app;
  // `_router` first: on Express 4, reading `app.router` throws.
  return holdsUseLayer((app?._router ?? app?.router)?.stack, self, 0);
}

function holdsUseLayer(stack: unknown, self: unknown, depth: number): boolean {
  if (!Array.isArray(stack) || depth > 16) return false;
  return stack.some((entry) => {
    const layer = entry as Layer;
    if (layer.route !== undefined) return false;
    return layer.handle === self || holdsUseLayer((layer.handle as { stack?: unknown } | undefined)?.stack, self, depth + 1);
  });
}
