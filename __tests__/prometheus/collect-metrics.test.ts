import { Registry } from 'prom-client';
import { convercWebhooks } from 'converc-webhooks';
import { collectMetrics } from 'converc-webhooks/prometheus';
import { deliver } from 'converc-webhooks/testing';
import type { DedupeStore } from '../../src';
import { receiverOf } from '../../src/core/receivers';
import { WebhookError } from '../../src/errors/webhook-error';
import { eventWithId, fixtures, futureEvent } from '../fixtures/events';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of prom-client's text exposition format. */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
      return { name: match[1] ?? '', labels, value: Number(match[3]) };
    });
}

/** The value of the one sample of `name` with exactly these labels (le excluded), or undefined. */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.keys(sample.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0]?.value;
}

const withType = (type: string, id: string) => ({ ...futureEvent, id, type });

describe('collectMetrics', () => {
  it('counts a scripted mix of deliveries, as the registry text shows', async () => {
    const registry = new Registry();
    const webhooks = convercWebhooks()
      .on('call.ended', () => undefined)
      .on('call.accepted', async () => {
        await Promise.resolve();
        throw new Error('crm is down');
      })
      .onError(() => undefined);
    collectMetrics(webhooks, { registry, maxUnknownTypes: 1 });

    await deliver(webhooks, fixtures['call.ended']); // processed
    await deliver(webhooks, fixtures['call.ended']); // duplicate (X-IC-Id known)
    await deliver(webhooks, eventWithId('call.ended', 'evt-2')); // processed
    await deliver(webhooks, fixtures['call.missed']); // ignored
    await deliver(webhooks, fixtures['call.accepted']); // failed
    await deliver(webhooks, futureEvent); // ignored, its own type
    await deliver(webhooks, withType('call.zapped', 'evt-z1')); // ignored, past the cap: other
    await deliver(webhooks, withType('call.zoomed', 'evt-z2')); // ignored, other
    await deliver(webhooks, fixtures['call.ended'], { body: '{', headers: { 'X-IC-Id': null } }); // refused
    await deliver(webhooks, fixtures['call.ended'], { method: 'GET' }); // refused
    await webhooks.drain();

    const samples = parse(await registry.metrics());
    const deliveries = (type: string, outcome: string, code = 'none') => valueOf(samples, 'converc_webhook_deliveries_total', { type, outcome, code });
    expect(deliveries('call.ended', 'processed')).toBe(2);
    // Known from its X-IC-Id, the duplicate's body was never read: its type is not known.
    expect(deliveries('none', 'duplicate')).toBe(1);
    expect(deliveries('call.missed', 'ignored')).toBe(1);
    expect(deliveries('call.accepted', 'failed', 'handler_failed')).toBe(1);
    expect(deliveries(futureEvent.type, 'ignored')).toBe(1);
    expect(deliveries('other', 'ignored')).toBe(2);
    expect(deliveries('call.zapped', 'ignored')).toBeUndefined();
    expect(deliveries('none', 'refused', 'invalid_json')).toBe(1);
    expect(deliveries('none', 'refused', 'method_not_allowed')).toBe(1);
    expect(samples.filter((sample) => sample.name === 'converc_webhook_deliveries_total').reduce((sum, s) => sum + s.value, 0)).toBe(10);

    expect(valueOf(samples, 'converc_webhook_delivery_duration_seconds_count', { outcome: 'processed' })).toBe(2);
    expect(valueOf(samples, 'converc_webhook_delivery_duration_seconds_count', { outcome: 'refused' })).toBe(2);
    expect(valueOf(samples, 'converc_webhook_handler_duration_seconds_count', { type: 'call.ended', outcome: 'processed' })).toBe(2);
    expect(valueOf(samples, 'converc_webhook_handler_duration_seconds_count', { type: 'call.accepted', outcome: 'failed' })).toBe(1);
    // The duplicate was known from its X-IC-Id; 7 events were new to the store.
    expect(valueOf(samples, 'converc_webhook_dedupe_total', { result: 'duplicate' })).toBe(1);
    expect(valueOf(samples, 'converc_webhook_dedupe_total', { result: 'new' })).toBe(7);
    // Each X-IC-Id asked once before the read (8), each valid event claimed once (7).
    expect(valueOf(samples, 'converc_webhook_store_duration_seconds_count', { operation: 'is_processed' })).toBe(8);
    expect(valueOf(samples, 'converc_webhook_store_duration_seconds_count', { operation: 'claim' })).toBe(7);
    expect(valueOf(samples, 'converc_webhook_handlers_in_flight')).toBe(0);
    expect(valueOf(samples, 'converc_webhook_retries_total')).toBe(0);
    expect(valueOf(samples, 'converc_webhook_dead_letters_total')).toBe(0);
  });

  it('counts retries and dead letters, and handlers in flight while they run', async () => {
    const registry = new Registry();
    let release: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (release = resolve));
    const webhooks = convercWebhooks({ retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 } })
      .on('call.accepted', () => {
        throw new Error('always fails');
      })
      .on('call.ended', () => running)
      .onError(() => undefined);
    collectMetrics(webhooks, { registry });

    expect((await deliver(webhooks, fixtures['call.accepted'])).status).toBe(202);
    const slow = deliver(webhooks, fixtures['call.ended']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(valueOf(parse(await registry.metrics()), 'converc_webhook_handlers_in_flight')).toBe(1);
    release();
    await slow;
    await webhooks.drain();

    const samples = parse(await registry.metrics());
    expect(valueOf(samples, 'converc_webhook_retries_total')).toBe(2);
    expect(valueOf(samples, 'converc_webhook_dead_letters_total')).toBe(1);
    expect(valueOf(samples, 'converc_webhook_handler_duration_seconds_count', { type: 'call.accepted', outcome: 'failed' })).toBe(3);
    expect(valueOf(samples, 'converc_webhook_deliveries_total', { type: 'call.accepted', outcome: 'accepted', code: 'none' })).toBe(1);
    expect(valueOf(samples, 'converc_webhook_handlers_in_flight')).toBe(0);
  });

  it.each(['process', 'reject'] as const)('counts a store that fails as unavailable, under onStoreError %s', async (onStoreError) => {
    const registry = new Registry();
    const down: DedupeStore = {
      claim: () => Promise.reject(new Error('ECONNREFUSED')),
      complete: () => undefined,
      release: () => undefined,
    };
    const webhooks = convercWebhooks({ dedupe: down, onStoreError }).on('call.ended', () => undefined).onError(() => undefined);
    collectMetrics(webhooks, { registry });
    const { status } = await deliver(webhooks, fixtures['call.ended']);
    await webhooks.drain();
    expect(status).toBe(onStoreError === 'process' ? 200 : 503);
    const samples = parse(await registry.metrics());
    expect(valueOf(samples, 'converc_webhook_dedupe_total', { result: 'unavailable' })).toBe(1);
    expect(valueOf(samples, 'converc_webhook_dedupe_total', { result: 'new' })).toBeUndefined();
  });

  it('does not count a body refused for itself as unavailable when the X-IC-Id lookup had failed first', async () => {
    const registry = new Registry();
    const down: DedupeStore = {
      isProcessed: () => Promise.reject(new Error('ECONNREFUSED')),
      claim: (key) => ({ key, token: 't' }),
      complete: () => undefined,
      release: () => undefined,
    };
    const webhooks = convercWebhooks({ dedupe: down }).onError(() => undefined);
    collectMetrics(webhooks, { registry });
    expect((await deliver(webhooks, fixtures['call.ended'], { body: '{' })).status).toBe(400);
    const samples = parse(await registry.metrics());
    expect(valueOf(samples, 'converc_webhook_dedupe_total', { result: 'unavailable' })).toBeUndefined();
    expect(valueOf(samples, 'converc_webhook_deliveries_total', { type: 'none', outcome: 'refused', code: 'invalid_json' })).toBe(1);
  });

  it("counts an event a worker gave up on (the Postgres inbox's dead rows) as a dead letter", async () => {
    const registry = new Registry();
    const onDeadLetter = jest.fn();
    const webhooks = convercWebhooks({ onDeadLetter });
    collectMetrics(webhooks, { registry });
    const error = new WebhookError('handler_failed', 'A handler failed');
    await receiverOf(webhooks).deadLetter(fixtures['call.ended'], error);
    expect(onDeadLetter).toHaveBeenCalledWith(fixtures['call.ended'], error);
    expect(valueOf(parse(await registry.metrics()), 'converc_webhook_dead_letters_total')).toBe(1);
  });

  it('shares the metrics of two receivers in one registry', async () => {
    const registry = new Registry();
    const first = convercWebhooks().on('call.ended', () => undefined);
    const second = convercWebhooks().on('call.ended', () => undefined);
    collectMetrics(first, { registry });
    collectMetrics(second, { registry });
    await deliver(first, fixtures['call.ended']);
    await deliver(second, fixtures['call.ended']);
    expect(valueOf(parse(await registry.metrics()), 'converc_webhook_deliveries_total', { type: 'call.ended', outcome: 'processed', code: 'none' })).toBe(2);
  });

  it('refuses an unknown option and something that is not a receiver', () => {
    const webhooks = convercWebhooks();
    expect(() => { collectMetrics(webhooks, { registy: new Registry() } as never); }).toThrow(/unknown key "registy"; did you mean "registry"\?/);
    expect(() => { collectMetrics((() => undefined) as never); }).toThrow(TypeError);
  });
});
