import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { commandFor, type RedisClientLike, type RedisCommand } from './redis-client';

/** Options of {@link RedisDedupeStore}. */
export interface RedisDedupeStoreOptions {
  /** An already connected client: node-redis (`redis` 4 and later) or ioredis. */
  client: RedisClientLike;
  /**
   * Put before every key, to keep this store's keys apart from everything else in the database.
   * @default 'converc:webhooks:'
   */
  prefix?: string;
  /**
   * How long a processed id is remembered, in milliseconds.
   * @default 86_400_000 (24 hours)
   */
  ttlMs?: number;
  /**
   * How long a claim lasts if its delivery never completes or releases it (its replica died): after
   * this, the event can be processed again rather than being blocked for the whole `ttlMs`. Keep it
   * above your slowest handler's run time.
   * @default 600_000 (10 minutes)
   */
  leaseMs?: number;
}

/** The value of a processed key. Claim tokens are UUIDs, so they never equal it. */
const DONE = 'done';

/** Deletes a key only while it still holds this claim's token, in one atomic step. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Remembers delivery ids in Redis, so that every replica of an app behind a load balancer dedupes
 * against the same set: a delivery claims its id with `SET key token NX PX lease`, atomic across
 * replicas, then completes it (kept for `ttlMs`) or releases it (deleted only if still its own).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisDedupeStore } from 'converc-webhooks/redis';
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const webhooks = convercWebhooks({ dedupe: new RedisDedupeStore({ client }) });
 * ```
 */
export class RedisDedupeStore implements DedupeStore {
  readonly #command: RedisCommand;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly #lease: string;

  constructor(options: RedisDedupeStoreOptions) {
    if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
      throw new TypeError('RedisDedupeStore(options): options must be an object with a client');
    }
    this.#command = commandFor(options.client);
    const prefix: unknown = options.prefix ?? 'converc:webhooks:';
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string');
    this.#prefix = prefix;
    this.#ttl = String(positiveInteger(options.ttlMs ?? 86_400_000, 'ttlMs'));
    this.#lease = String(positiveInteger(options.leaseMs ?? 600_000, 'leaseMs'));
  }

  async claim(key: string): Promise<DedupeClaim | null> {
    const token = globalThis.crypto.randomUUID();
    const reply = await this.#command(['SET', this.#prefix + key, token, 'NX', 'PX', this.#lease]);
    return reply === 'OK' ? { key, token } : null;
  }

  async complete(claim: DedupeClaim): Promise<void> {
    // Unconditional, as in the memory store: even if the lease ran out meanwhile, the event was processed.
    await this.#command(['SET', this.#prefix + claim.key, DONE, 'PX', this.#ttl]);
  }

  async release(claim: DedupeClaim): Promise<void> {
    await this.#command(['EVAL', RELEASE_SCRIPT, '1', this.#prefix + claim.key, claim.token]);
  }

  async isProcessed(key: string): Promise<boolean> {
    return (await this.#command(['GET', this.#prefix + key])) === DONE;
  }
}

function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${option} must be a positive integer of milliseconds, got ${String(value)}`);
  }
  return value;
}
