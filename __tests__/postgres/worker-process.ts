/**
 * An inbox worker process for the multi-process tests: `node --import tsx __tests__/postgres/worker-process.ts`.
 * Runs the handler of an app on the rows of a Postgres inbox, and writes one effect row per run
 * through `ctx.db`, in the row's transaction, so the test sees what committed, where, and how often.
 *
 * Environment: POSTGRES_URL, INBOX_TABLE, EFFECTS_TABLE, WORKER_NAME; SLOW_MS, how long the handler
 * of an event whose id starts with `slow-` waits after writing its effect (so a SIGKILL lands after
 * the write, before the commit). Prints `ready`, then `started <id>` for slow events, and
 * `error <code> <id>` for what reaches onError.
 */
import { Pool, type PoolClient } from 'pg';
import { convercWebhooks } from '../../src/index';
import { createPostgresInbox } from '../../src/postgres';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set`);
  return value;
};
const effects = env('EFFECTS_TABLE');
const workerName = env('WORKER_NAME');
const slowMs = Number(process.env.SLOW_MS ?? 1000);
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const pool = new Pool({ connectionString: env('POSTGRES_URL'), max: 12 });
pool.on('error', () => undefined);
const inbox = createPostgresInbox<PoolClient>({ pool, table: env('INBOX_TABLE') });

const webhooks = convercWebhooks({ handoff: inbox })
  .on(
    'call.ended',
    inbox.handler(async (event, { db }) => {
      await db.query(`INSERT INTO "${effects}" (event_id, worker) VALUES ($1, $2)`, [event.id, workerName]);
      if (event.id.startsWith('slow-')) {
        say(`started ${event.id}`);
        await sleep(slowMs);
      }
    }),
  )
  .onError((error) => {
    say(`error ${error.code} ${error.deliveryId ?? ''}`);
  });

const worker = inbox.work(webhooks, { concurrency: 8, pollMs: 200, retry: { attempts: 5, minDelayMs: 50, maxDelayMs: 200 } });
say('ready');

process.once('SIGTERM', () => {
  void worker
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
});
