import type { z } from 'zod';
import type { EventOf, eventSchemas } from '../events/event-schemas';
import { EVENT_TYPES, isKnownEventType, type ConvercEventType } from '../events/event-types';
import { applyOverrides } from './apply-overrides';
import type { DeepPartial } from './deep-partial';
import { fixture } from './fixtures';
import type { CallEventType } from './fixtures/sample-call-event';
import { testId } from './test-id';

/**
 * What {@link createTestEvent} may change in the event it builds: any field, at any depth. Arrays
 * (such as `data.qualificationAnswers`) and `data.transcript` replace the default whole; a field set
 * to `undefined`, where its type allows it, is removed. A field the types do not list may be added
 * too, to try a handler on one the provider has not documented yet.
 */
export type TestEventOverrides<T extends ConvercEventType> = DeepPartial<z.infer<(typeof eventSchemas)[T]>>;

/** Options of {@link createTestEvent}. */
export interface CreateTestEventOptions {
  /**
   * The moment the event fires: its `createdAt`, and the end of the call's timeline. Inject it to get
   * the same timestamps in every run.
   * @default the current time
   */
  now?: Date | number;
}

/** The organization every test event belongs to, so that the events of one test look like one account. */
export const TEST_ORGANIZATION_ID = 'org_test';

/** The site every test call comes from. */
export const TEST_SITE_ID = 'site_test';

/**
 * When each moment of the call happened, in seconds before the event fires: a call is requested, a
 * rep accepts it (or not), it ends, and the transcript and recording follow.
 */
const TIMELINES: Readonly<Record<CallEventType, { requested: number; accepted: number | null; ended: number | null }>> =
  {
    'call.requested': { requested: 0, accepted: null, ended: null },
    'call.accepted': { requested: 12, accepted: 0, ended: null },
    'call.canceled': { requested: 45, accepted: null, ended: null },
    'call.missed': { requested: 30, accepted: null, ended: null },
    'call.ended': { requested: 262, accepted: 250, ended: 0 },
    'call.transcript_ready': { requested: 292, accepted: 280, ended: 30 },
    'call.recording_ready': { requested: 322, accepted: 310, ended: 60 },
  };

/** When an event of `type` fires, in seconds after its call was requested. */
export function secondsSinceRequest(type: CallEventType): number {
  return TIMELINES[type].requested;
}

/** How long the test recording's signed URLs work, in seconds. */
const RECORDING_URL_LIFETIME_S = 3600;

/** Never merged into: a transcript given in overrides is the whole transcript. */
const REPLACED = new Set(['data.transcript']);

/**
 * Builds a realistic event of `type` that passes the package's own schema: fresh unique ids
 * (`evt_…`, `call_…`), timestamps ending at the current time, and data consistent with its type (a
 * `call.requested` has no `acceptedAt`, `call.missed` and `call.canceled` were never accepted,
 * `call.recording_ready` has signed-looking URLs and `expiresInSeconds`, `call.transcript_ready` carries
 * a transcript). `overrides` then changes any field at any depth. The result is not validated again,
 * so an override can build an invalid event on purpose; `parseEvent` tells whether it is.
 *
 * @example
 * ```ts
 * import { createTestEvent, deliver } from 'converc-webhooks/testing';
 *
 * const event = createTestEvent('call.ended', { data: { contact: { email: 'ada@example.com' } } });
 * const { status, body } = await deliver(app, event, { path: '/webhooks/converc' });
 * expect(status).toBe(200);
 * ```
 */
export function createTestEvent<T extends ConvercEventType>(
  type: T,
  overrides?: TestEventOverrides<T>,
  options: CreateTestEventOptions = {},
): EventOf<T> {
  if (!isKnownEventType(type)) {
    const known = EVENT_TYPES.join(', ');
    throw new TypeError(`createTestEvent(type): unknown event type ${JSON.stringify(type)}; known: ${known}`);
  }
  const now = new Date(options.now ?? Date.now()).getTime();
  if (Number.isNaN(now)) throw new TypeError('createTestEvent(…, options): options.now is not a valid date');
  const event = fixture(type);
  event.id = testId('evt');
  event.createdAt = new Date(now).toISOString();
  event.organizationId = TEST_ORGANIZATION_ID;
  if (type !== 'webhook.test') freshenCall(event as EventOf<CallEventType>, type, now);
  return overrides === undefined ? event : applyOverrides(event, overrides, REPLACED);
}

function freshenCall(event: EventOf<CallEventType>, type: CallEventType, now: number): void {
  const timeline = TIMELINES[type];
  const at = (secondsBefore: number | null) =>
    secondsBefore === null ? null : new Date(now - secondsBefore * 1000).toISOString();
  const { call, contact } = event.data;
  const requestedAt = at(timeline.requested) ?? event.createdAt;
  const fingerprint = testId('fp');

  call.id = testId('call');
  call.requestedAt = requestedAt;
  call.acceptedAt = at(timeline.accepted);
  call.acceptedBy = timeline.accepted === null ? null : testId('user');
  call.endedAt = at(timeline.ended);
  call.sessionId = testId('sess');
  call.siteId = TEST_SITE_ID;
  call.visitorFingerprint = fingerprint;

  contact.identityId = testId('idt');
  contact.fingerprint = fingerprint;
  contact.lastSeenAt = requestedAt;

  // The visitor answers the qualification questions just before asking for the call.
  const answeredAt = new Date(Date.parse(requestedAt) - 5000).toISOString();
  for (const answer of event.data.qualificationAnswers) {
    answer.id = testId('ans');
    answer.createdAt = answeredAt;
  }

  if (type === 'call.transcript_ready') event.data.transcript = transcript();
  if (type === 'call.recording_ready') event.data.recording = signedRecording(now);
}

function transcript() {
  return {
    segments: [
      { speaker: 'rep', text: 'Hi, thanks for calling! How can I help?', startMs: 0 },
      { speaker: 'visitor', text: 'We are a team of eight and would like to see the video widget.', startMs: 3100 },
      { speaker: 'rep', text: 'Of course, let me share my screen and show you the setup.', startMs: 7400 },
    ],
  };
}

function signedRecording(now: number) {
  const expires = Math.floor(now / 1000) + RECORDING_URL_LIFETIME_S;
  // Shaped like the S3/CloudFront signed URLs such providers hand out: an expiry and a signature.
  const folder = testId('rec');
  const sign = (file: string) =>
    `https://media.example.com/recordings/${folder}/${file}?Expires=${expires}&Signature=${testId('sig').slice(4)}`;
  return {
    available: true,
    videoUrl: sign('video.mp4'),
    audioUrl: sign('audio.m4a'),
    expiresInSeconds: RECORDING_URL_LIFETIME_S,
  };
}
