import { randomUUID } from 'node:crypto';
import type { JobsOptions, Queue } from 'bullmq';
import { z } from 'zod';
import type { Handoff, HandoffTrace } from '../core/handoff';
import type { AnyEvent, HandlerContext } from '../core/handler-types';
import { omitHeadersOption } from '../core/stored-headers';
import { checkOptions, optionsObject } from '../options/check-options';
import { jobIdFor } from './job-id';
import { toQueuedEvent, type QueuedEvent } from './queued-event';

/** What the handoff uses of a BullMQ `Queue`; any `Queue` has it. */
export type HandoffQueue = Pick<Queue<QueuedEvent>, 'name' | 'add' | 'getJob' | 'defaultJobOptions'>;

/** Job options the handoff sets; `jobId` is always the event's, so it cannot be given. */
export type HandoffJobOptions = Omit<JobsOptions, 'jobId'>;

/** Options of {@link createQueueHandoff}. */
export interface QueueHandoffOptions {
  /**
   * BullMQ job options for every event's job, over the handoff's defaults and the queue's own
   * `defaultJobOptions`. Keep `removeOnComplete` long: while a completed job is kept, its event id is
   * a duplicate on every replica; once removed, a resend of the event is processed again.
   * @default { attempts: 5, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 }, removeOnComplete: { age: 86_400 }, removeOnFail: false }
   */
  jobOptions?: HandoffJobOptions;
  /**
   * Request headers left out of the stored job, case-insensitive: job data sits in Redis, and in every
   * dashboard that shows it, long after the request. Handlers in workers do not see these headers.
   * @default ['authorization', 'proxy-authorization', 'cookie']
   */
  omitHeaders?: readonly string[];
}

/**
 * The defaults: five attempts over about 15 s of exponential backoff (1, 2, 4, 8 s, each up to half
 * shorter), ids kept as duplicates for a day after success, failures kept until someone looks.
 */
export const DEFAULT_JOB_OPTIONS: Readonly<HandoffJobOptions> = Object.freeze({
  attempts: 5,
  backoff: Object.freeze({ type: 'exponential', delay: 1000, jitter: 0.5 }),
  // In seconds. The provider resends nothing, but a replay or a second delivery may come a day later.
  removeOnComplete: Object.freeze({ age: 86_400 }),
  // A failed job is the event, kept: `retryFailedJobs` runs it again once the cause is fixed.
  removeOnFail: false,
});

const optionsSchema = optionsObject({
  // BullMQ checks its own job options; only the id is ours.
  jobOptions: z
    .custom<HandoffJobOptions>((value) => typeof value === 'object' && value !== null, { error: 'must be an object of BullMQ job options' })
    .refine((jobOptions) => !('jobId' in jobOptions), { error: 'cannot be set: the job id is the event id', path: ['jobId'] })
    .default({}),
  omitHeaders: omitHeadersOption,
} satisfies Record<keyof QueueHandoffOptions, z.ZodType>);

/**
 * Hands each valid, deduplicated event to a BullMQ queue instead of running the handlers in the web
 * process: pass it as the `handoff` option. The job's id is the event's id (see {@link jobIdFor}), so
 * BullMQ keeps one job per event across every replica for as long as the job is kept; its name is the
 * event type and its data a {@link QueuedEvent}. `enqueue` resolves `'accepted'` once Redis has stored
 * a new job, `'duplicate'` when the queue already held one for this event, and rejects when the queue
 * cannot take it (the receiver's `onStoreError` then decides).
 *
 * Give the queue a connection with `enableOfflineQueue: false`: otherwise, while Redis is down, an add
 * waits in the client and may land after the receiver gave up on it and ran the handlers itself.
 *
 * @example
 * ```ts
 * import { Queue } from 'bullmq';
 * import { convercWebhooks } from 'converc-webhooks';
 * import { createQueueHandoff } from 'converc-webhooks/bullmq';
 *
 * const queue = new Queue('converc', { connection: { host: '127.0.0.1', port: 6379, enableOfflineQueue: false } });
 * const webhooks = convercWebhooks({ handoff: createQueueHandoff(queue) });
 * ```
 */
export function createQueueHandoff(queue: HandoffQueue, options: QueueHandoffOptions = {}): Handoff {
  if (typeof (queue as unknown) !== 'object' || (queue as unknown) === null || typeof queue.add !== 'function') {
    throw new TypeError('createQueueHandoff(queue): queue must be a BullMQ Queue');
  }
  const { jobOptions, omitHeaders } = checkOptions(optionsSchema, options, 'createQueueHandoff(queue, options)');

  return {
    async enqueue(event: AnyEvent, ctx: HandlerContext, trace?: HandoffTrace): Promise<'accepted' | 'duplicate'> {
      const jobId = jobIdFor(ctx.id);
      const enqueueId = randomUUID();
      await queue.add(event.type, toQueuedEvent(event, ctx, omitHeaders, enqueueId, trace?.traceparent), {
        // The queue's own defaults win over ours: whoever configured the queue meant them.
        ...DEFAULT_JOB_OPTIONS,
        ...queue.defaultJobOptions,
        ...jobOptions,
        jobId,
      });
      // BullMQ answers an add under an id it already holds with that id and our own data, exactly as
      // if it had added the job: only the stored job's enqueueId tells whose it is. It is atomic where
      // it matters: of two replicas adding one event at once, one job exists, and one of them sees
      // its own enqueueId. A job gone already (completed under a short removeOnComplete) ran: accepted.
      const stored = await queue.getJob(jobId);
      return stored === undefined || (stored.data as Partial<QueuedEvent> | undefined)?.enqueueId === enqueueId
        ? 'accepted'
        : 'duplicate';
    },
  };
}
