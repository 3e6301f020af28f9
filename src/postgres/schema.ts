import type { PostgresPoolLike } from './postgres-client';
import { sqlTable } from './table-name';

/** The inbox table's name unless told otherwise. */
export const DEFAULT_INBOX_TABLE = 'converc_webhooks_inbox';

/** The dedupe store's table name unless told otherwise. */
export const DEFAULT_DEDUPE_TABLE = 'converc_webhooks_dedupe';

/**
 * The inbox: one row per event, its id the primary key, so that a second delivery of an event (on
 * any replica) finds it there. `pending` rows wait for a worker from `run_after` on; a worker marks
 * one `processed` in the transaction its handlers wrote in, or counts a failed attempt and sets the
 * next `run_after`; after the last attempt it is `dead` until `replay-failed` moves it back.
 */
export function inboxSchemaSql(table = DEFAULT_INBOX_TABLE): string {
  const { sql, bare } = sqlTable(table);
  return `CREATE TABLE IF NOT EXISTS ${sql} (
  id           text PRIMARY KEY,
  type         text NOT NULL,
  event        jsonb NOT NULL,
  headers      jsonb NOT NULL DEFAULT '{}',
  received_at  timestamptz NOT NULL DEFAULT now(),
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'dead')),
  attempts     integer NOT NULL DEFAULT 0,
  run_after    timestamptz NOT NULL DEFAULT now(),
  last_error   text,
  processed_at timestamptz
);
CREATE INDEX IF NOT EXISTS "${bare}_due_idx" ON ${sql} (run_after) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS "${bare}_processed_idx" ON ${sql} (processed_at) WHERE status = 'processed';
CREATE INDEX IF NOT EXISTS "${bare}_dead_idx" ON ${sql} (type) WHERE status = 'dead';
`;
}

/**
 * The dedupe store: one row per key. A running claim holds its `token` until `expires_at` (its
 * lease); a completed key has no token and is kept until `expires_at` (its time to live).
 */
export function dedupeSchemaSql(table = DEFAULT_DEDUPE_TABLE): string {
  const { sql, bare } = sqlTable(table);
  return `CREATE TABLE IF NOT EXISTS ${sql} (
  key        text PRIMARY KEY,
  token      text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${bare}_expires_idx" ON ${sql} (expires_at);
`;
}

/**
 * Applies `sql` in one transaction, under an advisory lock: `CREATE … IF NOT EXISTS` alone is not
 * safe when two processes start at once (both may try to create the same table and one fails).
 */
export async function applySchema(pool: PostgresPoolLike, sql: string): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Any fixed number: it only has to be the same in every process that migrates.
    await client.query('SELECT pg_advisory_xact_lock(5163471902)');
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}
