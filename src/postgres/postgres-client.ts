/** What a query resolves with: the part of `pg`'s `QueryResult` this package reads. */
export interface PostgresQueryResult {
  readonly rows: readonly unknown[];
  readonly rowCount: number | null;
}

/** Something that runs one SQL statement with parameters: a `pg` `Pool` or a client. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
}

/** A connection checked out of a pool: a `pg` `PoolClient` has this shape. */
export interface PostgresClientLike extends PostgresQueryable {
  /** Gives the connection back; with an error, the pool closes it instead of reusing it. */
  release(error?: Error | boolean): void;
}

/** A `NOTIFY` as a listening connection hears it. */
export interface PostgresNotification {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/**
 * A connection as the pool hands it out: it also tells of notifications and of its own failure as
 * events, as `pg`'s does. (A `pg` client that fails with no `'error'` listener throws the error out
 * of the event emitter, which takes the process down: the worker always listens.)
 */
export interface PostgresPooledClient extends PostgresClientLike {
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'notification', listener: (message: PostgresNotification) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * A connection pool: a `pg` `Pool` has this shape. Only the shape is required, so `pg` stays an
 * optional peer dependency and nothing here imports it.
 */
export interface PostgresPoolLike extends PostgresQueryable {
  connect(): Promise<PostgresPooledClient>;
}

/** Whether `value` has the shape of a pool. */
export function isPostgresPool(value: unknown): value is PostgresPoolLike {
  const pool = value as Partial<PostgresPoolLike> | null;
  return typeof pool?.query === 'function' && typeof pool.connect === 'function';
}
