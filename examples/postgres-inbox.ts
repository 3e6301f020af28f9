/**
 * Exactly-once database effects: the web process stores each event in a Postgres inbox and answers
 * 202 only once the row has committed; workers run the handlers inside the row's transaction, so what
 * a handler writes through `ctx.db` commits with the row's `processed` mark, or not at all, across
 * crashes, replicas and resends.
 *
 *   DATABASE_URL=postgres://app@127.0.0.1:5432/app npx tsx examples/postgres-inbox.ts web     # listens on PORT (default 3000)
 *   DATABASE_URL=postgres://app@127.0.0.1:5432/app npx tsx examples/postgres-inbox.ts worker  # start as many as you like
 *   npx converc-webhooks replay-failed --postgres-url "$DATABASE_URL"                          # dead rows, once the cause is fixed
 */
import express from 'express';
import { Pool, type PoolClient } from 'pg';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';
import { createPostgresInbox, type InboxWorker, type PostgresInbox } from 'converc-webhooks/postgres';

/** The app's own table, written in the same transaction as the inbox row. */
export const CALLS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS calls (
  event_id text PRIMARY KEY,
  call_id  text NOT NULL,
  ended_at timestamptz NOT NULL
)`;

/** The receiver and its handlers, one module for both sides: the web process stores, the workers run. */
export function createWebhooks(inbox: PostgresInbox<PoolClient>): ConvercWebhooks {
  return convercWebhooks({
    handoff: inbox,
    // Postgres down: answer 503 and keep the event (error.rawBody) from onError, rather than run a
    // handler that needs ctx.db here.
    onStoreError: 'reject',
    onDeadLetter: (event, error) => {
      console.error(`event ${event.id} failed every attempt (${error.code}); replay-failed moves it back`);
    },
  })
    .on(
      'call.ended',
      inbox.handler(async (event, { db }) => {
        await db.query('INSERT INTO calls (event_id, call_id, ended_at) VALUES ($1, $2, $3)', [
          event.id,
          event.data.call.id,
          event.data.call.endedAt,
        ]);
        // An HTTP call to a CRM here would be at least once: pass event.id as its idempotency key.
      }),
    )
    .onError((error) => {
      console.error(`converc webhook: ${error.code}`);
    });
}

/** The web side: mount the receiver; each event is answered once its row has committed. */
export function createApp(inbox: PostgresInbox<PoolClient>): { app: express.Express; webhooks: ConvercWebhooks } {
  const webhooks = createWebhooks(inbox);
  const app = express();
  app.use('/webhooks/converc', webhooks);
  return { app, webhooks };
}

/** The worker side: the handlers of {@link createWebhooks}, each event in its row's transaction. */
export function startWorker(inbox: PostgresInbox<PoolClient>): InboxWorker {
  return inbox.work(createWebhooks(inbox), { concurrency: 4, retry: { attempts: 5 } });
}

/** The inbox on a pool, with the tables created (both idempotent). */
export async function openInbox(pool: Pool, table?: string): Promise<PostgresInbox<PoolClient>> {
  const inbox = createPostgresInbox<PoolClient>({ pool, ...(table === undefined ? {} : { table }) });
  await inbox.migrate();
  await pool.query(CALLS_TABLE_SQL);
  return inbox;
}

if (require.main === module) {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
  // pg asks every pool for this: an idle connection that fails would otherwise take the process down.
  pool.on('error', (error) => {
    console.error('postgres', error.message);
  });
  void openInbox(pool).then((inbox) => {
    if (process.argv[2] === 'worker') {
      const worker = startWorker(inbox);
      process.once('SIGTERM', () => void worker.close().then(() => pool.end()));
      console.log(`worker on ${inbox.table}`);
    } else {
      const port = Number(process.env.PORT ?? 3000);
      createApp(inbox).app.listen(port, '127.0.0.1');
      console.log(`web on http://127.0.0.1:${port}/webhooks/converc`);
    }
  });
}
