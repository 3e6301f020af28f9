import { z } from 'zod';
import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { checkOptions, mustBe, optionsObject, wholeMs } from '../options/check-options';
import { commandFor, isRedisClient, type RedisClientLike, type RedisCommand } from './redis-client';

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

const optionsSchema = optionsObject({
  client: z.custom<RedisClientLike>(isRedisClient, { error: 'must be a connected node-redis (redis) or ioredis client' }),
  prefix: z.string({ error: mustBe('a string') }).default('converc:webhooks:'),
  ttlMs: wholeMs().default(86_400_000),
  leaseMs: wholeMs().default(600_000),
} satisfies Record<keyof RedisDedupeStoreOptions, z.ZodType>);

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
    const { client, prefix, ttlMs, leaseMs } = checkOptions(optionsSchema, options, 'RedisDedupeStore(options)');
    this.#command = commandFor(client);
    this.#prefix = prefix;
    this.#ttl = String(ttlMs);
    this.#lease = String(leaseMs);
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
