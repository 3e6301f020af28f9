import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { z } from 'zod';
import { receiverOf } from '../core/receivers';
import { isWebhookError } from '../errors/webhook-error';
import { checkOptions, mustBe, optionsObject } from '../options/check-options';
import type { ConvercWebhooks } from '../webhooks';
import { DEFAULT_QUEUE_NAME, fromQueuedEvent, type QueuedEvent } from './queued-event';

/** Options of {@link createWorker}: BullMQ's `WorkerOptions`, all passed through, and the queue's name. */
export interface CreateWorkerOptions extends WorkerOptions {
  /**
   * The name of the queue the web process hands events to (the `Queue`'s first argument).
   * @default 'converc'
   */
  queueName?: string;
  /**
   * How many jobs this worker runs at once. Handlers of one event always run together, as in process.
   * @default 1 (BullMQ's)
   */
  concurrency?: number;
}

/**
 * BullMQ's own options, passed through unchecked (BullMQ checks them), listed so that a misspelt one is
 * refused: `satisfies` keeps the list equal to `WorkerOptions` across BullMQ upgrades.
 */
const BULLMQ_WORKER_OPTIONS = {
  concurrency: true, name: true, autorun: true, limiter: true, metrics: true, maximumRateLimitDelay: true,
  maxStartedAttempts: true, maxStalledCount: true, stalledInterval: true, removeOnComplete: true, removeOnFail: true,
  skipStalledCheck: true, skipLockRenewal: true, drainDelay: true, lockDuration: true, lockRenewTime: true,
  runRetryDelay: true, settings: true, useWorkerThreads: true, telemetry: true, connection: true,
  blockingConnection: true, skipVersionCheck: true, skipWaitingForReady: true, workerForkOptions: true,
  workerThreadsOptions: true, prefix: true,
} as const satisfies Record<Exclude<keyof CreateWorkerOptions, 'queueName'>, true>;

const optionsSchema = optionsObject({
  ...(Object.fromEntries(Object.keys(BULLMQ_WORKER_OPTIONS).map((key) => [key, z.unknown().optional()])) as Record<
    keyof typeof BULLMQ_WORKER_OPTIONS,
    z.ZodOptional<z.ZodUnknown>
  >),
  queueName: z.string({ error: mustBe('a non-empty string') }).min(1, { error: mustBe('a non-empty string') }).default(DEFAULT_QUEUE_NAME),
});

/**
 * A BullMQ `Worker` that runs the handlers of `webhooks` (the same receiver, with the same typed
 * handlers, as the web process) for each event job the handoff added. All handlers of an event run
 * concurrently; when one fails, the job fails with its error, `onError` hears of it with `attempt`,
 * and BullMQ retries the job (every handler runs again) under the job's `attempts` and `backoff`.
 * Once attempts run out, the job stays in the queue's failed set: see `retryFailedJobs`. A job
 * whose data is not a valid event fails at once, without retries, and `onError` hears `invalid_event`.
 *
 * The worker starts at once (BullMQ's `autorun`); `await worker.close()` on shutdown lets running
 * jobs finish. A worker that dies mid-job loses its lock, and after `lockDuration` BullMQ's stalled
 * check gives the job to another worker: handlers must tolerate running twice (at least once).
 *
 * @example
 * ```ts
 * import { convercWebhooks } from 'converc-webhooks';
 * import { createWorker } from 'converc-webhooks/bullmq';
 *
 * const webhooks = convercWebhooks().on('call.ended', async (event) => crm.logCall(event.data.call));
 * const worker = createWorker(webhooks, { connection: { host: '127.0.0.1', port: 6379 }, concurrency: 10 });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export function createWorker(webhooks: ConvercWebhooks, options: CreateWorkerOptions): Worker<QueuedEvent, void> {
  const receiver = receiverOf(webhooks);
  const { queueName } = checkOptions(optionsSchema, options, 'createWorker(webhooks, options)');
  // BullMQ gets its options as given: the schema's copy would hold an undefined for each one not set.
  const workerOptions: WorkerOptions = { ...options };
  delete (workerOptions as CreateWorkerOptions).queueName;

  const processor = async (job: Job<QueuedEvent, void>): Promise<void> => {
    let queued: ReturnType<typeof fromQueuedEvent>;
    try {
      queued = fromQueuedEvent(job.data, job.id);
    } catch (error) {
      if (isWebhookError(error)) await receiver.errors.report(error);
      // Retrying cannot make bad data valid: straight to the failed set, where it can be looked at.
      const unrecoverable = new UnrecoverableError(error instanceof Error ? error.message : String(error));
      unrecoverable.cause = error;
      throw unrecoverable;
    }
    // attemptsMade counts the failed runs so far; the handlers see 1 on the first run, as in process.
    // A traced delivery left its traceparent in the job: the handler spans continue its trace.
    await receiver.runHandlers(queued.event, queued.ctx, job.attemptsMade + 1, queued.traceparent);
  };
  return new Worker<QueuedEvent, void>(queueName, processor, workerOptions);
}
