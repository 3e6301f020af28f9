/** What a query resolves with: the part of `pg`'s `QueryResult` this package reads. */
export interface PostgresQueryResult {
  /** The rows the statement returned. */
  readonly rows: readonly unknown[];
  /** How many rows the statement touched; `null` for a statement that does not count them. */
  readonly rowCount: number | null;
}

/** Something that runs one SQL statement with parameters: a `pg` `Pool` or a client. */
export interface PostgresQueryable {
  /** Runs `text` with `$1`, `$2`… bound to `values`. */
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/** A connection checked out of a pool: a `pg` `PoolClient` has this shape. */
export interface PostgresClientLike extends PostgresQueryable {
  /** Gives the connection back; with an error, the pool closes it instead of reusing it. */
  release(error?: Error | boolean): void;
}

/** A `NOTIFY` as a listening connection hears it. */
export interface PostgresNotification {
  /** The channel it was sent on. */
  readonly channel: string;
  /** What was sent with it, if anything. */
  readonly payload?: string | undefined;
}

/**
 * A connection as the pool hands it out: it also tells of notifications and of its own failure as
 * events, as `pg`'s does. (A `pg` client that fails with no `'error'` listener throws the error out
 * of the event emitter, which takes the process down: the worker always listens.)
 */
export interface PostgresPooledClient extends PostgresClientLike {
  /** Listens for the notifications of the channels this connection has `LISTEN`ed to. */
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  /** Listens for the connection's own failure. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Stops listening for notifications. */
  removeListener(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  /** Stops listening for the connection's failure. */
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A connection pool: a `pg` `Pool` has this shape. Only the shape is required, so `pg` stays an
 * optional peer dependency and nothing here imports it.
 */
export interface PostgresPoolLike extends PostgresQueryable {
  /** Checks a connection out of the pool; give it back with `release()`. */
  connect(): Promise<PostgresPooledClient>;
}

/** Whether `value` has the shape of a pool. */
export function isPostgresPool(value: unknown): value is PostgresPoolLike {
  const pool = value as Partial<PostgresPoolLike> | null;
  return typeof pool?.query === 'function' && typeof pool.connect === 'function';
}
