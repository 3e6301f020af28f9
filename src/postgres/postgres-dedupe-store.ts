import { z } from 'zod';
import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { checkOptions, optionsObject, wholeMs } from '../options/check-options';
import { isPostgresPool, type PostgresPoolLike } from './postgres-client';
import { applySchema, dedupeSchemaSql, DEFAULT_DEDUPE_TABLE } from './schema';
import { sqlTable, tableName } from './table-name';

/** Options of {@link PostgresDedupeStore}. */
export interface PostgresDedupeStoreOptions {
  /** A `pg` `Pool` (or anything of its shape). */
  pool: PostgresPoolLike;
  /**
   * The table the keys live in; `migrate()` (or `converc-webhooks migrate`) creates it.
   * @default 'converc_webhooks_dedupe'
   */
  table?: string;
  /**
   * How long a processed id is remembered, in milliseconds.
   * @default 86_400_000 (24 hours)
   */
  ttlMs?: number;
  /**
   * How long a claim lasts if its delivery never completes or releases it (its replica died). Keep it
   * above your slowest handler's run time.
   * @default 600_000 (10 minutes)
   */
  leaseMs?: number;
}

const optionsSchema = optionsObject({
  pool: z.custom<PostgresPoolLike>(isPostgresPool, { error: 'must be a pg Pool' }),
  table: tableName(DEFAULT_DEDUPE_TABLE),
  ttlMs: wholeMs().default(86_400_000),
  leaseMs: wholeMs().default(600_000),
} satisfies Record<keyof PostgresDedupeStoreOptions, z.ZodType>);

/** How many expired rows a claim removes on its way, at most: the table stays small with no timer. */
const SWEEP = 20;

/**
 * Remembers delivery ids in a Postgres table, so that every replica dedupes against the same set.
 * Each method is one atomic statement: a claim is an `INSERT … ON CONFLICT DO UPDATE … WHERE` the
 * row has expired (of many claims at once, exactly one gets a row back), a completion an upsert
 * with no token, a release a `DELETE` of the row only while it holds this claim's token. A claim
 * also deletes a few expired rows as it goes.
 *
 * Use it as `dedupe` beside in-process handlers. With {@link createPostgresInbox} you need no dedupe
 * store: the inbox's primary key already refuses a second copy of an event.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * import { PostgresDedupeStore } from 'converc-webhooks/postgres';
 * const store = new PostgresDedupeStore({ pool: new Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * const webhooks = convercWebhooks({ dedupe: store });
 * ```
 */
export class PostgresDedupeStore implements DedupeStore {
  readonly #pool: PostgresPoolLike;
  readonly #table: string;
  readonly #claim: string;
  readonly #complete: string;
  readonly #release: string;
  readonly #isProcessed: string;
  readonly #ttlMs: number;
  readonly #leaseMs: number;

  constructor(options: PostgresDedupeStoreOptions) {
    const { pool, table, ttlMs, leaseMs } = checkOptions(optionsSchema, options, 'PostgresDedupeStore(options)');
    this.#pool = pool;
    this.#table = table;
    this.#ttlMs = ttlMs;
    this.#leaseMs = leaseMs;
    const t = sqlTable(table).sql;
    // The sweep never touches the key being claimed: one statement must not change one row twice.
    this.#claim = `WITH swept AS (
  DELETE FROM ${t} WHERE key IN (
    SELECT key FROM ${t} WHERE expires_at <= clock_timestamp() AND key <> $1 LIMIT ${SWEEP} FOR UPDATE SKIP LOCKED))
INSERT INTO ${t} AS row (key, token, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
  WHERE row.expires_at <= clock_timestamp()
RETURNING key`;
    this.#complete = `INSERT INTO ${t} AS row (key, token, expires_at) VALUES ($1, NULL, clock_timestamp() + $2 * interval '1 millisecond')
ON CONFLICT (key) DO UPDATE SET token = NULL, expires_at = EXCLUDED.expires_at`;
    this.#release = `DELETE FROM ${t} WHERE key = $1 AND token = $2`;
    this.#isProcessed = `SELECT 1 FROM ${t} WHERE key = $1 AND token IS NULL AND expires_at > clock_timestamp()`;
  }

  /** Creates the store's table if it is not there (idempotent). */
  async migrate(): Promise<void> {
    await applySchema(this.#pool, dedupeSchemaSql(this.#table));
  }

  async claim(key: string): Promise<DedupeClaim | null> {
    const token = globalThis.crypto.randomUUID();
    const { rowCount } = await this.#pool.query(this.#claim, [key, token, this.#leaseMs]);
    return rowCount === 1 ? { key, token } : null;
  }

  async complete(claim: DedupeClaim): Promise<void> {
    // Unconditional, as in the other stores: even if the lease ran out meanwhile, the event was processed.
    await this.#pool.query(this.#complete, [claim.key, this.#ttlMs]);
  }

  async release(claim: DedupeClaim): Promise<void> {
    await this.#pool.query(this.#release, [claim.key, claim.token]);
  }

  async isProcessed(key: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(this.#isProcessed, [key]);
    return rowCount === 1;
  }
}
