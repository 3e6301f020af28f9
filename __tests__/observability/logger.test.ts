import { Writable } from 'node:stream';
import pino from 'pino';
import { expectTypeOf } from 'expect-type';
import { consoleLogger, convercWebhooks, DELIVERY_MESSAGE, RETRY_MESSAGE, type Logger } from 'converc-webhooks';
import { deliver } from 'converc-webhooks/testing';
import { eventWithId, fixtures } from '../fixtures/events';

const { contact } = fixtures['call.ended'].data;
const PERSONAL = [contact.email, contact.phone, contact.name].filter((value): value is string => typeof value === 'string');

/** pino at `debug`, writing JSON lines to memory. */
function pinoToMemory(): { logger: pino.Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return {
    logger,
    text: () => written,
    lines: () =>
      written
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

describe('the logger option, with pino', () => {
  it('accepts a pino logger and consoleLogger() as its type', () => {
    expectTypeOf(pino()).toExtend<Logger>();
    expectTypeOf(consoleLogger()).toExtend<Logger>();
  });

  it('writes one line per delivery, at the level of its outcome, with the schema fields', async () => {
    const { logger, lines } = pinoToMemory();
    const webhooks = convercWebhooks({ logger })
      .on('call.ended', () => undefined)
      .on('call.accepted', (event) => {
        // An error that holds the event: nothing of it may reach the log.
        throw Object.assign(new Error('crm is down'), { event });
      });
    const ended = fixtures['call.ended'];
    expect((await deliver(webhooks, ended)).status).toBe(200);
    expect((await deliver(webhooks, ended)).status).toBe(200);
    expect((await deliver(webhooks, fixtures['call.requested'])).status).toBe(200);
    expect((await deliver(webhooks, ended, { body: '{"id": ', headers: { 'X-IC-Id': null } })).status).toBe(400);
    expect((await deliver(webhooks, fixtures['call.accepted'])).status).toBe(500);
    await webhooks.drain();

    const deliveries = lines().filter((line) => line['msg'] === DELIVERY_MESSAGE);
    expect(deliveries.map((line) => [line['level'], line['outcome'], line['status'], line['code']])).toEqual([
      [LEVEL.info, 'processed', 200, undefined],
      [LEVEL.debug, 'duplicate', 200, undefined],
      [LEVEL.info, 'ignored', 200, undefined],
      [LEVEL.warn, 'refused', 400, 'invalid_json'],
      [LEVEL.error, 'failed', 500, 'handler_failed'],
    ]);
    const [processed] = deliveries;
    expect(processed).toMatchObject({ id: ended.id, type: 'call.ended', component: 'converc-webhooks', bytes: JSON.stringify(ended).length });
    expect(typeof processed?.['durationMs']).toBe('number');
    // The handler failure, with no onError, goes to the logger: code, id, type, cause; no event.
    const unhandled = lines().find((line) => line['code'] === 'handler_failed' && line['msg'] !== DELIVERY_MESSAGE);
    expect(unhandled).toMatchObject({ level: LEVEL.error, id: fixtures['call.accepted'].id, type: 'call.accepted', cause: { message: 'crm is down' } });
  });

  it('writes no email, phone or name, even when a handler throws an error that holds the event', async () => {
    const { logger, text } = pinoToMemory();
    const webhooks = convercWebhooks({ logger, retry: { attempts: 2, minDelayMs: 1 } })
      .on('call.ended', (event) => {
        throw Object.assign(new Error('crm is down'), { event, contact: event.data.contact });
      })
      .onAny((event) => {
        logger.info({ type: event.type }, 'app line without the event');
      });
    await deliver(webhooks, fixtures['call.ended']);
    await deliver(webhooks, fixtures['call.ended'], { body: JSON.stringify({ ...fixtures['call.ended'], id: 7 }) });
    await webhooks.drain();
    expect(text()).toContain('handler_failed');
    expect(PERSONAL.length).toBe(3);
    for (const value of PERSONAL) expect(text()).not.toContain(value);
  });

  it('logs a retry of a handler with its attempt, and the delivery as accepted', async () => {
    const { logger, lines } = pinoToMemory();
    let runs = 0;
    const webhooks = convercWebhooks({ logger, retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 } }).on('call.ended', () => {
      runs += 1;
      if (runs < 3) throw new Error(`run ${runs} fails`);
    });
    expect((await deliver(webhooks, eventWithId('call.ended', 'evt-retried'))).status).toBe(202);
    await webhooks.drain();
    const retries = lines().filter((line) => line['msg'] === RETRY_MESSAGE);
    expect(retries.map((line) => [line['level'], line['attempt'], line['outcome'], line['code']])).toEqual([
      [LEVEL.warn, 2, 'failed', 'handler_failed'],
      [LEVEL.info, 3, 'processed', undefined],
    ]);
    expect(lines().find((line) => line['msg'] === DELIVERY_MESSAGE)).toMatchObject({ outcome: 'accepted', status: 202, id: 'evt-retried' });
  });

  it('refuses a logger without the four level functions, naming the option', () => {
    expect(() => convercWebhooks({ logger: { info: () => undefined } as unknown as Logger })).toThrow(/^logger must be a logger/);
  });
});

describe('consoleLogger', () => {
  it('writes JSON lines from info up by default, warn and error to console.error', async () => {
    const out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const webhooks = convercWebhooks({ logger: consoleLogger() }).on('call.ended', () => undefined);
      await deliver(webhooks, fixtures['call.ended']);
      await deliver(webhooks, fixtures['call.ended']);
      await deliver(webhooks, fixtures['call.ended'], { method: 'GET' });
      expect(out.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown)).toEqual([
        expect.objectContaining({ level: 'info', msg: DELIVERY_MESSAGE, outcome: 'processed' }),
      ]);
      expect(err.mock.calls.map(([line]) => JSON.parse(String(line)) as unknown)).toEqual([
        expect.objectContaining({ level: 'warn', outcome: 'refused', status: 405, code: 'method_not_allowed' }),
      ]);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('refuses an unknown level', () => {
    expect(() => consoleLogger({ level: 'trace' as 'debug' })).toThrow(/^level must be/);
  });
});
