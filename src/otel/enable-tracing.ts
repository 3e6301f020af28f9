import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import type { TracingChannelSubscribers } from 'node:diagnostics_channel';
import { z } from 'zod';
import { packageVersion } from '../package-version';
import { deliveryChannel, handlerChannel, type DeliveryTrace, type HandlerTrace } from '../observability/channels';
import { checkOptions, objectWith, optionsObject } from '../options/check-options';

/** Options of {@link enableTracing}. */
export interface EnableTracingOptions {
  /**
   * Where the spans go.
   * @default the global tracer provider (`trace.getTracerProvider()`), as the OpenTelemetry SDK registers it
   */
  tracerProvider?: TracerProvider;
}

const optionsSchema = optionsObject({
  tracerProvider: objectWith<TracerProvider>(['getTracer'], 'must be an OpenTelemetry TracerProvider').optional(),
} satisfies Record<keyof EnableTracingOptions, z.ZodType>);

/** The name of the span of each delivery, from its arrival to its answer. */
export const DELIVERY_SPAN = 'converc.delivery';
/** The name of the span of each run of a handler (a retry is a run of its own), in the receiver or in a worker. */
export const HANDLER_SPAN = 'converc.handler';

/** The attributes the spans carry. */
export const ATTRIBUTES = {
  /** The event's id (the dedupe key). */
  eventId: 'converc.event.id',
  /** The event's type, such as `call.ended`. */
  eventType: 'converc.event.type',
  /** How the delivery or the handler run ended: an outcome kind. */
  outcome: 'converc.delivery.outcome',
  /** The `WebhookError` code of a refusal or failure. */
  errorCode: 'converc.error.code',
  /** Which run of a handler this is, 1 for the first. */
  attempt: 'converc.handler.attempt',
} as const;

/**
 * Traces every receiver in the process with OpenTelemetry, by subscribing to the package's
 * diagnostics channels (the core is not wrapped): a span per delivery (`converc.delivery`, a child
 * of the span active when the request arrived, such as the HTTP server's), and a child span per run
 * of a handler and per retry (`converc.handler`). Both carry `converc.event.id`,
 * `converc.event.type`, `converc.delivery.outcome`, and `converc.error.code` on a refusal or failure.
 * A delivery handed to a BullMQ queue carries its `traceparent` in the job, and the worker's handler
 * spans continue its trace.
 *
 * @returns the function that unsubscribes (spans already started still end)
 * @example
 * ```ts
 * import { enableTracing } from 'converc-webhooks/otel';
 * const stopTracing = enableTracing(); // after the OpenTelemetry SDK has started
 * ```
 */
export function enableTracing(options: EnableTracingOptions = {}): () => void {
  const { tracerProvider } = checkOptions(optionsSchema, options, 'enableTracing(options)');
  const tracer = (tracerProvider ?? trace.getTracerProvider()).getTracer('converc-webhooks', packageVersion());
  // Keyed by the channel's context objects, which live as long as the delivery (or handler run).
  const deliverySpans = new WeakMap<DeliveryTrace, Span>();
  const handlerSpans = new WeakMap<HandlerTrace, Span>();

  const onDelivery: TracingChannelSubscribers<DeliveryTrace> = {
    start(message) {
      const attributes = message.headerId === undefined ? {} : { [ATTRIBUTES.eventId]: message.headerId };
      const span = tracer.startSpan(DELIVERY_SPAN, { kind: SpanKind.INTERNAL, attributes }, context.active());
      deliverySpans.set(message, span);
      message.traceparent = traceparentOf(span);
    },
    end: ignore,
    asyncStart: ignore,
    asyncEnd(message) {
      const span = deliverySpans.get(message);
      const outcome = message.result;
      if (span === undefined || outcome === undefined) return;
      span.setAttribute(ATTRIBUTES.outcome, outcome.kind);
      if (outcome.id !== undefined) span.setAttribute(ATTRIBUTES.eventId, outcome.id);
      if (outcome.type !== undefined) span.setAttribute(ATTRIBUTES.eventType, outcome.type);
      if (outcome.kind === 'failed' || outcome.kind === 'refused') {
        span.setAttribute(ATTRIBUTES.errorCode, outcome.error.code);
        // A refusal the sender caused (4xx) is an answer, not an error of this service.
        if (outcome.error.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.code });
      }
      span.end();
    },
    error: ignore,
  };

  const onHandler: TracingChannelSubscribers<HandlerTrace> = {
    start(message) {
      const attributes = {
        [ATTRIBUTES.eventId]: message.id,
        [ATTRIBUTES.eventType]: message.type,
        [ATTRIBUTES.attempt]: message.attempt,
      };
      const span = tracer.startSpan(HANDLER_SPAN, { kind: SpanKind.INTERNAL, attributes }, parentOf(message, deliverySpans));
      handlerSpans.set(message, span);
    },
    // A handler that threw synchronously publishes `error` then `end`, and no asyncEnd.
    end(message) {
      if ('error' in message) endHandlerSpan(handlerSpans, message);
    },
    asyncStart: ignore,
    asyncEnd(message) {
      endHandlerSpan(handlerSpans, message);
    },
    error: ignore,
  };

  deliveryChannel.subscribe(onDelivery);
  handlerChannel.subscribe(onHandler);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    deliveryChannel.unsubscribe(onDelivery);
    handlerChannel.unsubscribe(onHandler);
  };
}

function ignore(): void {
  // This event of the channel adds nothing to the spans.
}

/**
 * The parent of a handler run's span: its delivery's span in the receiver (also for a retry that runs
 * after the answer), the trace a queued job carries in a worker, else the active context.
 */
function parentOf(message: HandlerTrace, deliverySpans: WeakMap<DeliveryTrace, Span>): Context {
  const active = context.active();
  const deliverySpan = message.delivery === undefined ? undefined : deliverySpans.get(message.delivery);
  if (deliverySpan !== undefined) return trace.setSpan(active, deliverySpan);
  const remote = message.traceparent === undefined ? undefined : parseTraceparent(message.traceparent);
  return remote === undefined ? active : trace.setSpanContext(active, remote);
}

function endHandlerSpan(handlerSpans: WeakMap<HandlerTrace, Span>, message: HandlerTrace): void {
  const span = handlerSpans.get(message);
  if (span === undefined) return;
  handlerSpans.delete(message);
  if ('error' in message) {
    span.setAttribute(ATTRIBUTES.outcome, 'failed');
    span.setAttribute(ATTRIBUTES.errorCode, 'handler_failed');
    // The error's name, message and stack: not the event it may carry.
    if (message.error instanceof Error) span.recordException(message.error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'handler_failed' });
  } else {
    span.setAttribute(ATTRIBUTES.outcome, 'processed');
  }
  span.end();
}

/** The W3C `traceparent` of a span, written by hand so that no propagator need be registered. */
function traceparentOf(span: Span): string | undefined {
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return undefined;
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags.toString(16).padStart(2, '0')}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The remote span context of a `traceparent`, or undefined when it is not one. */
function parseTraceparent(traceparent: string): { traceId: string; spanId: string; traceFlags: number; isRemote: true } | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (match === null) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true as const };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}
