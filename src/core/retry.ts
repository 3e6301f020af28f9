import { z } from 'zod';
import { checkOptions, mustBe, optionsObject, wholeNumber } from '../options/check-options';

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

const delayMs = () => z.number({ error: mustBe('a number of milliseconds') }).nonnegative({ error: mustBe('a number of milliseconds') });

/** The schema of the `retry` option. */
export const retryOptionsSchema = optionsObject({
  attempts: wholeNumber(),
  minDelayMs: delayMs().default(1000),
  maxDelayMs: delayMs().default(60_000),
} satisfies Record<keyof RetryOptions, z.ZodType>).transform((retry, ctx): ResolvedRetry => {
  if (retry.maxDelayMs < retry.minDelayMs) {
    const message = `(${retry.maxDelayMs}) must be at least minDelayMs (${retry.minDelayMs})`;
    ctx.issues.push({ code: 'custom', input: retry.maxDelayMs, path: ['maxDelayMs'], message });
  }
  return retry;
});

/** Checks the `retry` option; a bad value throws a `TypeError` naming it. */
export function resolveRetry(retry: unknown): ResolvedRetry | undefined {
  return retry === undefined ? undefined : checkOptions(retryOptionsSchema, retry, 'retry', 'retry');
}

/**
 * The wait before retry number `retry` (1 for the first): exponential, capped, with "equal jitter"
 * (half fixed, half random), so that many events failing together do not all retry together.
 */
export function backoffDelay(retry: number, { minDelayMs, maxDelayMs }: ResolvedRetry, random = Math.random): number {
  const exponential = Math.min(maxDelayMs, minDelayMs * 2 ** (retry - 1));
  return exponential / 2 + random() * (exponential / 2);
}
