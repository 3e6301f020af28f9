import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ErrorHandler, EventHandler } from './core/handler-types';
import { resolveOptions, type ConvercWebhooksOptions } from './core/options';
import { warnOfFloodRisk } from './core/production-warning';
import { Receiver, type CloseResult, type ReplayStatus } from './core/receiver';
import { registerReceiver } from './core/receivers';
import type { EventOf } from './events/event-schemas';
import type { ConvercEventType } from './events/event-types';
import { handlesPath } from './express/route';
import { checkOptions, mustBe, optionsObject } from './options/check-options';
import { passOn, serveNode, type NextFunction } from './node/serve-node';

/**
 * A receiver of Converc webhooks. It is itself an Express `RequestHandler`: mount it with
 * `app.use(path, webhooks)` or `app.post(path, webhooks)`.
 */
export interface ConvercWebhooks {
  /** Handles one request, as Express middleware. */
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  /**
   * Adds a handler for one event type, or for each of several. The event is typed by its type.
   * An unknown type name does not compile (and throws a `TypeError` from JavaScript).
   * @returns this receiver, to chain calls
   */
  on<T extends ConvercEventType>(type: T | readonly T[], handler: EventHandler<EventOf<T>>): this;
  /**
   * Adds a handler for every valid event, of a type this version knows or not. It runs concurrently
   * with the handlers for the event's type.
   * @returns this receiver, to chain calls
   */
  onAny(handler: EventHandler): this;
  /**
   * Adds a handler told of every failure: each rejected delivery (with its raw body, to store and
   * replay: the provider never resends) and each handler failure.
   * @returns this receiver, to chain calls
   */
  onError(handler: ErrorHandler): this;
  /**
   * Resolves once every delivery being received, every handler still running, and the work after
   * them (dedupe bookkeeping, async `onError` handlers) has settled.
   */
  drain(): Promise<void>;
  /**
   * Shuts down gracefully: new deliveries are answered `503 shutting_down` with `Retry-After` (their
   * raw body still reaches `onError`), and running handlers are awaited up to `timeoutMs`.
   * @returns whether everything settled, and how many deliveries' handlers were still running
   * @example
   * ```ts
   * process.once('SIGTERM', async () => {
   *   server.close();
   *   const { pending } = await webhooks.close({ timeoutMs: 10_000 });
   *   if (pending > 0) console.error(`${pending} deliveries abandoned`);
   * });
   * ```
   */
  close(options?: CloseOptions): Promise<CloseResult>;
  /**
   * Runs the handlers for a stored event again (one kept by `onDeadLetter` or `onError`), as a new
   * delivery would: dedupe applies, so an event processed meanwhile is a `duplicate`. Resolves once
   * the handlers, retries included, have settled; rejects with `invalid_event` for an invalid event.
   * @example
   * ```ts
   * for (const row of await deadLetters.all()) await webhooks.replay(JSON.parse(row.body));
   * ```
   */
  replay(event: unknown): Promise<ReplayStatus>;
}

/** Options of {@link ConvercWebhooks.close}. */
export interface CloseOptions {
  /**
   * How long to wait for running handlers, in milliseconds.
   * @default 10_000
   */
  timeoutMs?: number;
}

const closeOptionsSchema = optionsObject({
  timeoutMs: z
    .number({ error: mustBe('a number of milliseconds') })
    .nonnegative({ error: mustBe('a number of milliseconds') })
    .default(10_000),
} satisfies Record<keyof CloseOptions, z.ZodType>);

/**
 * Creates a receiver of Converc webhooks: Express middleware that validates each delivery, drops
 * duplicates, runs the handlers for its type and answers well inside the provider's 8 s timeout.
 * The same receiver also serves `node:http` ({@link createNodeHandler}) and the Fetch API
 * ({@link createFetchHandler}).
 *
 * @example
 * ```ts
 * const webhooks = convercWebhooks()
 *   .on('call.ended', async (event) => crm.logCall(event.data.call))
 *   .onError((error) => deadLetters.save(error.code, error.rawBody));
 * app.use('/webhooks/converc', webhooks);
 * ```
 */
export function convercWebhooks(options: ConvercWebhooksOptions = {}): ConvercWebhooks {
  const resolved = resolveOptions(options);
  warnOfFloodRisk(resolved);
  const receiver = new Receiver(resolved);
  const { path } = resolved;

  // Named, so that stack traces and Express's router say what it is.
  const webhooks = function convercWebhooksMiddleware(
    req: IncomingMessage,
    res: ServerResponse,
    next?: NextFunction,
  ): void {
    if (handlesPath(req, path, webhooks)) serveNode(receiver, req, res, next);
    else passOn(receiver, req, res, next);
  } as ConvercWebhooks;

  webhooks.on = function on(type, handler) {
    receiver.registry.add(type, handler);
    return this;
  };
  webhooks.onAny = function onAny(handler) {
    receiver.registry.addAny(handler);
    return this;
  };
  webhooks.onError = function onError(handler) {
    receiver.errors.add(handler);
    return this;
  };
  webhooks.drain = () => receiver.drain();
  webhooks.replay = (event) => receiver.replay(event);
  webhooks.close = async (closeOptions = {}) => {
    const { timeoutMs } = checkOptions(closeOptionsSchema, closeOptions, 'close(options)');
    return receiver.close(timeoutMs);
  };

  registerReceiver(webhooks, receiver);
  if (options.handlers !== undefined) registerHandlerMap(receiver, options.handlers);
  if (options.onError !== undefined) webhooks.onError(options.onError);
  return webhooks;
}

/** Adds the `handlers` option's handlers; the registry refuses an unknown type or a non-function. */
function registerHandlerMap(receiver: Receiver, handlers: NonNullable<ConvercWebhooksOptions['handlers']>): void {
  for (const [type, value] of Object.entries(handlers)) {
    const list: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const handler of list) receiver.registry.add(type as ConvercEventType, handler);
  }
}
