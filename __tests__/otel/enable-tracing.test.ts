import type { Worker } from 'bullmq';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { convercWebhooks } from 'converc-webhooks';
import { createQueueHandoff, createWorker } from 'converc-webhooks/bullmq';
import { ATTRIBUTES, DELIVERY_SPAN, enableTracing, HANDLER_SPAN } from 'converc-webhooks/otel';
import { deliver } from 'converc-webhooks/testing';
import { eventWithId, fixtures } from '../fixtures/events';
import { closeQueues, openQueue, uniqueQueueName } from '../bullmq/bullmq-helpers';
import { waitUntil } from '../fixtures/wait-until';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let stopTracing: () => void = () => undefined;

beforeEach(() => {
  exporter.reset();
  stopTracing = enableTracing({ tracerProvider });
});
afterEach(() => {
  stopTracing();
});

const spansNamed = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((span) => span.name === name);
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

describe('enableTracing', () => {
  it('makes a span per delivery with a child per handler run, for a processed event', async () => {
    const webhooks = convercWebhooks().on('call.ended', () => undefined).onAny(async () => Promise.resolve());
    expect((await deliver(webhooks, fixtures['call.ended'])).status).toBe(200);
    await webhooks.drain();

    const [delivery] = spansNamed(DELIVERY_SPAN);
    expect(spansNamed(DELIVERY_SPAN)).toHaveLength(1);
    expect(delivery?.attributes).toEqual({
      [ATTRIBUTES.eventId]: fixtures['call.ended'].id,
      [ATTRIBUTES.eventType]: 'call.ended',
      [ATTRIBUTES.outcome]: 'processed',
    });
    const handlers = spansNamed(HANDLER_SPAN);
    expect(handlers).toHaveLength(2);
    for (const handler of handlers) {
      expect(parentOf(handler)).toBe(delivery?.spanContext().spanId);
      expect(handler.spanContext().traceId).toBe(delivery?.spanContext().traceId);
      expect(handler.attributes).toMatchObject({ [ATTRIBUTES.outcome]: 'processed', [ATTRIBUTES.attempt]: 1, [ATTRIBUTES.eventType]: 'call.ended' });
    }
  });

  it('makes a child span per retry, each with its attempt and outcome', async () => {
    let runs = 0;
    const webhooks = convercWebhooks({ retry: { attempts: 3, minDelayMs: 1, maxDelayMs: 2 } })
      .on('call.ended', () => {
        runs += 1;
        if (runs < 3) throw new Error(`run ${runs} fails`);
      })
      .onError(() => undefined);
    expect((await deliver(webhooks, eventWithId('call.ended', 'evt-retried'))).status).toBe(202);
    await webhooks.drain();

    const [delivery] = spansNamed(DELIVERY_SPAN);
    expect(delivery?.attributes[ATTRIBUTES.outcome]).toBe('accepted');
    const runsSeen = spansNamed(HANDLER_SPAN).map((span) => [
      span.attributes[ATTRIBUTES.attempt],
      span.attributes[ATTRIBUTES.outcome],
      span.attributes[ATTRIBUTES.errorCode],
      parentOf(span) === delivery?.spanContext().spanId,
    ]);
    expect(runsSeen).toEqual([
      [1, 'failed', 'handler_failed', true],
      [2, 'failed', 'handler_failed', true],
      [3, 'processed', undefined, true],
    ]);
  });

  it('marks a refused delivery with its error code, and runs no handler span', async () => {
    const webhooks = convercWebhooks().on('call.ended', () => undefined);
    expect((await deliver(webhooks, fixtures['call.ended'], { body: '{"id": 1}' })).status).toBe(422);
    const [delivery] = spansNamed(DELIVERY_SPAN);
    expect(delivery?.attributes).toMatchObject({ [ATTRIBUTES.outcome]: 'refused', [ATTRIBUTES.errorCode]: 'invalid_event' });
    expect(spansNamed(HANDLER_SPAN)).toHaveLength(0);
  });

  it('stops making spans once unsubscribed', async () => {
    stopTracing();
    const webhooks = convercWebhooks().on('call.ended', () => undefined);
    await deliver(webhooks, fixtures['call.ended']);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('refuses an unknown option', () => {
    expect(() => enableTracing({ tracerprovider: tracerProvider } as never)).toThrow(/did you mean "tracerProvider"/);
  });
});

describeWithRedis('enableTracing across a BullMQ queue', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await closeQueues();
  });

  it("continues the delivery's trace in the worker's handler span, from the job's traceparent", async () => {
    const url = REDIS_URL ?? '';
    const name = uniqueQueueName('otel');
    const queue = await openQueue(name, url);
    const web = convercWebhooks({ handoff: createQueueHandoff(queue) });
    let worked = 0;
    const workerSide = convercWebhooks().on('call.ended', () => {
      worked += 1;
    });
    const worker = createWorker(workerSide, { queueName: name, connection: { url } });
    worker.on('error', () => undefined);
    workers.push(worker);

    expect((await deliver(web, eventWithId('call.ended', 'evt-queued'))).status).toBe(202);
    const job = await queue.getJob('evt-queued');
    expect((job?.data)?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await waitUntil(async () => (await queue.getJobState('evt-queued')) === 'completed', 10_000, 'the job to complete');
    expect(worked).toBe(1);

    const [delivery] = spansNamed(DELIVERY_SPAN);
    expect(delivery?.attributes).toMatchObject({ [ATTRIBUTES.outcome]: 'accepted', [ATTRIBUTES.eventId]: 'evt-queued' });
    const [handler] = spansNamed(HANDLER_SPAN);
    expect(spansNamed(HANDLER_SPAN)).toHaveLength(1);
    expect(handler?.spanContext().traceId).toBe(delivery?.spanContext().traceId);
    expect(parentOf(handler as ReadableSpan)).toBe(delivery?.spanContext().spanId);
    expect(handler?.attributes).toMatchObject({ [ATTRIBUTES.outcome]: 'processed', [ATTRIBUTES.eventId]: 'evt-queued', [ATTRIBUTES.attempt]: 1 });
  });
});
