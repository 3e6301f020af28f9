/** How a failed handler is retried in the background: see {@link ConvercWebhooksOptions.retry}. */
export interface RetryOptions {
  /** How many times a handler runs at most, the first run included. */
  attempts: number;
  /**
   * The wait before the first retry, in milliseconds; it doubles with each retry.
   * @default 1_000
   */
  minDelayMs?: number;
  /**
   * The longest wait between two runs, in milliseconds.
   * @default 60_000
   */
  maxDelayMs?: number;
}

/** Retry options once checked. */
export interface ResolvedRetry {
  readonly attempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

/** Checks the `retry` option; a bad value throws a `TypeError` naming it. */
export function resolveRetry(retry: unknown): ResolvedRetry | undefined {
  if (retry === undefined) return undefined;
  if (typeof retry !== 'object' || retry === null) throw new TypeError('retry must be { attempts, minDelayMs, maxDelayMs }');
  const { attempts, minDelayMs = 1000, maxDelayMs = 60_000 } = retry as Record<string, unknown>;
  if (typeof attempts !== 'number' || !Number.isSafeInteger(attempts) || attempts < 1) {
    throw new TypeError(`retry.attempts must be a positive integer, got ${String(attempts)}`);
  }
  if (typeof minDelayMs !== 'number' || !(minDelayMs >= 0) || !Number.isFinite(minDelayMs)) {
    throw new TypeError(`retry.minDelayMs must be a number of milliseconds, got ${String(minDelayMs)}`);
  }
  if (typeof maxDelayMs !== 'number' || !(maxDelayMs >= minDelayMs) || !Number.isFinite(maxDelayMs)) {
    throw new TypeError(`retry.maxDelayMs must be a number of milliseconds at least minDelayMs, got ${String(maxDelayMs)}`);
  }
  return { attempts, minDelayMs, maxDelayMs };
}

/**
 * The wait before retry number `retry` (1 for the first): exponential, capped, with "equal jitter"
 * (half fixed, half random), so that many events failing together do not all retry together.
 */
export function backoffDelay(retry: number, { minDelayMs, maxDelayMs }: ResolvedRetry, random = Math.random): number {
  const exponential = Math.min(maxDelayMs, minDelayMs * 2 ** (retry - 1));
  return exponential / 2 + random() * (exponential / 2);
}
