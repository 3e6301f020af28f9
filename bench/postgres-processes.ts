/**
 * The child processes of `bench/postgres-inbox.ts`: `node --import tsx bench/postgres-processes.ts <role>`.
 *
 * - `web-inline`, `web-inline-insert`, `web-bullmq`, `web-inbox`: a node:http receiver on a free port
 *   of 127.0.0.1 (sent to the parent as `{ port }` over IPC): handlers in process (a no-op, or one that
 *   INSERTs a row), or the BullMQ handoff, or the Postgres inbox handoff.
 * - `worker`: an inbox worker whose handler INSERTs one effect row through `ctx.db`; sends `{ ready }`.
 *
 * The package comes from dist/, as users load it. Environment: POSTGRES_URL, REDIS_URL, BENCH_TABLE
 * (the inbox), BENCH_EFFECTS (the effects table), BENCH_QUEUE (the BullMQ queue), WORKER_CONCURRENCY.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Pool, type PoolClient } from 'pg';
import type * as Postgres from 'converc-webhooks/postgres';
import type * as Bullmq from 'converc-webhooks/bullmq';
import { loadBuiltPackage, ROOT } from './built-package';

const requireBuilt = createRequire(__filename);
const { convercWebhooks, createNodeHandler } = loadBuiltPackage();
const { createPostgresInbox } = requireBuilt(join(ROOT, 'dist', 'postgres', 'index.js')) as typeof Postgres;
const { createQueueHandoff } = requireBuilt(join(ROOT, 'dist', 'bullmq', 'index.js')) as typeof Bullmq;

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set`);
  return value;
};
const role = process.argv[2] ?? '';
const noop = (): void => undefined;

function pool(): Pool {
  const made = new Pool({ connectionString: env('POSTGRES_URL'), max: 20 });
  made.on('error', noop);
  return made;
}

function receiver() {
  switch (role) {
    case 'web-inline':
      return convercWebhooks().on('call.ended', noop);
    case 'web-inline-insert': {
      const db = pool();
      const sql = `INSERT INTO "${env('BENCH_EFFECTS')}" (event_id) VALUES ($1)`;
      return convercWebhooks().on('call.ended', async (event) => {
        await db.query(sql, [event.id]);
      });
    }
    case 'web-bullmq': {
      const queue = new Queue(env('BENCH_QUEUE'), { connection: { url: env('REDIS_URL'), enableOfflineQueue: false } });
      queue.on('error', noop);
      return convercWebhooks({ handoff: createQueueHandoff(queue) });
    }
    case 'web-inbox':
      return convercWebhooks({ handoff: createPostgresInbox({ pool: pool(), table: env('BENCH_TABLE') }) });
    default:
      throw new Error(`unknown role ${role}`);
  }
}

if (role === 'worker') {
  const inbox = createPostgresInbox<PoolClient>({ pool: pool(), table: env('BENCH_TABLE') });
  const sql = `INSERT INTO "${env('BENCH_EFFECTS')}" (event_id) VALUES ($1)`;
  const webhooks = convercWebhooks({ handoff: inbox }).on(
    'call.ended',
    inbox.handler(async (event, { db }) => {
      await db.query(sql, [event.id]);
    }),
  );
  inbox.work(webhooks, { concurrency: Number(process.env.WORKER_CONCURRENCY ?? 4), pollMs: 50 });
  process.send?.({ ready: true });
} else {
  const server = createServer(createNodeHandler(receiver()));
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
}
process.once('SIGTERM', () => process.exit(0));
