import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { checkOptions, fn, mustBe, optionsObject, wholeNumber } from '../options/check-options';
import type { QueuedEvent } from './queued-event';

/** What {@link retryFailedJobs} uses of a BullMQ `Queue`; any `Queue` has it. */
export type RetryQueue = Pick<Queue<QueuedEvent>, 'getJobs'>;

/** Options of {@link retryFailedJobs}. */
export interface RetryFailedJobsOptions {
  /**
   * Only the failed jobs this returns true for are moved back, such as one event type
   * (`(job) => job.name === 'call.ended'`) or one failure (`(job) => job.failedReason.includes('503')`).
   * @default every failed job
   */
  filter?: (job: Job<QueuedEvent>) => boolean;
  /**
   * Give each job its full `attempts` again. With `false`, a job that had used them all gets a
   * single run.
   * @default true
   */
  resetAttempts?: boolean;
  /**
   * How many failed jobs are read from Redis at a time.
   * @default 100
   */
  pageSize?: number;
}

const optionsSchema = optionsObject({
  filter: fn<(job: Job<QueuedEvent>) => boolean>('must be a function').optional(),
  resetAttempts: z.boolean({ error: mustBe('true or false') }).default(true),
  pageSize: wholeNumber().default(100),
} satisfies Record<keyof RetryFailedJobsOptions, z.ZodType>);

/**
 * Moves failed event jobs (those whose attempts ran out) back to waiting, once their cause is fixed,
 * and resolves how many it moved. Workers then run their handlers again. Each job is moved at most
 * once per call, even if it fails again meanwhile; a job someone else moved first is skipped.
 *
 * @example
 * ```ts
 * const queue = new Queue('converc', { connection });
 * console.log(`${await retryFailedJobs(queue)} events queued again`);
 * await queue.close();
 * ```
 */
export async function retryFailedJobs(queue: RetryQueue, options: RetryFailedJobsOptions = {}): Promise<number> {
  if (typeof (queue as unknown) !== 'object' || (queue as unknown) === null || typeof queue.getJobs !== 'function') {
    throw new TypeError('retryFailedJobs(queue): queue must be a BullMQ Queue');
  }
  const { filter, resetAttempts, pageSize } = checkOptions(optionsSchema, options, 'retryFailedJobs(queue, options)');
  const retryOptions = { resetAttemptsMade: resetAttempts, resetAttemptsStarted: resetAttempts };
  const seen = new Set<string>();
  let retried = 0;
  // Oldest first, from `skipped` on: a moved job leaves the set, one left behind (filtered out, or
  // already seen because it failed again meanwhile) stays in front and is counted in `skipped`.
  let skipped = 0;
  for (;;) {
    const page = await queue.getJobs(['failed'], skipped, skipped + pageSize - 1, true);
    if (page.length === 0) return retried;
    for (const job of page) {
      const id = job.id ?? '';
      if (seen.has(id) || (filter !== undefined && !filter(job))) {
        seen.add(id);
        skipped += 1;
        continue;
      }
      seen.add(id);
      try {
        await job.retry('failed', retryOptions);
        retried += 1;
      } catch (error) {
        // Another caller, or a worker's cleanup, took it out of the failed set first: not ours to move.
        if (await job.isFailed()) throw error;
      }
    }
  }
}
