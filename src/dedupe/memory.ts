import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { checkOptions, fn, optionsObject, positiveMs, wholeNumber } from '../options/check-options';
import type { DedupeClaim, DedupeStore } from './dedupe-store';

/** Options of the built-in {@link MemoryDedupeStore}. */
export interface MemoryDedupeOptions {
  /**
   * How many ids are remembered at most; the least recently seen is forgotten first, so memory stays
   * bounded however many events arrive.
   * @default 10_000
   */
  max?: number;
  /**
   * How long a processed id is remembered, in milliseconds.
   * @default 86_400_000 (24 hours)
   */
  ttlMs?: number;
  /**
   * The clock, in milliseconds. For tests: lru-cache reads its own clock, which fake timers do not move.
   * @default performance.now
   */
  now?: () => number;
}

/** The schema of {@link MemoryDedupeOptions}, with its defaults. */
export const memoryDedupeOptionsSchema = optionsObject({
  max: wholeNumber().default(10_000),
  ttlMs: positiveMs().default(24 * 60 * 60 * 1000),
  now: fn<() => number>('must be a function returning milliseconds').optional(),
} satisfies Record<keyof MemoryDedupeOptions, z.ZodType>);

/**
 * Remembers delivery ids in this process: processed ids in an LRU bounded by `max` with a time to
 * live of `ttlMs`, and the ids of deliveries still running apart from it, never evicted (a flood of
 * fresh ids must not free a claim whose handler is at work, or a resend would run beside it). So the
 * ids held at once are at most `max` plus the deliveries in flight.
 * The default store: one process needs nothing more, and nothing is faster. Several replicas behind a
 * load balancer need a shared store instead, since each would remember only its own deliveries.
 * Every method answers synchronously (a value, not a promise), so the receiver waits on nothing.
 *
 * @example
 * ```ts
 * convercWebhooks({ dedupe: new MemoryDedupeStore({ max: 50_000, ttlMs: 3_600_000 }) });
 * ```
 */
export class MemoryDedupeStore implements DedupeStore {
  /** Processed ids, kept for `ttlMs`, the least recently seen forgotten first beyond `max`. */
  readonly #processed: LRUCache<string, true>;
  /** Ids claimed by a delivery still running, with the token of its claim. */
  readonly #claimed = new Map<string, string>();
  #nextToken = 0;

  constructor(options: MemoryDedupeOptions = {}) {
    // Named `dedupe.*`: that is where these options are usually given.
    const { max, ttlMs, now } = checkOptions(memoryDedupeOptionsSchema, options, 'MemoryDedupeStore(options)', 'dedupe');
    this.#processed = new LRUCache<string, true>({
      max,
      ttl: ttlMs,
      // Expired ids are dropped when touched or evicted by `max`: no timer per id.
      ttlAutopurge: false,
      // lru-cache caches its clock for a millisecond of real time; an injected clock is read every time.
      ...(now === undefined ? {} : { perf: { now }, ttlResolution: 0 }),
    });
  }

  /** How many ids are remembered now (claimed or processed). */
  get size(): number {
    return this.#processed.size + this.#claimed.size;
  }

  claim(key: string): DedupeClaim | null {
    if (this.#claimed.has(key) || this.#processed.has(key)) return null;
    const token = String(++this.#nextToken);
    this.#claimed.set(key, token);
    return { key, token };
  }

  complete(claim: DedupeClaim): void {
    this.release(claim);
    // Unconditional: whoever holds the key now, the event has been processed.
    this.#processed.set(claim.key, true);
  }

  isProcessed(key: string): boolean {
    return this.#processed.get(key) === true;
  }

  release(claim: DedupeClaim): void {
    if (this.#claimed.get(claim.key) === claim.token) this.#claimed.delete(claim.key);
  }
}
