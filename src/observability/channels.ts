import { tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import type { DeliveryOutcome } from '../core/outcome';

/**
 * What the `converc-webhooks:delivery` tracing channel publishes for one delivery (the same object
 * on each of its events). Published only while someone subscribes.
 */
export interface DeliveryTrace {
  /** The request method. */
  readonly method: string;
  /** The `X-IC-Id` header, when the request has one (the outcome has the dedupe key however found). */
  readonly headerId: string | undefined;
  /**
   * A W3C `traceparent` for the work this delivery hands on: a tracer sets it on `start`, and a
   * `handoff` queue carries it in the job (`converc-webhooks/otel` does both).
   */
  traceparent?: string | undefined;
  /** On `asyncStart` and `asyncEnd`: the delivery's outcome. A delivery never errors: every failure is an outcome. */
  result?: DeliveryOutcome;
}

/**
 * What the `converc-webhooks:handler` tracing channel publishes for one run of one handler: each
 * attempt, a retry included, and each run of a worker's job.
 */
export interface HandlerTrace {
  /** The dedupe key of the delivery. */
  readonly id: string;
  /** The event's type. */
  readonly type: string;
  /** Which run this is, 1 for the first; a retry is 2 or more. */
  readonly attempt: number;
  /** The delivery it runs in, when it runs in the receiver (not in a queue's worker). */
  readonly delivery: DeliveryTrace | undefined;
  /** In a worker: the `traceparent` the job carries from the delivery that queued it. */
  readonly traceparent: string | undefined;
  /** On `asyncStart` and `asyncEnd`: what the handler returned, when it succeeded. */
  result?: unknown;
  /** On `error` (then `asyncStart` and `asyncEnd` unless it threw synchronously): what it threw. */
  error?: unknown;
}

/** The channel name of the delivery tracing channel. */
export const DELIVERY_CHANNEL = 'converc-webhooks:delivery';
/** The channel name of the handler tracing channel. */
export const HANDLER_CHANNEL = 'converc-webhooks:handler';

/**
 * Each delivery, from its arrival to its outcome (`diagnostics_channel.tracingChannel`): `start`
 * when it arrives, `asyncEnd` with `result`, the {@link DeliveryOutcome}. Channels are found by
 * name, so two copies of the package publish on the same ones.
 */
export const deliveryChannel: TracingChannel<DeliveryTrace, DeliveryTrace> = tracingChannel(DELIVERY_CHANNEL);

/** Each run of a handler: `start`, then `asyncEnd` with `result`, or `error` with what it threw. */
export const handlerChannel: TracingChannel<HandlerTrace, HandlerTrace> = tracingChannel(HANDLER_CHANNEL);

/**
 * Whether anyone listens on `channel`: the receiver builds no context object otherwise. Asked of its
 * five channels rather than of `TracingChannel.hasSubscribers`, which Node 20 has only from 20.13.
 */
export function isObserved<T extends object>(channel: TracingChannel<T, T>): boolean {
  return (
    channel.start.hasSubscribers ||
    channel.asyncEnd.hasSubscribers ||
    channel.end.hasSubscribers ||
    channel.error.hasSubscribers ||
    channel.asyncStart.hasSubscribers
  );
}
