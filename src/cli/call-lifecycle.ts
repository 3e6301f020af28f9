import type { Call } from '../events/call';
import type { EventOf } from '../events/event-schemas';
import { createTestEvent } from '../testing/create-test-event';
import type { CallEventType } from '../testing/fixtures/sample-call-event';

/** How a call's life goes: a rep takes it, nobody does, or the visitor gives up first. */
export type LifecyclePath = 'answered' | 'missed' | 'canceled';

/** The paths `send --lifecycle --path` takes. */
export const LIFECYCLE_PATHS: readonly LifecyclePath[] = ['answered', 'missed', 'canceled'];

/**
 * The steps of each path, with when each fires in seconds after the request: the same moments as
 * `createTestEvent`'s timelines (accepted after 12 s, a 4 min 10 s talk, the transcript 30 s and the
 * recording a minute after the end; missed after a 30 s ring, canceled after 45 s).
 */
const STEPS: Readonly<Record<LifecyclePath, readonly (readonly [CallEventType, number])[]>> = {
  answered: [
    ['call.requested', 0],
    ['call.accepted', 12],
    ['call.ended', 262],
    ['call.transcript_ready', 292],
    ['call.recording_ready', 322],
  ],
  missed: [
    ['call.requested', 0],
    ['call.missed', 30],
  ],
  canceled: [
    ['call.requested', 0],
    ['call.canceled', 45],
  ],
};

/**
 * One call's whole life as the provider would send it: every event about the same call (one call id,
 * session, visitor, contact and answers), each with its own event id, and timestamps that agree —
 * `createdAt` rising step by step, `requestedAt`, `acceptedAt` and `endedAt` the same in every event
 * that has them. The last event fires at `now`.
 */
export function callLifecycle(path: LifecyclePath, now: number): EventOf<CallEventType>[] {
  const steps = STEPS[path];
  const last = steps.at(-1)?.[1] ?? 0;
  const requestedAt = now - last * 1000;
  const events: EventOf<CallEventType>[] = steps.map(([type, at]) => createTestEvent(type, undefined, { now: requestedAt + at * 1000 }));
  const [first] = events;
  if (first === undefined) return events;
  const accepted = events.find((event) => event.type === 'call.accepted');
  const ended = events.find((event) => event.type === 'call.ended');
  const shared: Partial<Call> = {
    id: first.data.call.id,
    sessionId: first.data.call.sessionId,
    siteId: first.data.call.siteId,
    visitorFingerprint: first.data.call.visitorFingerprint,
    requestedAt: first.data.call.requestedAt,
  };
  for (const event of events) {
    Object.assign(event.data.call, shared);
    event.data.contact = structuredClone(first.data.contact);
    event.data.qualificationAnswers = structuredClone(first.data.qualificationAnswers);
    const { call } = event.data;
    if (accepted !== undefined && call.acceptedAt != null) {
      call.acceptedAt = accepted.data.call.acceptedAt;
      call.acceptedBy = accepted.data.call.acceptedBy;
    }
    if (ended !== undefined && call.endedAt != null) call.endedAt = ended.data.call.endedAt;
  }
  return events;
}
