import { sqlTable } from './table-name';

/** How many processed rows one prune statement deletes at most: a long delete would hold its locks long. */
export const PRUNE_BATCH = 1000;

/** The statements of one inbox table, written once. */
export interface InboxSql {
  /** The channel `NOTIFY` wakes workers on. */
  readonly channel: string;
  /** `LISTEN` on the channel. */
  readonly listen: string;
  /** `UNLISTEN` from it. */
  readonly unlisten: string;
  /** $1 id, $2 type, $3 event, $4 headers, $5 received_at: one row when it was new, none when it was there. */
  readonly insert: string;
  /** Locks the next due row, skipping those other workers hold. */
  readonly claim: string;
  /** $1 id, $2 attempts. */
  readonly processed: string;
  /** $1 id, $2 attempts, $3 error, $4 status, $5 delay in ms. */
  readonly failed: string;
  /** $1 ttl in ms: deletes processed rows older than that, a batch at a time. */
  readonly prune: string;
  /** $1 type or null: dead rows back to pending, attempts reset. */
  readonly replayDead: string;
}

/** The SQL of the inbox in `table`, whose name as given is also its channel. */
export function inboxSql(table: string): InboxSql {
  const t = sqlTable(table).sql;
  const notify = `pg_notify('${table}', '')`;
  return {
    channel: table,
    listen: `LISTEN "${table}"`,
    unlisten: `UNLISTEN "${table}"`,
    // The notification is sent on commit, and only for a new row: a duplicate wakes nobody.
    insert: `WITH added AS (
  INSERT INTO ${t} (id, type, event, headers, received_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (id) DO NOTHING RETURNING id)
SELECT id, ${notify} FROM added`,
    claim: `SELECT id, event, headers, received_at, attempts FROM ${t}
WHERE status = 'pending' AND run_after <= now() ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED`,
    processed: `UPDATE ${t} SET status = 'processed', attempts = $2, processed_at = now(), last_error = NULL WHERE id = $1`,
    failed: `UPDATE ${t} SET status = $4, attempts = $2, last_error = $3,
  run_after = now() + $5 * interval '1 millisecond' WHERE id = $1`,
    prune: `DELETE FROM ${t} WHERE id IN (
  SELECT id FROM ${t} WHERE status = 'processed' AND processed_at < now() - $1 * interval '1 millisecond'
  LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
    replayDead: `WITH moved AS (
  UPDATE ${t} SET status = 'pending', attempts = 0, run_after = now(), last_error = NULL
  WHERE status = 'dead' AND ($1::text IS NULL OR type = $1) RETURNING id)
SELECT count(*)::int AS moved, ${notify} FROM moved`,
  };
}
