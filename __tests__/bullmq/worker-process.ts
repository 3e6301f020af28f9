/**
 * A worker process for the multi-process tests: `node --import tsx __tests__/bullmq/worker-process.ts`.
 * Runs the handlers of an app (two per event) on BullMQ jobs and counts every run in Redis, so the
 * test sees what ran, where, and how often, across processes and a SIGKILL.
 *
 * Environment: REDIS_URL, QUEUE_NAME, WORKER_NAME; LOCK_DURATION_MS and STALLED_INTERVAL_MS (short,
 * so a killed worker's job is taken over quickly); SLOW_MS, how long the handlers of an event whose id
 * starts with `slow-` take. Prints `ready`, then `started <id>` and `finished <id>` for slow events.
 */
import Redis from 'ioredis';
import { convercWebhooks, type AnyEvent } from '../../src/index';
import { createWorker } from '../../src/bullmq';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} must be set`);
  return value;
};
const url = env('REDIS_URL');
const queueName = env('QUEUE_NAME');
const workerName = env('WORKER_NAME');
const slowMs = Number(process.env.SLOW_MS ?? 1000);
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const counts = new Redis(url, { maxRetriesPerRequest: 3 });
counts.on('error', () => undefined);

/** Counts one successful run of `handler` for this event, and which worker did it. */
async function count(handler: string, event: AnyEvent): Promise<void> {
  await counts.multi().hincrby(`${queueName}:runs:${handler}`, event.id, 1).hincrby(`${queueName}:workers`, workerName, 1).exec();
}

const webhooks = convercWebhooks()
  .on('call.ended', async (event) => {
    if (event.id.startsWith('slow-')) {
      say(`started ${event.id}`);
      await sleep(slowMs);
      await count('a', event);
      say(`finished ${event.id}`);
      return;
    }
    await count('a', event);
  })
  .onAny(async (event) => {
    // Slow too, so that a worker killed after `started` has finished neither handler.
    if (event.id.startsWith('slow-')) await sleep(slowMs);
    await count('b', event);
  })
  .onError((error) => {
    say(`error ${error.code} ${error.deliveryId ?? ''}`);
  });

const worker = createWorker(webhooks, {
  queueName,
  connection: { url },
  concurrency: 8,
  name: workerName,
  lockDuration: Number(process.env.LOCK_DURATION_MS ?? 30_000),
  stalledInterval: Number(process.env.STALLED_INTERVAL_MS ?? 30_000),
});
worker.on('error', () => undefined); // connection hiccups are retried by BullMQ; the test watches outcomes

void worker.waitUntilReady().then(() => {
  say('ready');
});

process.once('SIGTERM', () => {
  void worker.close().finally(() => {
    counts.disconnect();
    process.exit(0);
  });
});
