import type { DeliveryOutcome } from '../core/outcome';

/** A store or queue call on a delivery's path, as timed for `converc_webhook_store_duration_seconds`. */
export type StoreOperation = 'is_processed' | 'claim' | 'enqueue';

/** One run of one handler, as watchers see it. */
export interface HandlerRunFacts {
  readonly id: string;
  readonly type: string;
  /** 1 for the first run; a retry is 2 or more. */
  readonly attempt: number;
}

/**
 * What a receiver tells the logger and the metrics of its own deliveries (the `logger` option,
 * `collectMetrics`). Unlike the diagnostics channels, which any code can listen to, these are the
 * receiver's own: a second receiver in the process is counted apart.
 */
export interface DeliveryWatcher {
  /** A delivery ended, with this outcome (once per delivery, when it is answered). */
  delivered?(outcome: DeliveryOutcome): void;
  /** A store or queue call on the delivery's path took `ms`, whether it succeeded or not. */
  storeCalled?(operation: StoreOperation, ms: number): void;
  handlerStarted?(run: HandlerRunFacts): void;
  /** A handler run ended after `ms`; `failed` when it threw or rejected. */
  handlerEnded?(run: HandlerRunFacts, failed: boolean, ms: number): void;
  /** A handler failed every attempt that `retry` or an inbox worker allows (what `onDeadLetter` is told of). */
  deadLettered?(type: string): void;
}

/** The watchers of one receiver; each call reaches every watcher, and one that throws does not stop the delivery. */
export class Watchers {
  readonly #all: DeliveryWatcher[] = [];

  /** Whether any watcher is there: the receiver times nothing and builds no facts otherwise. */
  get active(): boolean {
    return this.#all.length > 0;
  }

  add(watcher: DeliveryWatcher): void {
    this.#all.push(watcher);
  }

  delivered(outcome: DeliveryOutcome): void {
    for (const watcher of this.#all) guard(() => watcher.delivered?.(outcome));
  }

  storeCalled(operation: StoreOperation, ms: number): void {
    for (const watcher of this.#all) guard(() => watcher.storeCalled?.(operation, ms));
  }

  handlerStarted(run: HandlerRunFacts): void {
    for (const watcher of this.#all) guard(() => watcher.handlerStarted?.(run));
  }

  handlerEnded(run: HandlerRunFacts, failed: boolean, ms: number): void {
    for (const watcher of this.#all) guard(() => watcher.handlerEnded?.(run, failed, ms));
  }

  deadLettered(type: string): void {
    for (const watcher of this.#all) guard(() => watcher.deadLettered?.(type));
  }
}

/** A logger or a metric that throws must not cost an event: the provider never resends it. */
function guard(call: () => void): void {
  try {
    call();
  } catch (error) {
    console.error('converc-webhooks: a logger or metrics watcher threw', error);
  }
}
