import type { WebhookError } from '../errors/webhook-error';
import type { DeliveryTrace } from '../observability/channels';
import type { StoreOperation } from '../observability/watchers';

/**
 * How long each stage of a delivery took, in milliseconds, until it was answered. A stage the
 * delivery never reached is `undefined`.
 */
export interface StageTimings {
  /** Reading the body. */
  readonly readMs: number | undefined;
  /** Parsing the JSON and validating the event. */
  readonly validateMs: number | undefined;
  /** Waiting on the dedupe store and the handoff, all calls together. */
  readonly storeMs: number | undefined;
  /** Running the handlers, until the answer (with `ack: 'immediate'` or past `ackTimeoutMs`, they run on). */
  readonly handlersMs: number | undefined;
  /** The whole delivery, from its arrival to its answer. */
  readonly totalMs: number;
}

/**
 * What every {@link DeliveryOutcome} carries.
 *
 * @inline
 */
interface OutcomeFacts {
  /** The dedupe key, `X-IC-Id` or else the event's `id`, once known. */
  readonly id: string | undefined;
  /** The event's type, once the event was valid. */
  readonly type: string | undefined;
  /** The size of the body in bytes, when it was read as bytes (not when another parser had read it). */
  readonly bytes: number | undefined;
  /** How long each stage took. */
  readonly timings: StageTimings;
  /**
   * The dedupe store's (or the handoff queue's) failure that the delivery went on without, under
   * `onStoreError: 'process'`: the event was handled, unguarded against duplicates. (Under `'reject'`
   * the delivery is refused with that error instead.)
   */
  readonly storeError: WebhookError | undefined;
}

/**
 * How one delivery ended: the single value the receiver hands back, which its HTTP answer, `replay()`
 * and (later) logs and metrics are all read from.
 * - `processed`: the handlers ran and succeeded (200).
 * - `accepted`: the event is ours, its handlers still running, being retried, or queued (202).
 * - `duplicate`: the event was already processed, or is being processed (200).
 * - `ignored`: a valid event no handler is registered for (200).
 * - `failed`: a handler failed and no retry is left to run it (500, `handler_failed`).
 * - `refused`: the delivery was not taken; `error` says why, and its `status` is the answer's.
 */
export type DeliveryOutcome =
  | (OutcomeFacts & {
      /** The delivery was taken: processed, accepted, a duplicate, or ignored. */
      readonly kind: 'processed' | 'accepted' | 'duplicate' | 'ignored';
      /** The dedupe key: `X-IC-Id`, or else the event's `id`. */
      readonly id: string;
    })
  | (OutcomeFacts & {
      /** A handler failed and no retry is left. */
      readonly kind: 'failed';
      /** The dedupe key: `X-IC-Id`, or else the event's `id`. */
      readonly id: string;
      /** The failure, with code `handler_failed`. */
      readonly error: WebhookError;
    })
  | (OutcomeFacts & {
      /** The delivery was not taken. */
      readonly kind: 'refused';
      /** Why; its `status` is the answer's. */
      readonly error: WebhookError;
    });

/** Every kind of {@link DeliveryOutcome}. */
export type OutcomeKind = DeliveryOutcome['kind'];

/** The error of a failed or refused delivery; `undefined` for the others. */
export function errorOf(outcome: DeliveryOutcome): WebhookError | undefined {
  return outcome.kind === 'failed' || outcome.kind === 'refused' ? outcome.error : undefined;
}

/** One stage of {@link StageTimings} that is timed while the delivery runs. */
type Stage = 'read' | 'validate' | 'store' | 'handlers';

/**
 * What is known of a delivery while it goes through the receiver: its id and type once known, its
 * size, and how long each stage took. It ends as a {@link DeliveryOutcome}.
 */
export class DeliveryRecord {
  /** When the delivery arrived (handlers see it as `ctx.receivedAt`). */
  readonly receivedAt = new Date();
  id: string | undefined;
  type: string | undefined;
  bytes: number | undefined;
  /** What the delivery tracing channel publishes, when someone subscribes to it. */
  trace: DeliveryTrace | undefined;
  /** The store or queue failure the delivery went on without (see {@link OutcomeFacts.storeError}). */
  storeError: WebhookError | undefined;
  /** Told the time of each store or queue call, when the receiver has watchers (metrics). */
  onStoreCall: ((operation: StoreOperation, ms: number) => void) | undefined;
  readonly #startedAt = performance.now();
  #lapStartedAt = this.#startedAt;
  readonly #ms: Record<Stage, number | undefined> = { read: undefined, validate: undefined, store: undefined, handlers: undefined };

  /**
   * Adds the time since the last lap to `stage`, or to no stage when none is given (to start timing
   * the next one); a store lap names its `operation` for {@link DeliveryRecord.onStoreCall}. A
   * stopwatch rather than a wrapper around each step: no closure or promise per step. (It returns
   * nothing: a returned time cost a boxed number per lap, 0.1 KB per delivery, in bench:receive.)
   */
  lap(stage?: Stage, operation?: StoreOperation): void {
    const now = performance.now();
    const ms = now - this.#lapStartedAt;
    if (stage !== undefined) this.#ms[stage] = (this.#ms[stage] ?? 0) + ms;
    if (operation !== undefined) this.onStoreCall?.(operation, ms);
    this.#lapStartedAt = now;
  }

  /** The delivery ended well (or as a duplicate): the id is known by then. */
  end(kind: 'processed' | 'accepted' | 'duplicate' | 'ignored', id: string): DeliveryOutcome {
    return { kind, id, type: this.type, bytes: this.bytes, timings: this.#timings(), storeError: this.storeError };
  }

  /** The handlers failed, with no retry left. */
  fail(error: WebhookError, id: string): DeliveryOutcome {
    return { kind: 'failed', id, type: this.type, bytes: this.bytes, timings: this.#timings(), storeError: this.storeError, error };
  }

  /** The delivery was not taken. */
  refuse(error: WebhookError): DeliveryOutcome {
    return { kind: 'refused', id: this.id, type: this.type, bytes: this.bytes, timings: this.#timings(), storeError: this.storeError, error };
  }

  #timings(): StageTimings {
    const ms = this.#ms;
    const totalMs = performance.now() - this.#startedAt;
    return { readMs: ms.read, validateMs: ms.validate, storeMs: ms.store, handlersMs: ms.handlers, totalMs };
  }
}
