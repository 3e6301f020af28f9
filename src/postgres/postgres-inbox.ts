import { z } from 'zod';
import type { Handoff } from '../core/handoff';
import type { AnyEvent, EventHandler, HandlerContext } from '../core/handler-types';
import { receiverOf } from '../core/receivers';
import { retryOptionsSchema, type ResolvedRetry, type RetryOptions } from '../core/retry';
import { keptHeaders, omitHeadersOption } from '../core/stored-headers';
import { digestKey, MAX_STORED_KEY_LENGTH } from '../dedupe/stored-key';
import { checkOptions, mustBe, optionsObject, positiveMs, wholeNumber } from '../options/check-options';
import type { ConvercWebhooks } from '../webhooks';
import { isInboxContext, type InboxHandlerContext } from './inbox-context';
import { inboxSql, PRUNE_BATCH } from './inbox-sql';
import { PostgresInboxWorker, type InboxWorker } from './inbox-worker';
import { isPostgresPool, type PostgresClientLike, type PostgresPoolLike } from './postgres-client';
import { applySchema, DEFAULT_INBOX_TABLE, inboxSchemaSql } from './schema';
import { tableName } from './table-name';

/** Options of {@link createPostgresInbox}. */
export interface PostgresInboxOptions {
  /**
   * A `pg` `Pool` (or anything of its shape). Give it an `'error'` listener, as `pg` asks of every
   * pool: an idle connection that fails with none takes the process down.
   */
  pool: PostgresPoolLike;
  /**
   * The inbox table, `name` or `schema.name`; `migrate()` (or `converc-webhooks migrate`) creates it.
   * @default 'converc_webhooks_inbox'
   */
  table?: string;
  /**
   * How long a processed row is kept, in milliseconds. While it is there, a resend of its event is a
   * `duplicate`; workers delete it after this.
   * @default 86_400_000 (24 hours)
   */
  ttlMs?: number;
  /**
   * Request headers left out of the stored row, case-insensitive: rows outlive the request, and are
   * read by whoever reads the table.
   * @default ['authorization', 'proxy-authorization', 'cookie']
   */
  omitHeaders?: readonly string[];
}

/** Options of {@link PostgresInbox.work}. */
export interface InboxWorkOptions {
  /**
   * How many events this worker runs at once, each in its own transaction (so on its own
   * connection: keep the pool's `max` above this, plus one for `LISTEN`).
   * @default 1
   */
  concurrency?: number;
  /**
   * How often an event's handlers run at most, and the backoff between runs. After the last failed
   * run the row is `dead` and `onDeadLetter` hears of it.
   * @default { attempts: 5, minDelayMs: 1_000, maxDelayMs: 60_000 }
   */
  retry?: RetryOptions;
  /**
   * How long an idle worker sleeps before looking for due rows when no `NOTIFY` woke it, in
   * milliseconds: the fallback for a lost `LISTEN` connection, and when retries come due.
   * @default 1_000
   */
  pollMs?: number;
  /**
   * How often the worker deletes processed rows older than the inbox's `ttlMs`, in milliseconds.
   * @default 60_000
   */
  pruneEveryMs?: number;
}

/** Options of {@link PostgresInbox.replayDead}. */
export interface ReplayDeadOptions {
  /** Only the dead rows of this event type. @default every dead row */
  type?: string;
}

/**
 * A durable inbox in Postgres: a {@link Handoff} for `convercWebhooks({ handoff })`, and the workers
 * that run its events. `Db` is the type of `ctx.db` in handlers (see {@link InboxHandlerContext}).
 */
export interface PostgresInbox<Db extends PostgresClientLike = PostgresClientLike> extends Handoff {
  /** The table, as configured. */
  readonly table: string;
  /** Creates the table and its indexes if they are not there; safe to run from every process at start. */
  migrate(): Promise<void>;
  /**
   * Starts a worker in this process that runs the handlers of `webhooks` for the inbox's events,
   * each in the transaction of its row. Run one in as many processes as you like.
   */
  work(webhooks: ConvercWebhooks, options?: InboxWorkOptions): InboxWorker;
  /**
   * Types a handler that writes through the row's transaction: `ctx.db` is the connection. Run
   * anywhere but in an inbox worker (no `ctx.db`), the handler fails instead of writing outside it.
   */
  handler<E extends AnyEvent>(handler: (event: E, ctx: InboxHandlerContext<Db>) => unknown): EventHandler<E>;
  /** Moves dead rows back to pending with their attempts reset, and resolves how many it moved. */
  replayDead(options?: ReplayDeadOptions): Promise<number>;
  /** Deletes processed rows older than `ttlMs` now, and resolves how many (workers also do it as they run). */
  prune(): Promise<number>;
}

const optionsSchema = optionsObject({
  pool: z.custom<PostgresPoolLike>(isPostgresPool, { error: 'must be a pg Pool' }),
  table: tableName(DEFAULT_INBOX_TABLE),
  ttlMs: positiveMs().default(86_400_000),
  omitHeaders: omitHeadersOption,
} satisfies Record<keyof PostgresInboxOptions, z.ZodType>);

const DEFAULT_RETRY: ResolvedRetry = Object.freeze({ attempts: 5, minDelayMs: 1000, maxDelayMs: 60_000 });

const workOptionsSchema = optionsObject({
  concurrency: wholeNumber().default(1),
  retry: retryOptionsSchema.default(DEFAULT_RETRY),
  pollMs: positiveMs().default(1000),
  pruneEveryMs: positiveMs().default(60_000),
} satisfies Record<keyof InboxWorkOptions, z.ZodType>);

const replayDeadSchema = optionsObject({
  type: z.string({ error: mustBe('an event type') }).optional(),
} satisfies Record<keyof ReplayDeadOptions, z.ZodType>);

/**
 * A durable inbox in a Postgres table, for events whose database effects must happen exactly once.
 * The web process inserts each event and answers `202` only after the insert has committed (an id
 * already there is a `duplicate`); workers, in any number of processes, take rows with
 * `FOR UPDATE SKIP LOCKED` and run the handlers inside the row's transaction, so what a handler
 * writes through `ctx.db` commits with the row's `processed` mark, or not at all. A worker that dies
 * mid-handler loses its connection, and Postgres rolls back and frees the row: there is no lease.
 *
 * Effects outside the database (an HTTP call to a CRM) are at least once: use the event id as their
 * idempotency key.
 *
 * @example
 * ```ts
 * import { Pool, type PoolClient } from 'pg';
 * import { convercWebhooks } from 'converc-webhooks';
 * import { createPostgresInbox } from 'converc-webhooks/postgres';
 *
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL }).on('error', console.error);
 * const inbox = createPostgresInbox<PoolClient>({ pool });
 * await inbox.migrate();
 * const webhooks = convercWebhooks({ handoff: inbox }).on(
 *   'call.ended',
 *   inbox.handler(async (event, { db }) => {
 *     await db.query('INSERT INTO calls (id, ended_at) VALUES ($1, $2)', [event.data.call.id, event.data.call.endedAt]);
 *   }),
 * );
 * app.use('/webhooks/converc', webhooks); // the web process
 * const worker = inbox.work(webhooks, { concurrency: 4 }); // a worker process (or the same one)
 * ```
 */
export function createPostgresInbox<Db extends PostgresClientLike = PostgresClientLike>(options: PostgresInboxOptions): PostgresInbox<Db> {
  const { pool, table, ttlMs, omitHeaders } = checkOptions(optionsSchema, options, 'createPostgresInbox(options)');
  const sql = inboxSql(table);
  const prune = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const deleted = (await pool.query(sql.prune, [ttlMs])).rowCount ?? 0;
      total += deleted;
      if (deleted < PRUNE_BATCH) return total;
    }
  };

  return {
    table,

    async enqueue(event: AnyEvent, ctx: HandlerContext): Promise<'accepted' | 'duplicate'> {
      // A sender chooses the id: one of megabytes is kept as its digest, as the dedupe stores do.
      const id = ctx.id.length > MAX_STORED_KEY_LENGTH ? await digestKey(ctx.id) : ctx.id;
      const values = [id, event.type, JSON.stringify(event), JSON.stringify(keptHeaders(ctx.headers, omitHeaders)), ctx.receivedAt];
      const { rowCount } = await pool.query(sql.insert, values);
      return rowCount === 1 ? 'accepted' : 'duplicate';
    },

    migrate: () => applySchema(pool, inboxSchemaSql(table)),

    work(webhooks, workOptions = {}) {
      const receiver = receiverOf(webhooks);
      const { concurrency, retry, pollMs, pruneEveryMs } = checkOptions(workOptionsSchema, workOptions, 'inbox.work(webhooks, options)');
      return new PostgresInboxWorker({ pool, sql, receiver, concurrency, retry, pollMs, prune, pruneEveryMs });
    },

    handler<E extends AnyEvent>(handler: (event: E, ctx: InboxHandlerContext<Db>) => unknown): EventHandler<E> {
      if (typeof handler !== 'function') throw new TypeError('inbox.handler(handler): handler must be a function');
      return function inboxHandler(event: E, ctx: HandlerContext): unknown {
        if (!isInboxContext<Db>(ctx)) {
          throw new Error(`A handler for ${event.type} needs ctx.db, so it runs only in a Postgres inbox worker (inbox.work)`);
        }
        return handler(event, ctx);
      };
    },

    async replayDead(replayOptions = {}) {
      const { type } = checkOptions(replayDeadSchema, replayOptions, 'inbox.replayDead(options)');
      const { rows } = await pool.query(sql.replayDead, [type ?? null]);
      return (rows[0] as { moved?: number } | undefined)?.moved ?? 0;
    },

    prune,
  };
}
