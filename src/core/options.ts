import { z } from 'zod';
import { authOptionsSchema, type AuthOptions, type ResolvedAuth } from '../auth/auth-options';
import type { DedupeStore } from '../dedupe/dedupe-store';
import { MemoryDedupeStore, memoryDedupeOptionsSchema, type MemoryDedupeOptions } from '../dedupe/memory';
import type { WebhookError } from '../errors/webhook-error';
import { checkOptions, fn, mustBe, objectWith, optionsObject, positiveMs } from '../options/check-options';
import { byteSizeSchema } from './byte-size';
import type { AnyEvent, ErrorHandler, HandlerMap } from './handler-types';
import type { Handoff } from './handoff';
import { LOG_LEVELS, type Logger } from '../observability/logger';
import { retryOptionsSchema, type ResolvedRetry, type RetryOptions } from './retry';

/** When a delivery is answered. */
export type AckMode = 'after-handlers' | 'immediate';

/** Options of {@link convercWebhooks}; every one is optional. */
export interface ConvercWebhooksOptions {
  /**
   * Handlers by event type, the same as calling `on(type, handler)` for each.
   * @default none
   */
  handlers?: HandlerMap;
  /**
   * Where delivery ids are remembered: `{ max, ttlMs }` for the built-in in-memory LRU, any object
   * implementing {@link DedupeStore}, or `false` to process every delivery, duplicates included.
   * @default { max: 10_000, ttlMs: 86_400_000 }
   */
  dedupe?: MemoryDedupeOptions | DedupeStore | false;
  /**
   * Answer no later than this many milliseconds after the request arrived, whatever the handlers do:
   * the provider gives up after 8 s, and a handler still running is answered `202 accepted`.
   * Above 7000 throws, to leave room for the network.
   * @default 5000
   */
  ackTimeoutMs?: number;
  /**
   * `'after-handlers'` answers once the handlers settle (or at `ackTimeoutMs`), so the status says how
   * they did; `'immediate'` answers `202 accepted` right after validation and dedupe and runs the
   * handlers after.
   * @default 'after-handlers'
   */
  ack?: AckMode;
  /**
   * The largest body accepted, in bytes or as a string such as `'5mb'`; a larger one is answered 413.
   * @default '5mb'
   */
  limit?: number | string;
  /**
   * The bytes that bodies being read and parsed at once may take, in bytes or as a string such as
   * `'32mb'`. A body over 64 KB takes its declared size (or `limit`, when it declares none) before it
   * is read; one that does not fit waits, unread, so that TCP makes its sender wait too: nothing is
   * refused. Smaller bodies (most events) never wait. Memory in use is a small multiple of this (the
   * bytes, their text and the parsed event). At least `limit`.
   * @default '32mb', or `limit` if that is larger
   */
  maxBytesInFlight?: number | string;
  /**
   * The path handled when mounted with a bare `app.use(webhooks)`, relative to where it is mounted;
   * other paths pass on to `next()`.
   * @default the mount point
   */
  path?: string;
  /**
   * Told of every failure, the same as `.onError(fn)`.
   * @default none
   */
  onError?: ErrorHandler;
  /**
   * What to do when the dedupe store fails or is too slow to claim an event: `'process'` runs the
   * handlers anyway (a possible duplicate is better than a certain loss when the sender never
   * retries); `'reject'` answers `503 store_unavailable`. Either way `onError` hears of it.
   * @default 'process'
   */
  onStoreError?: StoreErrorPolicy;
  /**
   * How long the whole body may take to arrive, in milliseconds; a slower one is answered
   * `408 request_timeout` and everything it held is freed, so a client trickling bytes cannot tie
   * up the receiver until the provider's timeout.
   * @default 3000, or `ackTimeoutMs` if that is less
   */
  bodyTimeoutMs?: number;
  /**
   * How long the answer may wait on the dedupe store before `onStoreError` applies, in milliseconds:
   * a store that has lost its server may hold a command until it reconnects. It bounds every other
   * call on the request path too: the `handoff` queue, and `auth.verify` (a 401 past it). Must be
   * below `ackTimeoutMs`, so the handlers keep time to run.
   * @default 1000, or half of `ackTimeoutMs` if that is less
   */
  storeTimeoutMs?: number;
  /**
   * Checks that deliveries come from the provider (which signs nothing): shared secret tokens, an
   * address allowlist, a check of your own. A delivery that fails is refused before its body is read.
   * @default none: anyone who knows the URL can deliver
   */
  auth?: AuthOptions;
  /**
   * Refuse an event whose `createdAt` is older than this many milliseconds, as a replay, allowing a
   * minute of clock skew. Mind that a legitimate event delayed that long is refused too.
   * @default none: no age limit
   */
  maxEventAgeMs?: number;
  /**
   * Retries a failed handler in the background, with exponential backoff and jitter. A failure is
   * then answered `202 accepted` (the event is ours now), the dedupe key stays claimed while attempts
   * remain, and `onError` hears of every failed attempt. Only the handlers that failed run again.
   * @default none: a failure is answered 500 at once, and the key released once every handler has settled
   */
  retry?: RetryOptions;
  /**
   * Called once with the event and the last error when a handler has failed every attempt: the
   * place to keep the event (a table, a queue) for `replay()` once the cause is fixed.
   * @default none
   */
  onDeadLetter?: DeadLetterHandler;
  /**
   * Hands each valid, deduplicated event to a durable queue instead of running the handlers here; the
   * delivery is answered `202` once the queue has stored it. When the queue cannot take it,
   * `onStoreError` decides: run the handlers here (`'process'`) or answer `503` (`'reject'`).
   * @default none: the handlers run in this process
   */
  handoff?: Handoff;
  /**
   * Where to log one structured line per delivery (`id`, `type`, `outcome`, `status`, `code`,
   * `durationMs`, `bytes`; see docs/observability.md): pino, or the console with `consoleLogger()`.
   * Failures at `error`, refusals at `warn` (`error` for a 5xx), duplicates at `debug`, the rest at
   * `info`. No body or contact field is ever logged. With no `onError`, handler and store failures
   * go to it too, instead of the console.
   * @default none: nothing is logged
   */
  logger?: Logger;
}

/** Told of an event whose handler failed every attempt: see {@link ConvercWebhooksOptions.onDeadLetter}. */
export type DeadLetterHandler = (event: AnyEvent, error: WebhookError) => unknown;

/** What a delivery does when the dedupe store fails: see {@link ConvercWebhooksOptions.onStoreError}. */
export type StoreErrorPolicy = 'process' | 'reject';

/** The options once checked, with defaults filled in. */
export interface ResolvedOptions {
  readonly store: DedupeStore | undefined;
  readonly ackTimeoutMs: number;
  readonly ack: AckMode;
  readonly limit: number;
  readonly maxBytesInFlight: number;
  readonly path: string | undefined;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly auth: ResolvedAuth | undefined;
  readonly maxEventAgeMs: number | undefined;
  readonly retry: ResolvedRetry | undefined;
  readonly onDeadLetter: DeadLetterHandler | undefined;
  readonly handoff: Handoff | undefined;
  readonly logger: Logger | undefined;
}

/** The default of `maxBytesInFlight`: room for six bodies at the default `limit`, in a container of 512 MB. */
const DEFAULT_MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** The most `ackTimeoutMs` may be: the provider's 8 s, less a second for the network. */
export const MAX_ACK_TIMEOUT_MS = 7000;

/** A path option, without its trailing slashes. */
export const pathSchema = z
  .string({ error: mustBe("a string starting with '/'") })
  .startsWith('/', { error: mustBe("a string starting with '/'") })
  .transform((path) => (path === '/' ? path : path.replace(/\/+$/, '') || '/'));

/**
 * The `dedupe` option: `false`, a {@link DedupeStore}, or the memory store's options. Told apart by
 * hand rather than by a union, so that a mistake is worded for what the value was meant to be.
 */
const dedupeSchema = z
  .unknown()
  .optional()
  .transform((dedupe, ctx): DedupeStore | undefined => {
    if (dedupe === false) return undefined;
    if (dedupe === undefined) return new MemoryDedupeStore();
    if (typeof dedupe !== 'object' || dedupe === null) {
      ctx.issues.push({ code: 'custom', input: dedupe, message: 'must be { max, ttlMs }, an object implementing DedupeStore, or false' });
      return z.NEVER;
    }
    const store: Partial<Record<keyof DedupeStore, unknown>> = dedupe;
    if ([store.claim, store.complete, store.release].every((method) => typeof method === 'function')) return store as DedupeStore;
    if ('claim' in store || 'complete' in store || 'release' in store) {
      ctx.issues.push({ code: 'custom', input: dedupe, message: 'looks like a DedupeStore but lacks claim, complete or release functions' });
      return z.NEVER;
    }
    const memory = memoryDedupeOptionsSchema.safeParse(dedupe);
    if (memory.success) return new MemoryDedupeStore(dedupe);
    // Re-raised as custom issues, keeping the word of an unknown key so that checkOptions names it first.
    for (const issue of memory.error.issues) {
      ctx.issues.push({ code: 'custom', input: dedupe, path: issue.path, message: issue.message, params: { unknownKey: issue.code === 'unrecognized_keys' } });
    }
    return z.NEVER;
  });

const optionsSchema = optionsObject({
  handlers: z
    .custom<HandlerMap>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
      error: 'must be an object of handlers by event type',
    })
    .optional(),
  dedupe: dedupeSchema,
  ackTimeoutMs: positiveMs()
    .max(MAX_ACK_TIMEOUT_MS, {
      error: (issue) => `must be at most ${MAX_ACK_TIMEOUT_MS}: the provider gives up after 8000 ms, got ${String(issue.input)}`,
    })
    .default(5000),
  ack: z.enum(['after-handlers', 'immediate'], { error: mustBe("'after-handlers' or 'immediate'") }).default('after-handlers'),
  limit: byteSizeSchema.default(5 * 1024 * 1024),
  maxBytesInFlight: byteSizeSchema.optional(),
  path: pathSchema.optional(),
  onError: fn<ErrorHandler>('must be a function').optional(),
  onStoreError: z.enum(['process', 'reject'], { error: mustBe("'process' or 'reject'") }).default('process'),
  bodyTimeoutMs: positiveMs().optional(),
  storeTimeoutMs: positiveMs().optional(),
  auth: authOptionsSchema.optional(),
  maxEventAgeMs: positiveMs().optional(),
  retry: retryOptionsSchema.optional(),
  onDeadLetter: fn<DeadLetterHandler>('must be a function').optional(),
  handoff: objectWith<Handoff>(['enqueue'], 'must be an object with an enqueue(event, ctx) function').optional(),
  logger: objectWith<Logger>(LOG_LEVELS, 'must be a logger with debug, info, warn and error functions (pino, or consoleLogger())').optional(),
} satisfies Record<keyof ConvercWebhooksOptions, z.ZodType>).transform((options, ctx): ResolvedOptions => {
  const { ackTimeoutMs } = options;
  // The timeouts within a delivery must leave the handlers time to run before the answer is due.
  const storeTimeoutMs = options.storeTimeoutMs ?? Math.min(1000, ackTimeoutMs / 2);
  if (storeTimeoutMs >= ackTimeoutMs) {
    const message = `(${storeTimeoutMs}) must be below ackTimeoutMs (${ackTimeoutMs})`;
    ctx.issues.push({ code: 'custom', input: storeTimeoutMs, path: ['storeTimeoutMs'], message });
  }
  const bodyTimeoutMs = options.bodyTimeoutMs ?? Math.min(3000, ackTimeoutMs);
  if (bodyTimeoutMs > ackTimeoutMs) {
    const message = `(${bodyTimeoutMs}) must be at most ackTimeoutMs (${ackTimeoutMs})`;
    ctx.issues.push({ code: 'custom', input: bodyTimeoutMs, path: ['bodyTimeoutMs'], message });
  }
  const maxBytesInFlight = options.maxBytesInFlight ?? Math.max(DEFAULT_MAX_BYTES_IN_FLIGHT, options.limit);
  if (maxBytesInFlight < options.limit) {
    const message = `(${maxBytesInFlight}) must be at least limit (${options.limit}), or a body at the limit could never be read`;
    ctx.issues.push({ code: 'custom', input: maxBytesInFlight, path: ['maxBytesInFlight'], message });
  }
  return {
    store: options.dedupe,
    ackTimeoutMs,
    ack: options.ack,
    limit: options.limit,
    maxBytesInFlight,
    path: options.path,
    onStoreError: options.onStoreError,
    storeTimeoutMs,
    bodyTimeoutMs,
    auth: options.auth,
    maxEventAgeMs: options.maxEventAgeMs,
    retry: options.retry,
    onDeadLetter: options.onDeadLetter,
    handoff: options.handoff,
    logger: options.logger,
  };
});

/** Checks options and fills in defaults; a bad or unknown option throws a `TypeError` that names it. */
export function resolveOptions(options: ConvercWebhooksOptions): ResolvedOptions {
  return checkOptions(optionsSchema, options, 'convercWebhooks(options)');
}
