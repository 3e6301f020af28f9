/**
 * The event types the provider documents, in the order a call goes through them.
 * A delivery whose `type` is not listed here is still accepted, as an `UnknownEvent`.
 */
export const EVENT_TYPES = [
  'call.requested',
  'call.accepted',
  'call.canceled',
  'call.missed',
  'call.ended',
  'call.transcript_ready',
  'call.recording_ready',
  'webhook.test',
] as const;

/** One of the documented event types. */
export type ConvercEventType = (typeof EVENT_TYPES)[number];

const known: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Whether `type` is one of the documented {@link EVENT_TYPES}. */
export function isKnownEventType(type: string): type is ConvercEventType {
  return known.has(type);
}
