import type { EventOf } from '../events/event-schemas';
import { createTestEvent, secondsSinceRequest } from '../testing/create-test-event';
import type { CallEventType } from '../testing/fixtures/sample-call-event';

/** How a call's life goes: a rep takes it, nobody does, or the visitor gives up first. */
export type LifecyclePath = 'answered' | 'missed' | 'canceled';

/** The paths `send --lifecycle --path` takes. */
export const LIFECYCLE_PATHS: readonly LifecyclePath[] = ['answered', 'missed', 'canceled'];

/** The events of each path, in the order they fire. */
const STEPS: Readonly<Record<LifecyclePath, readonly CallEventType[]>> = {
  answered: ['call.requested', 'call.accepted', 'call.ended', 'call.transcript_ready', 'call.recording_ready'],
  missed: ['call.requested', 'call.missed'],
  canceled: ['call.requested', 'call.canceled'],
};

/**
 * One call's whole life as the provider would send it: every event about the same call (one call id,
 * session, visitor, rep, contact and answers), each with its own event id, and timestamps that agree —
 * `createdAt` rising step by step, `requestedAt`, `acceptedAt` and `endedAt` the same in every event
 * that has them, since each event is made at its moment of `createTestEvent`'s one timeline. The last
 * event fires at `now`.
 */
export function callLifecycle(path: LifecyclePath, now: number): EventOf<CallEventType>[] {
  const types = STEPS[path];
  const last = types.at(-1);
  const requestedAt = now - (last === undefined ? 0 : secondsSinceRequest(last)) * 1000;
  const events: EventOf<CallEventType>[] = types.map((type) => createTestEvent(type, undefined, { now: requestedAt + secondsSinceRequest(type) * 1000 }));
  const [first] = events;
  if (first === undefined) return events;
  const acceptedBy = events.find((event) => event.data.call.acceptedBy != null)?.data.call.acceptedBy;
  const { id, sessionId, siteId, visitorFingerprint } = first.data.call;
  for (const event of events) {
    const { call } = event.data;
    Object.assign(call, { id, sessionId, siteId, visitorFingerprint });
    if (call.acceptedBy != null && acceptedBy != null) call.acceptedBy = acceptedBy;
    event.data.contact = structuredClone(first.data.contact);
    event.data.qualificationAnswers = structuredClone(first.data.qualificationAnswers);
  }
  return events;
}
