import { convercWebhooks, createNodeHandler, type AnyEvent, type WebhookError } from 'converc-webhooks';
import { backoffDelay, resolveRetry } from '../../src/core/retry';
import { closeServers, serve, type Client } from '../contract/adapters';
import { deferred, waitFor } from '../contract/helpers';
import { fixtures } from '../fixtures/events';

const retry = { attempts: 4, minDelayMs: 1, maxDelayMs: 4 };
const post = (client: Client, headers: Record<string, string> = {}) =>
  client({ headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(fixtures['call.ended']) });

function retrying(handler: () => unknown, options: Parameters<typeof convercWebhooks>[0] = {}) {
  const errors: WebhookError[] = [];
  const deadLetters: [AnyEvent, WebhookError][] = [];
  const webhooks = convercWebhooks({
    retry,
    onDeadLetter: (event, error) => void deadLetters.push([event, error]),
    ...options,
  })
    .on('call.ended', handler)
    .onError((error) => void errors.push(error));
  return { webhooks, errors, deadLetters };
}

describe('retry', () => {
  afterEach(closeServers);

  it.each([
    ['throws', (error: Error): unknown => {
      throw error;
    }],
    ['rejects', (error: Error): unknown => Promise.reject(error)],
    ['returns a rejecting thenable', (error: Error): unknown => ({ then: (_: unknown, fail: (e: Error) => void) => { fail(error); } })],
  ])('runs a handler that %s twice then succeeds three times, answers 202, and processes the event once', async (_how, fail) => {
    let runs = 0;
    const { webhooks, errors, deadLetters } = retrying(() => {
      runs += 1;
      return runs <= 2 ? fail(new Error(`failure ${runs}`)) : undefined;
    });
    const client = await serve(createNodeHandler(webhooks));
    const response = await post(client);
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('accepted');
    await webhooks.drain();
    expect(runs).toBe(3);
    expect(errors.map((e) => [e.code, e.attempt])).toEqual([
      ['handler_failed', 1],
      ['handler_failed', 2],
    ]);
    expect(deadLetters).toEqual([]);
    expect((await post(client)).body.status).toBe('duplicate');
  });

  it('hands an event whose handler always fails to onDeadLetter exactly once, then releases its key', async () => {
    let runs = 0;
    const { webhooks, errors, deadLetters } = retrying(() => {
      runs += 1;
      throw new Error('always');
    });
    const client = await serve(createNodeHandler(webhooks));
    await post(client);
    await webhooks.drain();
    expect(runs).toBe(4);
    expect(errors.map((e) => e.attempt)).toEqual([1, 2, 3, 4]);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.[0]).toEqual(fixtures['call.ended']);
    expect(deadLetters[0]?.[1].attempt).toBe(4);
    expect((deadLetters[0]?.[1].cause as Error).message).toBe('always');
    // Released after the last attempt: a resend is processed (and fails again, here).
    expect((await post(client)).status).toBe(202);
    await webhooks.drain();
    expect(runs).toBe(8);
  });

  it('answers 202 with retry set even when attempts is 1, and hands the event to onDeadLetter', async () => {
    const { webhooks, deadLetters } = retrying(
      () => {
        throw new Error('once');
      },
      { retry: { attempts: 1 } },
    );
    const client = await serve(createNodeHandler(webhooks));
    expect((await post(client)).status).toBe(202);
    await webhooks.drain();
    expect(deadLetters).toHaveLength(1);
  });

  it('answers a resend during the retries as a duplicate', async () => {
    const gate = deferred();
    let runs = 0;
    const { webhooks } = retrying(async () => {
      runs += 1;
      if (runs === 1) throw new Error('first');
      await gate.promise;
    });
    const client = await serve(createNodeHandler(webhooks));
    expect((await post(client)).status).toBe(202);
    await waitFor(() => runs === 2);
    expect((await post(client)).body.status).toBe('duplicate');
    gate.resolve();
    await webhooks.drain();
    expect(runs).toBe(2);
  });

  it('runs again only the handler that failed', async () => {
    let ok = 0;
    let flaky = 0;
    const { webhooks } = retrying(() => {
      ok += 1;
    });
    webhooks.on('call.ended', () => {
      flaky += 1;
      if (flaky === 1) throw new Error('once');
    });
    await post(await serve(createNodeHandler(webhooks)));
    await webhooks.drain();
    expect([ok, flaky]).toEqual([1, 2]);
  });

  it('keeps close() waiting for scheduled retries, and reports them when it gives up', async () => {
    const { webhooks } = retrying(
      () => {
        throw new Error('down');
      },
      { retry: { attempts: 3, minDelayMs: 200, maxDelayMs: 200 } },
    );
    await post(await serve(createNodeHandler(webhooks)));
    expect(await webhooks.close({ timeoutMs: 20 })).toEqual({ drained: false, pending: 1 });
    expect(await webhooks.close({ timeoutMs: 5000 })).toEqual({ drained: true, pending: 0 });
  });

  it('grows the delay exponentially within bounds, with jitter', () => {
    const options = { attempts: 10, minDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, options, () => 0)).toBe(50);
    expect(backoffDelay(1, options, () => 1)).toBe(100);
    expect(backoffDelay(3, options, () => 1)).toBe(400);
    expect(backoffDelay(9, options, () => 1)).toBe(1000);
    expect(backoffDelay(9, options, () => 0)).toBe(500);
  });

  it.each([
    [{ attempts: 0 }, /retry\.attempts/],
    [{ attempts: 2, minDelayMs: -1 }, /retry\.minDelayMs/],
    [{ attempts: 2, minDelayMs: 10, maxDelayMs: 5 }, /retry\.maxDelayMs/],
    ['often', /retry must be/],
  ])('throws a TypeError for retry %p', (value, message) => {
    expect(() => resolveRetry(value)).toThrow(message);
    expect(() => convercWebhooks({ onDeadLetter: 'x' as never })).toThrow(/onDeadLetter must be a function/);
  });
});

describe('replay()', () => {
  it('runs the handlers for a stored event, and answers duplicate once it is processed', async () => {
    const handler = jest.fn();
    const webhooks = convercWebhooks().on('call.ended', handler);
    expect(await webhooks.replay(fixtures['call.ended'])).toBe('processed');
    expect(await webhooks.replay(fixtures['call.ended'])).toBe('duplicate');
    expect(await webhooks.replay(fixtures['call.missed'])).toBe('ignored');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('replays a dead-lettered event once the cause is fixed, waiting through retries', async () => {
    let broken = true;
    const stored: AnyEvent[] = [];
    const webhooks = convercWebhooks({
      retry: { attempts: 2, minDelayMs: 1, maxDelayMs: 1 },
      onDeadLetter: (event) => void stored.push(event),
    })
      .on('call.ended', () => {
        if (broken) throw new Error('CRM down');
      })
      .onError(() => undefined);
    expect(await webhooks.replay(fixtures['call.ended'])).toBe('failed');
    expect(stored).toHaveLength(1);
    broken = false;
    expect(await webhooks.replay(stored[0])).toBe('processed');
  });

  it('needs no token and ignores the age limit, since the event comes from the app', async () => {
    const webhooks = convercWebhooks({ auth: { tokens: ['secret-token'] }, maxEventAgeMs: 1000 }).onAny(jest.fn());
    expect(await webhooks.replay(fixtures['call.ended'])).toBe('processed');
  });

  it('rejects an invalid event with invalid_event', async () => {
    await expect(convercWebhooks().replay({ id: 'x' })).rejects.toMatchObject({ code: 'invalid_event' });
  });
});
