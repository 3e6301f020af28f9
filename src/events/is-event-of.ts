import type { UnknownEvent } from './envelope';
import type { ConvercEvent, EventOf } from './event-schemas';
import type { ConvercEventType } from './event-types';

/**
 * Narrows an event of any type (from `onAny` or `parseEvent`) to one documented type. Comparing
 * `event.type` alone cannot narrow it, since an `UnknownEvent`'s type is any string; at run time an
 * event of a documented type has always passed that type's schema, so the check is the comparison.
 *
 * @example
 * ```ts
 * webhooks.onAny((event) => {
 *   if (isEventOf(event, 'call.ended')) console.log(event.data.call.endedAt);
 * });
 * ```
 */
export function isEventOf<T extends ConvercEventType>(
  event: ConvercEvent | UnknownEvent,
  type: T | readonly T[],
): event is EventOf<T> {
  return typeof type === 'string' ? event.type === type : (type as readonly string[]).includes(event.type);
}
