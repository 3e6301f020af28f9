import { EVENT_TYPES, eventSchema, eventSchemas, isWebhookError, parseEvent, WebhookError } from 'converc-webhooks';
import { fixtures, futureEvent, providerSample } from '../fixtures/events';

/** The code and issue paths `parseEvent` throws for `input`. */
function rejectionOf(input: unknown): { code: string; paths: string[] } {
  try {
    parseEvent(input);
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { code: error.code, paths: (error.issues ?? []).map((issue) => issue.path) };
  }
  throw new Error('expected parseEvent to throw');
}

function endedWith(mutate: (event: ReturnType<typeof structuredClone<typeof providerSample>>) => void): unknown {
  const event = structuredClone(providerSample);
  mutate(event);
  return event;
}

describe('parseEvent', () => {
  it('accepts the provider sample exactly as published, and returns it unchanged', () => {
    const event = parseEvent(providerSample);
    expect(event).toBe(providerSample);
    expect(event).toEqual(providerSample);
  });

  it.each(EVENT_TYPES)('accepts the %s fixture, and so does its schema and eventSchema', (type) => {
    expect(parseEvent(fixtures[type]).type).toBe(type);
    expect(eventSchemas[type].safeParse(fixtures[type]).success).toBe(true);
    expect(eventSchema.safeParse(fixtures[type]).success).toBe(true);
  });

  it('keeps fields it does not know, at every level', () => {
    const event = endedWith((e) => {
      Object.assign(e, { newTopLevel: 1 });
      Object.assign(e.data, { sentiment: 'positive' });
      Object.assign(e.data.call, { transferCount: 2 });
      Object.assign(e.data.contact, { company: 'ACME' });
    });
    expect(parseEvent(event)).toEqual(event);
    expect(JSON.stringify(parseEvent(event))).toContain('transferCount');
  });

  it('accepts an event of a type it does not know as long as the envelope is valid', () => {
    expect(parseEvent(futureEvent)).toEqual(futureEvent);
    expect(eventSchema.safeParse(futureEvent).success).toBe(true);
  });

  it('accepts values of the enum-like strings it does not know', () => {
    const event = endedWith((e) => {
      e.data.call.status = 'transferred';
      e.data.call.mediaType = 'audio';
      const answer = e.data.qualificationAnswers[0];
      if (answer) answer.question.type = 'multi_select';
    });
    expect(parseEvent(event)).toEqual(event);
  });

  it.each([
    ['a string', 'x'],
    ['a number', 42],
    ['a boolean', true],
    ['an array, for a multi-select question', ['1-10', '11-50']],
    ['null', null],
  ])('accepts an answer value that is %s', (_, value) => {
    const event = endedWith((e) => {
      const answer = e.data.qualificationAnswers[0];
      if (answer) answer.answer.value = value;
    });
    expect(() => parseEvent(event)).not.toThrow();
  });

  it('accepts the documented nulls: location, phone, transcript, recording URLs', () => {
    const event = endedWith((e) => {
      e.data.contact.location = null;
      e.data.contact.phone = null;
      e.data.transcript = null;
      e.data.recording = { available: false, videoUrl: null, audioUrl: null, expiresInSeconds: null };
    });
    expect(() => parseEvent(event)).not.toThrow();
  });

  it('accepts a transcript that is any JSON value', () => {
    for (const transcript of ['plain text', { segments: [] }, [{ text: 'hi' }], 3]) {
      expect(() => parseEvent(endedWith((e) => void (e.data.transcript = transcript)))).not.toThrow();
    }
  });

  it('accepts ids that are not UUIDs and timestamps with offsets', () => {
    const event = endedWith((e) => {
      e.id = '42';
      e.createdAt = '2024-01-02T01:00:00+01:00';
    });
    expect(() => parseEvent(event)).not.toThrow();
  });

  it('accepts a call that was never accepted, with null acceptedAt, acceptedBy and endedAt', () => {
    expect(() => parseEvent(fixtures['call.missed'])).not.toThrow();
    expect(() => parseEvent(fixtures['call.requested'])).not.toThrow();
  });

  it.each([
    ['the body is not an object', 'text', ['']],
    ['id is missing', endedWith((e) => void Reflect.deleteProperty(e, 'id')), ['id']],
    ['id is empty', endedWith((e) => void (e.id = '')), ['id']],
    ['type is missing', endedWith((e) => void Reflect.deleteProperty(e, 'type')), ['type']],
    ['createdAt is not ISO-8601', endedWith((e) => void (e.createdAt = '2024-01-02 00:00')), ['createdAt']],
    ['organizationId is a number', endedWith((e) => void Object.assign(e, { organizationId: 7 })), ['organizationId']],
    ['data is an array', endedWith((e) => void Object.assign(e, { data: [] })), ['data']],
    ['call.id is missing', endedWith((e) => void Reflect.deleteProperty(e.data.call, 'id')), ['data.call.id']],
    ['a call.ended has no endedAt', endedWith((e) => void Object.assign(e.data.call, { endedAt: null })), ['data.call.endedAt']],
    ['contact is missing', endedWith((e) => void Reflect.deleteProperty(e.data, 'contact')), ['data.contact']],
    [
      'an answer value is an object',
      endedWith((e) => void Object.assign(e.data.qualificationAnswers[0]?.answer ?? {}, { value: { a: 1 } })),
      ['data.qualificationAnswers[0].answer.value'],
    ],
    ['recording.available is a string', endedWith((e) => void Object.assign(e.data.recording, { available: 'no' })), ['data.recording.available']],
  ])('rejects with invalid_event when %s, naming the path', (_, input, paths) => {
    expect(rejectionOf(input)).toEqual({ code: 'invalid_event', paths });
  });

  it('rejects a known type whose data does not match, rather than treating it as unknown', () => {
    const input = { ...futureEvent, type: 'call.ended' };
    expect(rejectionOf(input).code).toBe('invalid_event');
    expect(eventSchema.safeParse(input).success).toBe(false);
  });

  it('throws a WebhookError with status 422 and a message naming the first problem', () => {
    expect(() => parseEvent({})).toThrow(WebhookError);
    expect(() => parseEvent({})).toThrow(/^Invalid event: id: .+; the check stops at the first problem, so there may be more$/);
  });

  it('keeps a __proto__ key as data without touching any prototype', () => {
    const input: unknown = JSON.parse(
      '{"id":"a","type":"x.y","createdAt":"2024-01-02T00:00:00Z","organizationId":"o","data":{"__proto__":{"polluted":1}}}',
    );
    const event = parseEvent(input);
    expect(Object.getPrototypeOf(event.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(event)).toContain('"__proto__":{"polluted":1}');
  });
});
