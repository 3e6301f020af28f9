import type { WebhookError } from '../errors/webhook-error';
import type { AnyEvent, ErrorHandler } from './handler-types';

/**
 * The `onError` handlers of one receiver. Calling them never throws and never leaves a rejection
 * unhandled: a failing error handler must not take a delivery, or the process, down with it.
 */
export class ErrorHooks {
  readonly #handlers: ErrorHandler[] = [];

  add(handler: unknown): void {
    if (typeof handler !== 'function') throw new TypeError('onError(handler): handler must be a function');
    this.#handlers.push(handler as ErrorHandler);
  }

  /**
   * Tells every handler of `error`. With none registered, a handler failure is printed, since a
   * program error nobody hears of is worse than a log line; a rejected request is not (strangers can
   * send those at will). Resolves, never rejects, once async error handlers have settled: the caller
   * tracks it, so that `drain()` waits for an app to have stored a failed event before shutdown.
   */
  async report(error: WebhookError, event?: AnyEvent): Promise<void> {
    if (this.#handlers.length === 0) {
      if (error.code === 'handler_failed' || error.code === 'store_unavailable') {
        console.error('converc-webhooks:', error, error.cause);
      }
      return;
    }
    await Promise.all(
      this.#handlers.map(async (handler) => {
        try {
          await handler(error, event);
        } catch (thrown) {
          console.error('converc-webhooks: an onError handler threw', thrown);
        }
      }),
    );
  }
}
