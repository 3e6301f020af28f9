import type { AnyEvent, HandlerContext } from './handler-types';

/**
 * Somewhere durable that takes valid, deduplicated events instead of the handlers running in this
 * process: a queue whose workers run them (see `converc-webhooks/bullmq`).
 */
export interface Handoff {
  /**
   * Stores the event durably. Resolves `'accepted'` once it is stored (only then is the delivery
   * answered `202`), or `'duplicate'` when the queue already holds this event. Rejects, or takes longer
   * than `storeTimeoutMs`, when it cannot take it: `onStoreError` then decides. `trace` is given only
   * while the delivery is traced (see `converc-webhooks/otel`): store it with the event.
   */
  enqueue(event: AnyEvent, ctx: HandlerContext, trace?: HandoffTrace): Promise<'accepted' | 'duplicate'>;
}

/** The trace a traced delivery hands on with its event, for the worker's handler spans to continue. */
export interface HandoffTrace {
  /** The W3C `traceparent` of the delivery's span, when a tracer set one. */
  readonly traceparent: string | undefined;
}
