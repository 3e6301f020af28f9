import type { HandlerContext } from '../core/handler-types';
import type { PostgresClientLike } from './postgres-client';

/**
 * The context a handler gets when an inbox worker runs it: the usual {@link HandlerContext}, plus
 * the connection whose transaction holds the event's row. What a handler writes through `db` commits
 * with the row's `processed` mark, or not at all.
 *
 * `Db` is the connection's type: `PoolClient` from `pg` when you pass it, as in
 * `createPostgresInbox<PoolClient>({ pool })`.
 */
export interface InboxHandlerContext<Db extends PostgresClientLike = PostgresClientLike> extends HandlerContext {
  /**
   * The connection of the row's transaction, already inside `BEGIN`. Query through it; do not
   * `COMMIT`, `ROLLBACK` or `release()` it (the worker does). For a step that may fail on its own,
   * use a `SAVEPOINT`.
   */
  readonly db: Db;
  /** Which run of the event's handlers this is, 1 for the first. */
  readonly attempt: number;
}

/** Whether a handler's context comes from an inbox worker (it has the transaction's `db`). */
export function isInboxContext<Db extends PostgresClientLike>(ctx: HandlerContext): ctx is InboxHandlerContext<Db> {
  const { db } = ctx as { readonly db?: unknown };
  return typeof db === 'object' && db !== null && typeof (db as Partial<PostgresClientLike>).query === 'function';
}
