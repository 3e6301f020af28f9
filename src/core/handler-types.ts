import type { WebhookError } from '../errors/webhook-error';
import type { UnknownEvent } from '../events/envelope';
import type { ConvercEvent, EventOf } from '../events/event-schemas';
import type { ConvercEventType } from '../events/event-types';

/** Request headers as a handler sees them: lower-case names, as Node gives them. */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Any event a receiver accepts: a documented one or one of a type it does not know yet. */
export type AnyEvent = ConvercEvent | UnknownEvent;

/** What a handler receives beside the event. */
export interface HandlerContext {
  /** The dedupe key of this delivery: the `X-IC-Id` header when present, else the event's `id`. */
  readonly id: string;
  /** When the delivery arrived. */
  readonly receivedAt: Date;
  /** The request headers (lower-case names). */
  readonly headers: IncomingHeaders;
}

/**
 * A function that handles an event. It may return a promise: the event counts as processed when it
 * resolves, and as failed when it throws or rejects.
 */
export type EventHandler<E = AnyEvent> = (event: E, ctx: HandlerContext) => unknown;

/**
 * A function told of every failure: each rejected delivery and each handler failure. `event` is the
 * validated event where there is one. Whatever it throws or rejects with is caught.
 */
export type ErrorHandler = (error: WebhookError, event: AnyEvent | undefined) => unknown;

/** Handlers by event type, one function or several: the same as calling `on` for each. */
export type HandlerMap = {
  readonly [T in ConvercEventType]?: EventHandler<EventOf<T>> | readonly EventHandler<EventOf<T>>[];
};
