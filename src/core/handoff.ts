import type { AnyEvent, HandlerContext } from './handler-types';

/**
 * Somewhere durable that takes valid, deduplicated events instead of the handlers running in this
 * process: a queue whose workers run them (see `converc-webhooks/bullmq`).
 */
export interface Handoff {
  /**
   * Stores the event durably. Resolves `'accepted'` once it is stored (only then is the delivery
   * answered `202`), or `'duplicate'` when the queue already holds this event. Rejects, or takes longer
   * than `storeTimeoutMs`, when it cannot take it: `onStoreError` then decides.
   */
  enqueue(event: AnyEvent, ctx: HandlerContext): Promise<'accepted' | 'duplicate'>;
}
