import { WebhookError } from '../errors/webhook-error';
import type { AnyEvent, EventHandler, HandlerContext } from './handler-types';
import { ignore } from './promise-like';
import { backoffDelay, type ResolvedRetry } from './retry';

/**
 * The handlers of one delivery that did not finish at once: those still running, and those that
 * failed and are retried in the background. Only such a delivery builds one; a delivery whose
 * handlers all returned is answered without it, so the common case allocates nothing for retries.
 */
export class HandlerRun {
  /** One promise per handler still at work; each resolves once it succeeds, or rejects once it has failed every attempt. */
  readonly runs: Promise<void>[] = [];
  /** The last failure reported, if any. */
  lastError: WebhookError | undefined;
  #onFailure: (() => void) | undefined;
  readonly event: AnyEvent;
  readonly ctx: HandlerContext;
  readonly #rawBody: string | undefined;
  readonly #retry: ResolvedRetry | undefined;
  readonly #attempts: number;
  readonly #report: (error: WebhookError) => void;

  /** `report` hands a failure to `onError` (and tracks that work for `drain()`). */
  constructor(
    event: AnyEvent,
    ctx: HandlerContext,
    rawBody: string | undefined,
    retry: ResolvedRetry | undefined,
    report: (error: WebhookError) => void,
  ) {
    this.event = event;
    this.ctx = ctx;
    this.#rawBody = rawBody;
    this.#retry = retry;
    this.#attempts = retry?.attempts ?? 1;
    this.#report = report;
  }

  /** A handler returned a promise: it is at work until that settles, and retried if it rejects. */
  pending(handler: EventHandler, result: PromiseLike<unknown>): void {
    this.runs.push(Promise.resolve(result).then(ignore, (cause: unknown) => this.#retrying(handler, cause)));
  }

  /** A handler threw at once: it is retried in the background, or has failed. */
  threw(handler: EventHandler, cause: unknown): void {
    this.runs.push(this.#retrying(handler, cause));
  }

  /** Resolves at the first failure reported from now on. */
  nextFailure(): Promise<void> {
    return new Promise((resolve) => {
      this.#onFailure = resolve;
    });
  }

  // Each handler runs, and is retried, on its own: one that succeeded never runs twice.
  async #retrying(handler: EventHandler, cause: unknown): Promise<void> {
    this.#failed(cause, 1);
    const retry = this.#retry;
    for (let attempt = 2; attempt <= this.#attempts && retry !== undefined; attempt++) {
      await sleep(backoffDelay(attempt - 1, retry));
      try {
        await handler(this.event, this.ctx);
        return;
      } catch (again) {
        this.#failed(again, attempt);
        cause = again;
      }
    }
    throw cause;
  }

  #failed(cause: unknown, attempt: number): void {
    const event = this.event;
    const which = this.#attempts > 1 ? ` (attempt ${attempt} of ${this.#attempts})` : '';
    this.lastError = new WebhookError('handler_failed', `A handler for ${event.type} failed${which}`, {
      cause,
      event,
      rawBody: this.#rawBody,
      deliveryId: this.ctx.id,
      attempt,
    });
    this.#report(this.lastError);
    this.#onFailure?.();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
