import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { checkOptions, fn, mustBe, optionsObject, positiveMs } from '../options/check-options';
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
  max: z
    .number({ error: mustBe('a positive integer') })
    .int({ error: mustBe('a positive integer') })
    .positive({ error: mustBe('a positive integer') })
    .default(10_000),
  ttlMs: positiveMs().default(24 * 60 * 60 * 1000),
  now: fn<() => number>('must be a function returning milliseconds').optional(),
} satisfies Record<keyof MemoryDedupeOptions, z.ZodType>);

/**
 * Remembers delivery ids in this process, in an LRU bounded by `max` with a time to live of `ttlMs`.
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
  /** Per key: the token of the delivery holding it, or `DONE` once processed. */
  readonly #entries: LRUCache<string, string>;
  #nextToken = 0;

  constructor(options: MemoryDedupeOptions = {}) {
    // Named `dedupe.*`: that is where these options are usually given.
    const { max, ttlMs, now } = checkOptions(memoryDedupeOptionsSchema, options, 'MemoryDedupeStore(options)', 'dedupe');
    this.#entries = new LRUCache<string, string>({
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
    return this.#entries.size;
  }

  claim(key: string): DedupeClaim | null {
    if (this.#entries.has(key)) return null;
    const token = String(++this.#nextToken);
    this.#entries.set(key, token);
    return { key, token };
  }

  complete(claim: DedupeClaim): void {
    // Unconditional: even if the claim was evicted meanwhile, the event has been processed.
    this.#entries.set(claim.key, DONE);
  }

  isProcessed(key: string): boolean {
    return this.#entries.get(key) === DONE;
  }

  release(claim: DedupeClaim): void {
    if (this.#entries.get(claim.key) === claim.token) this.#entries.delete(claim.key);
  }
}

/** Marks a processed key; claim tokens are decimal digits, so they can never equal it. */
const DONE = 'done';
