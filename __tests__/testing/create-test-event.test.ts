import fc from 'fast-check';
import { expectTypeOf } from 'expect-type';
import { EVENT_TYPES, eventSchemas, isEventOf, parseEvent, type EventOf, type JsonValue } from 'converc-webhooks';
import { createTestEvent, TEST_ORGANIZATION_ID, type TestEventOverrides } from 'converc-webhooks/testing';

const CALL_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook.test');
const NOW = Date.parse('2025-03-04T05:06:07.000Z');

describe('createTestEvent', () => {
  it.each(EVENT_TYPES)('builds a %s event that passes parseEvent and its own schema', (type) => {
    const event = createTestEvent(type);
    expect(parseEvent(event).type).toBe(type);
    expect(eventSchemas[type].safeParse(event).success).toBe(true);
  });

  it.each(EVENT_TYPES)('gives each %s event fresh ids, so two never collide', (type) => {
    const [a, b] = [createTestEvent(type), createTestEvent(type)];
    expect(a.id).not.toBe(b.id);
    expect(a.id).toMatch(/^evt_[0-9a-f]{16}$/);
    if (isEventOf(a, CALL_TYPES) && isEventOf(b, CALL_TYPES)) {
      expect(a.data.call.id).not.toBe(b.data.call.id);
      expect(a.data.call.sessionId).not.toBe(b.data.call.sessionId);
      expect(a.data.contact.identityId).not.toBe(b.data.contact.identityId);
    }
  });

  it('stamps the event with the current time unless told otherwise', () => {
    const before = Date.now();
    const event = createTestEvent('call.ended');
    const after = Date.now();
    expect(Date.parse(event.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.createdAt)).toBeLessThanOrEqual(after);
    expect(event.data.call.endedAt).toBe(event.createdAt);
  });

  it('uses an injected now for every timestamp, as a Date or in milliseconds', () => {
    const fromNumber = createTestEvent('call.ended', undefined, { now: NOW });
    const fromDate = createTestEvent('call.ended', undefined, { now: new Date(NOW) });
    expect(fromNumber.createdAt).toBe('2025-03-04T05:06:07.000Z');
    expect(fromDate.createdAt).toBe(fromNumber.createdAt);
    expect(fromNumber.data.call.requestedAt).toBe('2025-03-04T05:01:45.000Z');
    expect(fromNumber.data.call.acceptedAt).toBe('2025-03-04T05:01:57.000Z');
  });

  it('throws a TypeError for an invalid now', () => {
    expect(() => createTestEvent('call.ended', undefined, { now: Number.NaN })).toThrow(/options\.now/);
  });

  it('builds a call.requested that has not been accepted nor ended', () => {
    const { call } = createTestEvent('call.requested', undefined, { now: NOW }).data;
    expect(call).toMatchObject({ status: 'requested', acceptedAt: null, acceptedBy: null, endedAt: null });
    expect(call.requestedAt).toBe(new Date(NOW).toISOString());
  });

  it('builds a call.accepted with acceptedAt and the rep who accepted, after the request, not ended', () => {
    const { call } = createTestEvent('call.accepted').data;
    expect(call.status).toBe('accepted');
    expect(Date.parse(call.acceptedAt)).toBeGreaterThan(Date.parse(call.requestedAt));
    expect(call.acceptedBy).toMatch(/^user_/);
    expect(call.endedAt).toBeNull();
  });

  it.each(['call.missed', 'call.canceled'] as const)('builds a %s that was never accepted', (type) => {
    const { call } = createTestEvent(type).data;
    expect(call.status).toBe(type.slice('call.'.length));
    expect(call.acceptedAt).toBeNull();
    expect(call.acceptedBy).toBeNull();
  });

  it.each(['call.ended', 'call.transcript_ready', 'call.recording_ready'] as const)(
    'builds a %s whose call was requested, then accepted, then ended, before the event',
    (type) => {
      const event = createTestEvent(type);
      const { requestedAt, acceptedAt, endedAt } = event.data.call;
      const times = [requestedAt, acceptedAt, endedAt, event.createdAt].map((time) => Date.parse(time ?? ''));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(new Set(times).size).toBe(4 - (type === 'call.ended' ? 1 : 0));
    },
  );

  it('builds a call.recording_ready with signed-looking URLs that expire, and a recording available', () => {
    const { recording } = createTestEvent('call.recording_ready', undefined, { now: NOW }).data;
    expect(recording.available).toBe(true);
    expect(recording.expiresInSeconds).toBe(3600);
    for (const url of [recording.videoUrl, recording.audioUrl]) {
      const parsed = new URL(url ?? '');
      expect(parsed.protocol).toBe('https:');
      expect(parsed.searchParams.get('Expires')).toBe(String(NOW / 1000 + 3600));
      expect(parsed.searchParams.get('Signature')).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('builds a call.transcript_ready that carries a transcript, and other call events that carry none', () => {
    const { transcript } = createTestEvent('call.transcript_ready').data;
    expect(transcript).toMatchObject({ segments: expect.arrayContaining([expect.objectContaining({ speaker: 'rep' })]) });
    for (const type of CALL_TYPES.filter((t) => t !== 'call.transcript_ready')) {
      const event = createTestEvent(type);
      if (isEventOf(event, CALL_TYPES)) expect(event.data.transcript).toBeNull();
    }
  });

  it('keeps the contact, fingerprint and answers consistent with the call', () => {
    const { call, contact, qualificationAnswers } = createTestEvent('call.ended').data;
    expect(contact.fingerprint).toBe(call.visitorFingerprint);
    expect(contact.lastSeenAt).toBe(call.requestedAt);
    expect(qualificationAnswers.every((answer) => Date.parse(answer.createdAt) < Date.parse(call.requestedAt))).toBe(true);
  });

  it('builds a webhook.test with the envelope and an object as data', () => {
    const event = createTestEvent('webhook.test');
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'webhook.test',
      createdAt: expect.any(String),
      organizationId: TEST_ORGANIZATION_ID,
      data: {},
    });
  });

  it('merges a deep partial override into the built event, leaving the rest as built', () => {
    const event = createTestEvent(
      'call.ended',
      { id: 'evt_1', data: { call: { id: 'call_1' }, contact: { email: 'ada@example.com', location: { city: 'Paris' } } } },
      { now: NOW },
    );
    expect(event.id).toBe('evt_1');
    expect(event.data.call.id).toBe('call_1');
    expect(event.data.call.endedAt).toBe(new Date(NOW).toISOString());
    expect(event.data.contact.email).toBe('ada@example.com');
    expect(event.data.contact.name).toBe('Visitor Name');
    expect(event.data.contact.location).toMatchObject({ city: 'Paris', region: 'TX', countryCode: 'US' });
    expect(parseEvent(event)).toBe(event);
  });

  it('replaces arrays and the transcript whole instead of merging into them', () => {
    const answer = createTestEvent('call.ended').data.qualificationAnswers[0]!;
    const event = createTestEvent('call.transcript_ready', {
      data: { qualificationAnswers: [{ ...answer, answer: { value: ['a', 'b'] } }], transcript: { text: 'Hi' } },
    });
    expect(event.data.qualificationAnswers).toHaveLength(1);
    expect(event.data.qualificationAnswers[0]?.answer.value).toEqual(['a', 'b']);
    expect(event.data.transcript).toEqual({ text: 'Hi' });
  });

  it('sets null where overrides say null, and removes a field overridden with undefined', () => {
    const event = createTestEvent('call.requested', { data: { contact: { location: null }, call: { acceptedAt: undefined } } });
    expect(event.data.contact.location).toBeNull();
    expect('acceptedAt' in event.data.call).toBe(false);
    expect(parseEvent(event)).toBe(event);
  });

  it('keeps fields the schema does not know, as the provider may add them', () => {
    const event = createTestEvent('call.ended', { data: { call: { transferredTo: 'user_2' } } });
    expect('transferredTo' in event.data.call && event.data.call.transferredTo).toBe('user_2');
  });

  it('copies override values, so changing them afterwards does not change the event', () => {
    const location = { city: 'Paris' };
    const event = createTestEvent('call.ended', { data: { contact: { location } } });
    location.city = 'Lyon';
    expect(event.data.contact.location?.city).toBe('Paris');
  });

  it('does not validate the result, so an invalid event can be built on purpose', () => {
    const event = createTestEvent('call.ended', { data: { call: { id: '' } } });
    expect(() => parseEvent(event)).toThrow(/data\.call\.id: must be a non-empty string/);
  });

  it('never shares state between events or with the fixtures', () => {
    const a = createTestEvent('call.ended');
    a.data.contact.email = 'changed@example.com';
    expect(createTestEvent('call.ended').data.contact.email).toBe('visitor@example.com');
  });

  it('throws a TypeError naming the type for an unknown one', () => {
    // @ts-expect-error: not a documented type
    expect(() => createTestEvent('call.transferred')).toThrow(/unknown event type "call\.transferred"/);
  });

  it('refuses an override that would reach the prototype', () => {
    const overrides = JSON.parse('{"data":{"__proto__":{"polluted":true}}}') as TestEventOverrides<'call.ended'>;
    expect(() => createTestEvent('call.ended', overrides)).toThrow(TypeError);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses overrides that are not an object', () => {
    expect(() => createTestEvent('call.ended', 'x' as unknown as TestEventOverrides<'call.ended'>)).toThrow(/plain object/);
  });

  it('types the event by its type and the overrides as a deep partial of it', () => {
    expectTypeOf(createTestEvent('call.accepted')).toEqualTypeOf<EventOf<'call.accepted'>>();
    expectTypeOf(createTestEvent('call.accepted').data.call.acceptedAt).toEqualTypeOf<string>();
    expectTypeOf<{ data: { contact: { email: null } } }>().toExtend<TestEventOverrides<'call.ended'>>();
    expectTypeOf<{ data: { call: { status: 'a-future-status' } } }>().toExtend<TestEventOverrides<'call.ended'>>();
    // @ts-expect-error: an id is a string
    createTestEvent('call.ended', { data: { call: { id: 5 } } });
    // @ts-expect-error: a call.ended event has an endedAt, so it cannot be removed
    createTestEvent('call.ended', { data: { call: { endedAt: undefined } } });
    // @ts-expect-error: the type of the event is the one asked for
    createTestEvent('call.ended', { type: 'call.missed' });
    expect(true).toBe(true);
  });
});

describe('createTestEvent with arbitrary overrides (property-based)', () => {
  const nonEmpty = fc.string({ minLength: 1 });
  const nullableText = fc.option(fc.string(), { nil: null });

  it('stays valid whatever non-empty ids and strings the overrides set', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CALL_TYPES),
        fc.record({
          id: nonEmpty,
          organizationId: nonEmpty,
          call: fc.record({ id: nonEmpty, sessionId: fc.string(), siteId: fc.string(), visitorFingerprint: fc.string() }),
          contact: fc.record({ identityId: fc.string(), email: nullableText, phone: nullableText, name: nullableText }),
          city: nullableText,
        }),
        (type, o) => {
          const event = createTestEvent(type, {
            id: o.id,
            organizationId: o.organizationId,
            data: { call: o.call, contact: { ...o.contact, location: { city: o.city } } },
          });
          expect(parseEvent(event)).toBe(event);
          expect(event).toMatchObject({ id: o.id, data: { call: o.call, contact: o.contact } });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays valid with any JSON as the transcript or as extra fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ minLength: 1 }), fc.jsonValue(), (json, key, extra) => {
        // fast-check's JsonValue is the same set of values under another name.
        const transcript = json as JsonValue;
        fc.pre(transcript !== null);
        const event = createTestEvent('call.transcript_ready', { data: { transcript, [`x-${key}`]: extra } });
        expect(parseEvent(event)).toBe(event);
        expect(event.data.transcript).toEqual(transcript);
      }),
      { numRuns: 200 },
    );
  });
});
