import type { AnyEvent, IncomingHeaders } from '../core/handler-types';
import type { Receiver } from '../core/receiver';
import { backoffDelay, type ResolvedRetry } from '../core/retry';
import { WebhookError, describeCause, isWebhookError } from '../errors/webhook-error';
import { parseEvent } from '../events/parse-event';
import type { InboxHandlerContext } from './inbox-context';
import type { InboxSql } from './inbox-sql';
import type { PostgresClientLike, PostgresNotification, PostgresPooledClient, PostgresPoolLike } from './postgres-client';

/** A running inbox worker: see `PostgresInbox.work`. */
export interface InboxWorker {
  /**
   * Stops taking rows, lets the events being worked finish (their transactions commit or roll
   * back), and gives back every connection. Resolves once all that is done.
   */
  close(): Promise<void>;
}

/** What a worker is made with, checked. */
export interface InboxWorkerSettings {
  readonly pool: PostgresPoolLike;
  readonly sql: InboxSql;
  readonly receiver: Receiver;
  readonly concurrency: number;
  readonly retry: ResolvedRetry;
  readonly pollMs: number;
  /** Deletes processed rows older than the inbox's `ttlMs`. */
  readonly prune: () => Promise<number>;
  readonly pruneEveryMs: number;
}

/** A row as the claim reads it. */
interface InboxRow {
  readonly id: string;
  readonly event: unknown;
  readonly headers: IncomingHeaders;
  readonly received_at: Date;
  readonly attempts: number;
}

/** How much of a failure's message the row keeps in `last_error`. */
const MAX_ERROR_LENGTH = 2000;

/**
 * Runs the handlers of pending inbox rows, `concurrency` at a time. Each lane takes the next due row
 * with `FOR UPDATE SKIP LOCKED` and runs its handlers inside that row's transaction; it sleeps when
 * nothing is due until a `NOTIFY` (sent by every insert) or `pollMs` wakes it. Polling is the fallback
 * for a lost `LISTEN` connection and for retries coming due.
 */
export class PostgresInboxWorker implements InboxWorker {
  readonly #settings: InboxWorkerSettings;
  readonly #lanes: Promise<void>[];
  #closing = false;
  /** Wakes every sleeping lane: replaced each time it fires. */
  #wake: () => void = () => undefined;
  #woken: Promise<void>;
  #listener: PostgresPooledClient | undefined;
  #listening: Promise<void> | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  /** Whether `onError` was told that Postgres is unreachable, so an outage is reported once. */
  #reportedDown = false;

  constructor(settings: InboxWorkerSettings) {
    this.#settings = settings;
    this.#woken = this.#nextWake();
    this.#listening = this.#listen();
    this.#lanes = Array.from({ length: settings.concurrency }, () => this.#lane());
    this.#pruneTimer = setInterval(() => void this.#prune(), settings.pruneEveryMs);
    this.#pruneTimer.unref();
    void this.#prune();
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#pruneTimer);
    this.#wake();
    await Promise.all(this.#lanes);
    await this.#listening;
    await this.#dropListener();
  }

  #nextWake(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Wakes every lane now. */
  #wakeAll(): void {
    const wake = this.#wake;
    this.#woken = this.#nextWake();
    wake();
  }

  /** One lane: works rows while there are due ones, else sleeps until woken or `pollMs` passes. */
  async #lane(): Promise<void> {
    while (!this.#closing) {
      let worked = false;
      try {
        worked = await this.#workOne();
        this.#up();
      } catch (cause) {
        await this.#down(cause);
      }
      if (!worked && !this.#isClosing()) await this.#sleep();
    }
  }

  async #sleep(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#settings.pollMs)))]);
    clearTimeout(timer);
    // A lost LISTEN connection is made again on the next sleep: the poll kept things moving meanwhile.
    if (!this.#isListening() && !this.#isClosing()) {
      await this.#listening;
      if (!this.#isListening()) this.#listening = this.#listen();
    }
  }

  /**
   * Takes the next due row and runs its handlers in its transaction. Resolves whether there was one.
   * A handler failure rolls back to a savepoint, so the row stays locked while its attempt is
   * counted: no other worker can take it between the rollback and the count.
   */
  async #workOne(): Promise<boolean> {
    const { pool, sql, receiver } = this.#settings;
    const client = await pool.connect();
    client.on('error', ignoreError);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const [row] = (await client.query(sql.claim)).rows as InboxRow[];
      if (row === undefined) {
        await client.query('COMMIT');
        return false;
      }
      const attempt = row.attempts + 1;
      let event: AnyEvent;
      try {
        // Validated again: a worker may run a newer version than the web process that stored it.
        event = parseEvent(row.event);
      } catch (error) {
        const invalid = isWebhookError(error) ? error.with({ deliveryId: row.id }) : new WebhookError('invalid_event', String(error));
        await client.query(sql.failed, [row.id, attempt, errorText(invalid), 'dead', 0]);
        await client.query('COMMIT');
        await receiver.errors.report(invalid);
        return true;
      }
      const ctx: InboxHandlerContext = Object.freeze({
        id: event.id,
        receivedAt: new Date(row.received_at),
        headers: row.headers,
        db: client,
        attempt,
      });
      await client.query('SAVEPOINT converc_webhooks_handlers');
      try {
        await receiver.runHandlers(event, ctx, attempt);
      } catch (cause) {
        await client.query('ROLLBACK TO SAVEPOINT converc_webhooks_handlers');
        await this.#failed(client, row, event, attempt, cause);
        return true;
      }
      await client.query(sql.processed, [row.id, attempt]);
      await client.query('COMMIT');
      return true;
    } catch (error) {
      // The connection may be gone (Postgres stopped, network cut): the pool must not reuse it, and
      // Postgres rolls back whatever the transaction held, so the row is due again.
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // A broken connection keeps its listener: the pool ends it, and it may still report its end.
      if (broken === undefined) client.removeListener('error', ignoreError);
      client.release(broken);
    }
  }

  /** Counts a failed attempt in the row's transaction, then commits; the last one makes the row dead. */
  async #failed(client: PostgresClientLike, row: InboxRow, event: AnyEvent, attempt: number, cause: unknown): Promise<void> {
    const { sql, retry, receiver } = this.#settings;
    const dead = attempt >= retry.attempts;
    const delay = dead ? 0 : backoffDelay(attempt, retry);
    await client.query(sql.failed, [row.id, attempt, errorText(cause), dead ? 'dead' : 'pending', delay]);
    await client.query('COMMIT');
    if (dead) {
      const error = new WebhookError('handler_failed', `A handler for ${event.type} failed (attempt ${attempt} of ${retry.attempts})`, {
        cause,
        event,
        deliveryId: event.id,
        attempt,
      });
      await receiver.deadLetter(event, error);
    }
  }

  // Read through methods: these fields change while a lane awaits, which TypeScript's narrowing cannot see.
  #isClosing(): boolean {
    return this.#closing;
  }

  #isListening(): boolean {
    return this.#listener !== undefined;
  }

  #up(): void {
    this.#reportedDown = false;
  }

  /** Postgres failed us: told to `onError` once per outage, then the lane waits a poll and tries again. */
  async #down(cause: unknown): Promise<void> {
    if (this.#reportedDown) return;
    this.#reportedDown = true;
    const error = new WebhookError('store_unavailable', 'The Postgres inbox could not be read; the worker keeps trying', { cause });
    await this.#settings.receiver.errors.report(error);
  }

  /** Opens the LISTEN connection; on failure, polling carries on and the next sleep tries again. */
  async #listen(): Promise<void> {
    if (this.#closing) return;
    const { pool, sql } = this.#settings;
    let client: PostgresPooledClient | undefined;
    try {
      client = await pool.connect();
      const listening = client;
      listening.on('error', () => {
        if (this.#listener === listening) void this.#dropListener(true);
      });
      listening.on('notification', this.#onNotification);
      await listening.query(sql.listen);
      this.#listener = listening;
      if (this.#isClosing()) await this.#dropListener();
    } catch {
      client?.removeListener('notification', this.#onNotification);
      client?.release(true);
    }
  }

  readonly #onNotification = (message: PostgresNotification): void => {
    if (message.channel === this.#settings.sql.channel) this.#wakeAll();
  };

  /** Gives the LISTEN connection back: closed when `broken`, else with its LISTEN undone, for reuse. */
  async #dropListener(broken = false): Promise<void> {
    const client = this.#listener;
    if (client === undefined) return;
    this.#listener = undefined;
    client.removeListener('notification', this.#onNotification);
    if (broken) {
      client.release(true);
      return;
    }
    try {
      await client.query(this.#settings.sql.unlisten);
      client.release();
    } catch {
      client.release(true);
    }
  }

  /** Deletes processed rows older than `ttlMs`: once gone, a resend of the event is new again. */
  async #prune(): Promise<void> {
    try {
      await this.#settings.prune();
    } catch {
      // The lanes report an outage; pruning simply waits for the next round.
    }
  }
}

/** Kept on a connection in use, so that its failure rejects the query at hand instead of throwing. */
function ignoreError(): void {}

/**
 * A failure as the row's `last_error` keeps it: its name and message, as much as logs may show of a
 * cause (a thrown object may be the event). Postgres text cannot hold NUL: a message with one would
 * fail the update that counts the attempt, and the row would run again and again uncounted.
 */
function errorText(cause: unknown): string {
  const { name, message } = describeCause(cause);
  const text = (message === undefined ? `a thrown ${name}` : `${name}: ${message}`).replaceAll('\0', '\uFFFD');
  return text.length > MAX_ERROR_LENGTH ? text.slice(0, MAX_ERROR_LENGTH) : text;
}
