import { causeText, type WebhookError } from '../errors/webhook-error';
import { logUnhandled, type Logger } from '../observability/logger';
import type { AnyEvent, ErrorHandler } from './handler-types';

/**
 * The `onError` handlers of one receiver. Calling them never throws and never leaves a rejection
 * unhandled: a failing error handler must not take a delivery, or the process, down with it.
 */
export class ErrorHooks {
  readonly #handlers: ErrorHandler[] = [];
  /** Where an error nobody handles is written, with the `logger` option; the console otherwise. */
  logger: Logger | undefined;

  add(handler: unknown): void {
    if (typeof handler !== 'function') throw new TypeError('onError(handler): handler must be a function');
    this.#handlers.push(handler as ErrorHandler);
  }

  /**
   * Tells every handler of `error`. With none registered, a handler failure or a store failure is
   * printed, since a program error nobody hears of is worse than a log line; a rejected request is not
   * (strangers can send those at will). The line names the code, the delivery id, the event type, the
   * message and the cause's stack: never the body or the event, which hold personal data. With the
   * `logger` option it goes to the logger, at `error`. Resolves, never rejects, once async error
   * handlers have settled: the caller tracks it, so that `drain()` waits for an app to have stored a
   * failed event before shutdown.
   */
  async report(error: WebhookError, event?: AnyEvent): Promise<void> {
    if (this.#handlers.length === 0) {
      if (error.code === 'handler_failed' || error.code === 'store_unavailable') {
        if (this.logger === undefined) console.error(fallbackLine(error, event));
        else logUnhandled(this.logger, error, event?.type);
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

/** The fallback line for an error nobody handles: what happened to which delivery, and the cause's stack. */
export function fallbackLine(error: WebhookError, event: AnyEvent | undefined): string {
  const type = event?.type;
  const where = `delivery ${error.deliveryId ?? '(no id)'}${type === undefined ? '' : ` (${type})`}`;
  const line = `converc-webhooks: ${error.code} ${where}: ${error.message}`;
  return error.cause === undefined ? line : `${line}\n  caused by: ${causeText(error.cause)}`;
}
