import express from 'express';
import { expectTypeOf } from 'expect-type';
import {
  convercWebhooks,
  isEventOf,
  parseEvent,
  type AnyEvent,
  type ConvercEvent,
  type ConvercEventType,
  type EventOf,
  type HandlerContext,
  type UnknownEvent,
  type WebhookError,
  type WebhookErrorCode,
} from 'converc-webhooks';
import { fixtures, futureEvent } from '../fixtures/events';

// These assertions are checked by the compiler when ts-jest compiles this file: a wrong type fails
// the run. The runtime expectations only prove the file ran.
describe('the public types', () => {
  it('types a call.ended handler so that data.call.endedAt is a string', () => {
    const webhooks = convercWebhooks().on('call.ended', (event, ctx) => {
      expectTypeOf(event.type).toEqualTypeOf<'call.ended'>();
      expectTypeOf(event.data.call.endedAt).toEqualTypeOf<string>();
      expectTypeOf(event.data.contact.phone).toEqualTypeOf<string | null>();
      expectTypeOf(ctx).toEqualTypeOf<HandlerContext>();
      expectTypeOf(ctx.id).toEqualTypeOf<string>();
    });
    expect(typeof webhooks).toBe('function');
  });

  it('types acceptedAt as nullable before a call is accepted, and known enums as literals or string', () => {
    expectTypeOf<EventOf<'call.requested'>['data']['call']['acceptedAt']>().toEqualTypeOf<string | null | undefined>();
    expectTypeOf<EventOf<'call.accepted'>['data']['call']['acceptedAt']>().toEqualTypeOf<string>();
    expectTypeOf<'ended'>().toExtend<EventOf<'call.ended'>['data']['call']['status']>();
    expectTypeOf<'a-future-status'>().toExtend<EventOf<'call.ended'>['data']['call']['status']>();
    expect(true).toBe(true);
  });

  it('gives a handler for several types the union of their events', () => {
    convercWebhooks().on(['call.canceled', 'call.missed'], (event) => {
      expectTypeOf(event.type).toEqualTypeOf<'call.canceled' | 'call.missed'>();
    });
    expect(true).toBe(true);
  });

  it('refuses an unknown event type name at compile time', () => {
    const webhooks = convercWebhooks();
    // @ts-expect-error 'call.end' is not an event type
    expect(() => webhooks.on('call.end', () => undefined)).toThrow(TypeError);
    // @ts-expect-error nor is an arbitrary string
    expect(() => webhooks.on(['call.ended', 'nope'], () => undefined)).toThrow(TypeError);
  });

  it('types onAny and onError with every event, unknown ones included', () => {
    convercWebhooks()
      .onAny((event) => {
        expectTypeOf(event).toEqualTypeOf<AnyEvent>();
        expectTypeOf<UnknownEvent>().toExtend<typeof event>();
      })
      .onError((error, event) => {
        expectTypeOf(error).toEqualTypeOf<WebhookError>();
        expectTypeOf(error.code).toEqualTypeOf<WebhookErrorCode>();
        expectTypeOf(event).toEqualTypeOf<ConvercEvent | UnknownEvent | undefined>();
      });
    expectTypeOf(parseEvent).returns.toEqualTypeOf<ConvercEvent | UnknownEvent>();
    expectTypeOf<ConvercEventType>().toEqualTypeOf<ConvercEvent['type']>();
    expect(true).toBe(true);
  });

  it('refuses a misspelt field at compile time, and reads a field it does not type through `in`', () => {
    const event = parseEvent({ ...fixtures['call.ended'], data: { ...fixtures['call.ended'].data, sentiment: 'warm' } });
    if (!isEventOf(event, 'call.ended')) throw new Error('not a call.ended');
    // @ts-expect-error a contact has no field `emial`: the types list the documented fields only
    expect(event.data.contact.emial).toBeUndefined();
    expectTypeOf(event.data.contact).not.toHaveProperty('emial');
    // Every field sent is still there at run time, and `in` narrows the type to read it.
    const sentiment = 'sentiment' in event.data ? event.data.sentiment : undefined;
    expectTypeOf(sentiment).toEqualTypeOf<unknown>();
    expect(sentiment).toBe('warm');
  });

  it('is an Express RequestHandler for app.use and app.post', () => {
    const webhooks = convercWebhooks();
    const app = express();
    app.use('/webhooks/converc', webhooks);
    app.post('/webhooks/converc', webhooks);
    app.use(convercWebhooks({ path: '/webhooks/converc' }));
    expectTypeOf(webhooks).toExtend<express.RequestHandler>();
    expect(app).toBeDefined();
  });
});

describe('isEventOf', () => {
  it('narrows an event from onAny or parseEvent to one type, or to several', () => {
    const event = parseEvent(fixtures['call.ended']);
    if (isEventOf(event, 'call.ended')) expectTypeOf(event.data.call.endedAt).toEqualTypeOf<string>();
    if (isEventOf(event, ['call.canceled', 'call.missed'])) {
      expectTypeOf(event.type).toEqualTypeOf<'call.canceled' | 'call.missed'>();
    }
    expect(isEventOf(event, 'call.ended')).toBe(true);
    expect(isEventOf(event, ['call.canceled', 'call.missed'])).toBe(false);
    expect(isEventOf(parseEvent(futureEvent), 'call.ended')).toBe(false);
  });
});
