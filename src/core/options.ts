import { resolveAuth, type AuthOptions, type ResolvedAuth } from '../auth/auth-options';
import type { DedupeStore } from '../dedupe/dedupe-store';
import { MemoryDedupeStore, type MemoryDedupeOptions } from '../dedupe/memory';
import type { WebhookError } from '../errors/webhook-error';
import { parseByteSize } from './byte-size';
import type { AnyEvent, ErrorHandler, HandlerMap } from './handler-types';
import { resolveHandoff, type Handoff } from './handoff';
import { resolveRetry, type ResolvedRetry, type RetryOptions } from './retry';

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
   * a store that has lost its server may hold a command until it reconnects. Must be below
   * `ackTimeoutMs`, so the handlers keep time to run.
   * @default 1000
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
   * @default none: a failure is answered 500 and the key released at once
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
  readonly path: string | undefined;
  readonly onStoreError: StoreErrorPolicy;
  readonly storeTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly auth: ResolvedAuth | undefined;
  readonly maxEventAgeMs: number | undefined;
  readonly retry: ResolvedRetry | undefined;
  readonly onDeadLetter: DeadLetterHandler | undefined;
  readonly handoff: Handoff | undefined;
}

/** The most `ackTimeoutMs` may be: the provider's 8 s, less a second for the network. */
export const MAX_ACK_TIMEOUT_MS = 7000;

/** Checks options and fills in defaults; a bad option throws a `TypeError` that names it. */
export function resolveOptions(options: ConvercWebhooksOptions): ResolvedOptions {
  // Checked as `unknown`: JavaScript callers get a clear TypeError, not a failure at the first delivery.
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
    throw new TypeError('convercWebhooks(options): options must be an object');
  }
  const ackTimeoutMs: unknown = options.ackTimeoutMs ?? 5000;
  if (typeof ackTimeoutMs !== 'number' || !Number.isFinite(ackTimeoutMs) || ackTimeoutMs <= 0) {
    throw new TypeError(`ackTimeoutMs must be a positive number of milliseconds, got ${String(ackTimeoutMs)}`);
  }
  if (ackTimeoutMs > MAX_ACK_TIMEOUT_MS) {
    throw new TypeError(
      `ackTimeoutMs must be at most ${MAX_ACK_TIMEOUT_MS}: the provider gives up after 8000 ms, got ${ackTimeoutMs}`,
    );
  }
  const ack: unknown = options.ack ?? 'after-handlers';
  if (ack !== 'after-handlers' && ack !== 'immediate') {
    throw new TypeError(`ack must be 'after-handlers' or 'immediate', got ${JSON.stringify(ack)}`);
  }
  const onStoreError: unknown = options.onStoreError ?? 'process';
  if (onStoreError !== 'process' && onStoreError !== 'reject') {
    throw new TypeError(`onStoreError must be 'process' or 'reject', got ${JSON.stringify(onStoreError)}`);
  }
  const storeTimeoutMs: unknown = options.storeTimeoutMs ?? Math.min(1000, ackTimeoutMs / 2);
  if (typeof storeTimeoutMs !== 'number' || !Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0) {
    throw new TypeError(`storeTimeoutMs must be a positive number of milliseconds, got ${String(storeTimeoutMs)}`);
  }
  if (storeTimeoutMs >= ackTimeoutMs) {
    throw new TypeError(`storeTimeoutMs (${storeTimeoutMs}) must be below ackTimeoutMs (${ackTimeoutMs})`);
  }
  const bodyTimeoutMs: unknown = options.bodyTimeoutMs ?? Math.min(3000, ackTimeoutMs);
  if (typeof bodyTimeoutMs !== 'number' || !Number.isFinite(bodyTimeoutMs) || bodyTimeoutMs <= 0) {
    throw new TypeError(`bodyTimeoutMs must be a positive number of milliseconds, got ${String(bodyTimeoutMs)}`);
  }
  if (bodyTimeoutMs > ackTimeoutMs) {
    throw new TypeError(`bodyTimeoutMs (${bodyTimeoutMs}) must be at most ackTimeoutMs (${ackTimeoutMs})`);
  }
  const maxEventAgeMs: unknown = options.maxEventAgeMs;
  if (maxEventAgeMs !== undefined && (typeof maxEventAgeMs !== 'number' || !(maxEventAgeMs > 0))) {
    throw new TypeError(`maxEventAgeMs must be a positive number of milliseconds, got ${JSON.stringify(maxEventAgeMs)}`);
  }
  const onError: unknown = options.onError;
  if (onError !== undefined && typeof onError !== 'function') {
    throw new TypeError('onError must be a function');
  }
  return {
    store: resolveStore(options.dedupe),
    ackTimeoutMs,
    ack,
    limit: parseByteSize(options.limit ?? '5mb', 'limit'),
    path: options.path === undefined ? undefined : normalizePath(options.path, 'path'),
    onStoreError,
    storeTimeoutMs,
    bodyTimeoutMs,
    auth: resolveAuth(options.auth),
    maxEventAgeMs,
    retry: resolveRetry(options.retry),
    onDeadLetter: resolveDeadLetter(options.onDeadLetter),
    handoff: resolveHandoff(options.handoff),
  };
}

function resolveDeadLetter(handler: unknown): DeadLetterHandler | undefined {
  if (handler !== undefined && typeof handler !== 'function') throw new TypeError('onDeadLetter must be a function');
  return handler as DeadLetterHandler | undefined;
}

/** A path option without its trailing slashes; a `TypeError` naming `option` unless it starts with `/`. */
export function normalizePath(path: unknown, option: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`${option} must be a string starting with '/', got ${JSON.stringify(path)}`);
  }
  return path === '/' ? path : path.replace(/\/+$/, '') || '/';
}

function resolveStore(dedupe: unknown): DedupeStore | undefined {
  if (dedupe === false) return undefined;
  if (dedupe === undefined) return new MemoryDedupeStore();
  if (typeof dedupe !== 'object' || dedupe === null) {
    throw new TypeError('dedupe must be { max, ttlMs }, an object implementing DedupeStore, or false');
  }
  if (isDedupeStore(dedupe)) return dedupe;
  if ('claim' in dedupe || 'complete' in dedupe || 'release' in dedupe) {
    throw new TypeError('dedupe looks like a DedupeStore but lacks claim, complete or release functions');
  }
  return new MemoryDedupeStore(dedupe);
}

function isDedupeStore(value: object): value is DedupeStore {
  const store = value as Partial<Record<keyof DedupeStore, unknown>>;
  return (
    typeof store.claim === 'function' && typeof store.complete === 'function' && typeof store.release === 'function'
  );
}
