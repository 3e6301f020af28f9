/**
 * Never lose an event, across crashes and machines: the web process validates, dedupes and hands each
 * event to a BullMQ queue on Redis, answering 202 only once Redis has the job; worker processes run
 * the handlers, retried with backoff, and keep what failed every attempt in the failed set.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/durable-queue.ts web            # listens on PORT (default 3000)
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/durable-queue.ts worker         # start as many as you like
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/durable-queue.ts replay-failed  # once the cause is fixed
 */
import express from 'express';
import { Queue, type ConnectionOptions, type Worker } from 'bullmq';
import { convercWebhooks, type ConvercWebhooks, type ConvercWebhooksOptions } from 'converc-webhooks';
import {
  createQueueHandoff,
  createWorker,
  DEFAULT_QUEUE_NAME,
  retryFailedJobs,
  type CreateWorkerOptions,
  type HandoffQueue,
  type QueuedEvent,
} from 'converc-webhooks/bullmq';

/** What the app did with each event, for the demo and the tests to look at. */
export type Log = (line: string) => void;

/**
 * The receiver and its handlers, one module for both sides: in the workers the handlers run for every
 * event; in the web process (given a `handoff`) only for an event Redis could not take.
 */
export function createWebhooks(log: Log = console.log, options: ConvercWebhooksOptions = {}): ConvercWebhooks {
  return convercWebhooks(options)
    .on('call.ended', async (event, ctx) => {
      // A real app writes to its CRM here. Make it idempotent on event.id: after a crash, a job runs again.
      await Promise.resolve();
      log(`call ${event.data.call.id} ended (event ${ctx.id}, received ${ctx.receivedAt.toISOString()})`);
    })
    .on('call.missed', (event) => {
      log(`missed call ${event.data.call.id}: call the visitor back`);
    })
    .onError((error) => {
      // Each failed attempt (error.attempt), and every delivery Redis could not take (store_unavailable).
      log(`rejected or failed (${error.code}${error.attempt === undefined ? '' : `, attempt ${error.attempt}`})`);
    });
}

/** The web side: validate, dedupe, enqueue, answer 202 once Redis acknowledged the job. */
export function createApp(queue: HandoffQueue, log: Log = console.log): { app: express.Express; webhooks: ConvercWebhooks } {
  const webhooks = createWebhooks(log, {
    handoff: createQueueHandoff(queue),
    // If Redis cannot take an event, run its handlers here: the provider never resends it.
    onStoreError: 'process',
  });
  const app = express();
  app.use('/webhooks/converc', webhooks);
  return { app, webhooks };
}

/** The worker side: the handlers of {@link createWebhooks}, run by BullMQ with its attempts and backoff. */
export function startWorker(
  connection: ConnectionOptions,
  log: Log = console.log,
  options: Omit<CreateWorkerOptions, 'connection'> = {},
): Worker<QueuedEvent, void> {
  return createWorker(createWebhooks(log), { connection, concurrency: 10, ...options });
}

/** The producer's connection: with no offline queue, an add fails at once while Redis is down. */
export function producerQueue(url: string, name: string = DEFAULT_QUEUE_NAME): Queue<QueuedEvent> {
  return new Queue<QueuedEvent>(name, { connection: { url, enableOfflineQueue: false } });
}

if (require.main === module) {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const role = process.argv[2] ?? 'web';
  void (async () => {
    if (role === 'worker') {
      const worker = startWorker({ url });
      worker.on('error', (error) => {
        console.error('redis', error.message);
      });
      process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
      console.log(`worker on queue ${worker.name}`);
    } else if (role === 'replay-failed') {
      const queue = new Queue<QueuedEvent>(DEFAULT_QUEUE_NAME, { connection: { url } });
      console.log(`${await retryFailedJobs(queue)} failed events queued again`);
      await queue.close();
    } else {
      const queue = producerQueue(url);
      queue.on('error', (error) => {
        console.error('redis', error.message);
      });
      // A queue that never connected waits for Redis on its first add: connect before serving.
      await queue.waitUntilReady();
      const port = Number(process.env.PORT ?? 3000);
      createApp(queue).app.listen(port, '127.0.0.1');
      console.log(`web on http://127.0.0.1:${port}/webhooks/converc`);
    }
  })();
}
