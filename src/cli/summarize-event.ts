import type { AnyEvent } from '../core/handler-types';
import type { CallEventData } from '../events/event-schemas';
import { isEventOf } from '../events/is-event-of';
import { EVENT_TYPES } from '../events/event-types';
import type { QualificationAnswer } from '../events/qualification';

const CALL_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook.test');

/**
 * A few lines a person can read at a glance: what happened to the call, who the visitor is, what they
 * answered, and the transcript or recording when the event carries one.
 */
export function summarizeEvent(event: AnyEvent): string[] {
  if (isEventOf(event, CALL_TYPES)) return summarizeCall(event.data);
  if (isEventOf(event, 'webhook.test')) return [`test event from the provider's test endpoint${dataKeys(event.data)}`];
  return [`a type this version does not know${dataKeys(event.data)}`];
}

function summarizeCall(data: CallEventData): string[] {
  const { call, contact } = data;
  const lines = [`call ${call.id} (${call.mediaType}, ${call.status}): ${timeline(call)}`];

  const { location } = contact;
  const place = location === null ? [] : [location.city, location.region, location.country];
  const who = [
    (contact.name ?? 'unnamed visitor') + (contact.email === null ? '' : ` <${contact.email}>`),
    contact.phone,
    place.filter((part): part is string => typeof part === 'string' && part !== '').join(', '),
  ].filter((part) => part !== null && part !== '');
  lines.push(`contact ${who.join(' · ')}`);

  if (data.qualificationAnswers.length > 0) {
    const answers = [...data.qualificationAnswers]
      .sort((a, b) => a.position - b.position)
      .map((answer) => `${answer.question.label}: ${formatAnswer(answer.answer.value)}`);
    lines.push(`answers ${answers.join('; ')}`);
  }
  if (data.transcript !== null) lines.push(`transcript ${describeTranscript(data.transcript)}`);
  if (data.recording.available) {
    const { videoUrl, audioUrl, expiresInSeconds } = data.recording;
    const files = [videoUrl === null ? null : 'video', audioUrl === null ? null : 'audio'];
    const media = files.filter((file) => file !== null).join(' + ') || 'no URLs';
    const expiry = expiresInSeconds === null ? '' : `, links expire in ${duration(expiresInSeconds * 1000)}`;
    lines.push(`recording ${media}${expiry}`);
  }
  return lines;
}

function timeline(call: CallEventData['call']): string {
  const requested = Date.parse(call.requestedAt);
  const parts = [`requested ${readableTime(call.requestedAt)}`];
  const accepted = call.acceptedAt == null ? undefined : Date.parse(call.acceptedAt);
  if (accepted === undefined) parts.push('never accepted');
  else parts.push(`accepted after ${duration(accepted - requested)} by ${call.acceptedBy ?? 'a rep'}`);
  if (call.endedAt != null) {
    const ended = Date.parse(call.endedAt);
    parts.push(
      accepted === undefined ? `ended after ${duration(ended - requested)}` : `talked ${duration(ended - accepted)}`,
    );
  }
  return parts.join(', ');
}

/** `2024-01-02T00:00:35.000Z` → `2024-01-02 00:00:35 UTC`; any other text as it is. */
function readableTime(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** 25 s, 4 min 10 s, 1 h 5 min. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const seconds = Math.round(Math.abs(ms) / 1000);
  const sign = ms < 0 ? '-' : '';
  if (seconds < 60) return `${sign}${seconds} s`;
  if (seconds < 3600) return `${sign}${Math.floor(seconds / 60)} min${seconds % 60 === 0 ? '' : ` ${seconds % 60} s`}`;
  const minutes = Math.round((seconds % 3600) / 60);
  return `${sign}${Math.floor(seconds / 3600)} h${minutes === 0 ? '' : ` ${minutes} min`}`;
}

function formatAnswer(value: QualificationAnswer['answer']['value']): string {
  if (value === null) return '(no answer)';
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

function describeTranscript(transcript: unknown): string {
  const segments = (transcript as { segments?: unknown } | null)?.segments;
  if (Array.isArray(segments)) return `${segments.length} segment${segments.length === 1 ? '' : 's'}`;
  return `${Buffer.byteLength(JSON.stringify(transcript))} bytes of JSON`;
}

function dataKeys(data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  return keys.length === 0 ? '' : `; data: ${keys.join(', ')}`;
}
