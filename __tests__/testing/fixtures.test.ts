import { EVENT_TYPES, eventSchemas, parseEvent } from 'converc-webhooks';
import { fixture, fixtures } from 'converc-webhooks/testing';
import { providerSample as kitSample } from '../../src/testing/fixtures';
import * as suite from '../fixtures/events';
import publishedSample from '../fixtures/call.ended.json';

describe('the typed fixtures of the test kit', () => {
  it.each(EVENT_TYPES)('has a %s fixture that passes its schema, with the id evt-<type>', (type) => {
    expect(eventSchemas[type].safeParse(fixtures[type]).success).toBe(true);
    expect(parseEvent(fixtures[type]).type).toBe(type);
    expect(fixtures[type].id).toBe(`evt-${type}`);
  });

  it('keeps the provider sample exactly as published', () => {
    expect(kitSample).toEqual(publishedSample);
    expect(JSON.stringify(kitSample)).toBe(JSON.stringify(publishedSample));
  });

  it('builds every call fixture from the provider sample, changing only what its type requires', () => {
    expect(fixtures['call.ended']).toEqual({ ...publishedSample, id: 'evt-call.ended' });
    expect(fixtures['call.requested'].data.call).toEqual({
      ...publishedSample.data.call,
      status: 'requested',
      acceptedAt: null,
      acceptedBy: null,
      endedAt: null,
    });
    expect(fixtures['call.accepted'].data.call).toMatchObject({ acceptedAt: '2024-01-02T00:00:10.000Z', endedAt: null });
    expect(fixtures['call.missed'].data.call.acceptedAt).toBeNull();
    expect(fixtures['call.canceled'].data.call.acceptedAt).toBeNull();
    expect(fixtures['call.recording_ready'].data.recording).toMatchObject({ available: true, expiresInSeconds: 3600 });
    expect(fixtures['call.transcript_ready'].data.transcript).not.toBeNull();
    expect(fixtures['call.recording_ready'].data.contact).toEqual(publishedSample.data.contact);
  });

  it('freezes the shared fixtures, so one test cannot change what the next one sees', () => {
    expect(Object.isFrozen(fixtures['call.ended'].data.call)).toBe(true);
    expect(Object.isFrozen(kitSample.data.qualificationAnswers[0])).toBe(true);
    expect(() => {
      (fixtures['call.ended'].data.call as { id: string }).id = 'changed';
    }).toThrow(TypeError);
  });

  it('gives a changeable copy from fixture(type)', () => {
    const copy = fixture('call.ended');
    copy.data.call.id = 'call_changed';
    expect(copy.data.call.id).toBe('call_changed');
    expect(fixtures['call.ended'].data.call.id).toBe('call-uuid');
    expect(fixture('call.ended')).toEqual(fixtures['call.ended']);
  });

  it('throws a TypeError for an unknown type', () => {
    // @ts-expect-error: not a documented type
    expect(() => fixture('call.transferred')).toThrow(/unknown event type/);
  });
});

describe("the suite's fixtures module (__tests__/fixtures/events.ts)", () => {
  it('re-exports the kit fixtures as changeable copies of the same values', () => {
    for (const type of EVENT_TYPES) {
      expect(suite.fixtures[type]).toEqual(fixtures[type]);
      expect(suite.fixtures[type]).not.toBe(fixtures[type]);
      expect(Object.isFrozen(suite.fixtures[type])).toBe(false);
    }
    expect(suite.providerSample).toEqual(publishedSample);
  });

  it('keeps the fixed ids and the timestamps of the sample, which other tests compare against', () => {
    expect(suite.fixtures['call.ended'].createdAt).toBe('2024-01-02T00:00:00.000Z');
    expect(suite.fixtures['webhook.test']).toEqual({
      id: 'evt-webhook.test',
      type: 'webhook.test',
      createdAt: '2024-01-02T00:00:00.000Z',
      organizationId: 'org-uuid',
      data: {},
    });
    expect(suite.eventWithId('call.missed', 'evt-x')).toEqual({ ...fixtures['call.missed'], id: 'evt-x' });
    expect(suite.futureEvent.type).toBe('call.transferred');
  });
});
