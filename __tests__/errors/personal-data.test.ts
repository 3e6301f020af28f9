import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import pino from 'pino';
import { convercWebhooks, WebhookError } from 'converc-webhooks';
import { deliver } from 'converc-webhooks/testing';
import { fixtures } from '../fixtures/events';

// The contact of every fixture: none of these may leave the package by default.
const { contact } = fixtures['call.ended'].data;
const PERSONAL = [contact.email, contact.phone, contact.name].filter((value): value is string => typeof value === 'string');

function expectNoPersonalData(text: string): void {
  expect(PERSONAL.length).toBeGreaterThanOrEqual(3);
  for (const value of PERSONAL) expect(text).not.toContain(value);
}

/** A handler failure as the receiver makes it: the event, its raw body, and a cause that holds the event too. */
function handlerFailure(): WebhookError {
  const event = fixtures['call.ended'];
  const cause = Object.assign(new Error('crm is down'), { event });
  return new WebhookError('handler_failed', 'A handler for call.ended failed', {
    cause,
    event,
    rawBody: JSON.stringify(event),
    deliveryId: event.id,
    attempt: 1,
  });
}

describe('WebhookError and personal data', () => {
  it('keeps rawBody and event on the error, for an app to store and replay', () => {
    const error = handlerFailure();
    expect(error.rawBody).toContain(contact.email);
    expect(error.event).toBe(fixtures['call.ended']);
    expect(error.with({ attempt: 2 }).rawBody).toBe(error.rawBody);
  });

  it('leaves rawBody and event out of JSON.stringify, and shows the cause by name and message', () => {
    const error = handlerFailure();
    const json = JSON.stringify(error);
    expectNoPersonalData(json);
    expect(JSON.parse(json)).toEqual({
      name: 'WebhookError',
      code: 'handler_failed',
      status: 500,
      message: 'A handler for call.ended failed',
      deliveryId: fixtures['call.ended'].id,
      attempt: 1,
      cause: { name: 'Error', message: 'crm is down' },
    });
  });

  it('leaves rawBody, event and the properties of its cause out of util.inspect (and console.log)', () => {
    const text = inspect(handlerFailure(), { depth: 10 });
    expectNoPersonalData(text);
    expect(text).toContain("code: 'handler_failed'");
    expect(text).toContain('crm is down');
  });

  it('shows a thrown non-Error cause by its type only', () => {
    const error = new WebhookError('handler_failed', 'failed', { cause: fixtures['call.ended'] });
    expectNoPersonalData(inspect(error, { depth: 10 }));
    expect(error.toJSON().cause).toEqual({ name: 'object' });
  });

  it('is safe to hand to pino: logger.error(error) writes no personal data', () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    pino(stream).error(handlerFailure());
    expect(written).toContain('"code":"handler_failed"');
    expectNoPersonalData(written);
  });
});

describe('the fallback output when no onError is set', () => {
  it('names the code, delivery id, event type and message of a handler failure, never the body', async () => {
    const printed: unknown[][] = [];
    const consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      printed.push(args);
    });
    try {
      const webhooks = convercWebhooks().on('call.ended', (event) => {
        throw Object.assign(new Error('crm is down'), { event });
      });
      const response = await deliver(webhooks, fixtures['call.ended']);
      await webhooks.drain();
      expect(response.status).toBe(500);
      expect(printed).toHaveLength(1);
      const text = printed[0]?.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 10 }))).join(' ') ?? '';
      expect(text).toContain('handler_failed');
      expect(text).toContain(fixtures['call.ended'].id);
      expect(text).toContain('call.ended');
      expect(text).toContain('crm is down');
      expectNoPersonalData(text);
    } finally {
      consoleError.mockRestore();
    }
  });
});
