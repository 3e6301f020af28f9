import type { AnyEvent, HandlerContext, IncomingHeaders } from '../core/handler-types';
import { isWebhookError, WebhookError } from '../errors/webhook-error';
import { parseEvent } from '../events/parse-event';
import { keptHeaders } from '../core/stored-headers';

/**
 * The data of a job that `createQueueHandoff` adds: plain JSON, since BullMQ stores
 * `JSON.stringify(data)`.
 */
export interface QueuedEvent {
  /** The validated event, as it was received. */
  readonly event: AnyEvent;
  /** The handler context, with `receivedAt` as an ISO 8601 string. */
  readonly ctx: QueuedContext;
  /**
   * A random id of the `enqueue` call that added this job. BullMQ answers an add under an id it
   * already holds as if it had added it, so this is how the handoff tells its own job from an older one.
   */
  readonly enqueueId: string;
  /**
   * The W3C `traceparent` of the delivery that queued the event, when it was traced (see
   * `converc-webhooks/otel`): the worker's handler spans continue that trace.
   */
  readonly traceparent?: string;
}

/** A {@link HandlerContext} as stored in a job. */
export interface QueuedContext {
  /** The dedupe key of the delivery. */
  readonly id: string;
  /** When the delivery arrived, as an ISO 8601 string. */
  readonly receivedAt: string;
  /** The request headers, less those the handoff was told to omit. */
  readonly headers: IncomingHeaders;
}

/** The job data for one event. */
export function toQueuedEvent(
  event: AnyEvent,
  ctx: HandlerContext,
  omitHeaders: ReadonlySet<string>,
  enqueueId: string,
  traceparent: string | undefined,
): QueuedEvent {
  const headers = keptHeaders(ctx.headers, omitHeaders);
  const queued = { event, ctx: { id: ctx.id, receivedAt: ctx.receivedAt.toISOString(), headers }, enqueueId };
  return traceparent === undefined ? queued : { ...queued, traceparent };
}

/**
 * The event and context of a job's data, the event validated again: a worker may run a newer
 * version than the web process that stored it, and anything can write to a queue. Throws a
 * `WebhookError` with code `invalid_event` when the data is not what the handoff stores.
 */
export function fromQueuedEvent(
  data: unknown,
  jobId: string | undefined,
): { event: AnyEvent; ctx: HandlerContext; traceparent: string | undefined } {
  const queued = (typeof data === 'object' && data !== null ? data : {}) as Partial<Record<keyof QueuedEvent, unknown>>;
  const ctx = (typeof queued.ctx === 'object' && queued.ctx !== null ? queued.ctx : {}) as Partial<
    Record<keyof QueuedContext, unknown>
  >;
  const receivedAt = typeof ctx.receivedAt === 'string' ? new Date(ctx.receivedAt) : undefined;
  if (
    typeof ctx.id !== 'string' ||
    receivedAt === undefined ||
    Number.isNaN(receivedAt.getTime()) ||
    typeof ctx.headers !== 'object' ||
    ctx.headers === null
  ) {
    throw new WebhookError('invalid_event', `Job ${jobId ?? ''} does not hold an event queued by createQueueHandoff`, {
      deliveryId: jobId,
    });
  }
  let event: AnyEvent;
  try {
    event = parseEvent(queued.event);
  } catch (error) {
    throw isWebhookError(error) ? error.with({ deliveryId: ctx.id }) : error;
  }
  return {
    event,
    ctx: Object.freeze({ id: ctx.id, receivedAt, headers: ctx.headers as IncomingHeaders }),
    traceparent: typeof queued.traceparent === 'string' ? queued.traceparent : undefined,
  };
}

/** The queue name {@link createWorker} uses unless told otherwise; name your `Queue` the same. */
export const DEFAULT_QUEUE_NAME = 'converc';
