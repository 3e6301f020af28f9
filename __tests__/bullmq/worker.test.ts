import type { Worker } from 'bullmq';
import { expectTypeOf } from 'expect-type';
import { convercWebhooks, type ConvercWebhooks, type HandlerContext, type WebhookError } from 'converc-webhooks';
import {
  createQueueHandoff,
  createWorker,
  DEFAULT_QUEUE_NAME,
  retryFailedJobs,
  type CreateWorkerOptions,
  type QueuedEvent,
} from 'converc-webhooks/bullmq';
import { eventWithId } from '../fixtures/events';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';
import { closeQueues, openQueue, uniqueQueueName } from './bullmq-helpers';
import { waitUntil } from '../fixtures/wait-until';

const url = REDIS_URL ?? '';
const ctxOf = (id: string): HandlerContext => ({
  id,
  receivedAt: new Date('2024-01-02T00:00:36.123Z'),
  headers: { 'x-ic-id': id },
});
// Retries a few milliseconds apart, so the tests are quick; BullMQ's own backoff is what runs them.
const quickRetries = { backoff: { type: 'fixed', delay: 10 } } as const;

describe('createWorker arguments', () => {
  it('refuses anything convercWebhooks() did not make, and a bad queueName, with a TypeError', () => {
    const options = { connection: { url: 'redis://127.0.0.1:1' }, autorun: false };
    expect(() => createWorker({} as ConvercWebhooks, options)).toThrow(TypeError);
    expect(() => createWorker(convercWebhooks(), { ...options, queueName: '' })).toThrow(/queueName/);
    expect(() => createWorker(convercWebhooks(), undefined as unknown as CreateWorkerOptions)).toThrow(/options/);
  });
});

describeWithRedis('createWorker and retryFailedJobs on a real queue', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await closeQueues();
  });

  function start(webhooks: ConvercWebhooks, queueName: string): Worker<QueuedEvent, void> {
    const worker = createWorker(webhooks, { queueName, connection: { url }, concurrency: 4 });
    worker.on('error', () => undefined);
    workers.push(worker);
    return worker;
  }

  async function stateOf(queue: Awaited<ReturnType<typeof openQueue>>, id: string): Promise<string> {
    return queue.getJobState(id);
  }

  it("listens on the queue named 'converc' unless told otherwise", async () => {
    const worker = createWorker(convercWebhooks(), { connection: { url }, autorun: false });
    workers.push(worker);
    expect(worker.name).toBe(DEFAULT_QUEUE_NAME);
    expect(DEFAULT_QUEUE_NAME).toBe('converc');
    await worker.waitUntilReady();
  });

  it('runs the same typed handlers on a job, with the context as the web process had it', async () => {
    const name = uniqueQueueName('run');
    const queue = await openQueue(name, url);
    const seen: { id: string; endedAt: string; ctx: HandlerContext }[] = [];
    const webhooks = convercWebhooks().on('call.ended', (event, ctx) => {
      expectTypeOf(event.data.call.endedAt).toEqualTypeOf<string>();
      seen.push({ id: event.id, endedAt: event.data.call.endedAt, ctx });
    });
    await createQueueHandoff(queue).enqueue(eventWithId('call.ended', 'evt-run'), ctxOf('evt-run'));
    start(webhooks, name);
    await waitUntil(async () => (await stateOf(queue, 'evt-run')) === 'completed', 10_000, 'the job to complete');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.id).toBe('evt-run');
    expect(seen[0]?.endedAt).toBe(eventWithId('call.ended', 'x').data.call.endedAt);
    expect(seen[0]?.ctx.id).toBe('evt-run');
    expect(seen[0]?.ctx.receivedAt).toEqual(new Date('2024-01-02T00:00:36.123Z'));
    expect(seen[0]?.ctx.headers).toEqual({ 'x-ic-id': 'evt-run' });
  });

  it("retries a failing event under BullMQ's attempts: onError hears each attempt, and it completes", async () => {
    const name = uniqueQueueName('retry');
    const queue = await openQueue(name, url);
    let calls = 0;
    let other = 0;
    const attempts: (number | undefined)[] = [];
    const webhooks = convercWebhooks()
      .on('call.ended', () => {
        calls += 1;
        if (calls <= 2) throw new Error(`CRM 503 (${calls})`);
      })
      .onAny(() => {
        other += 1;
      })
      .onError((error) => {
        attempts.push(error.attempt);
      });
    await createQueueHandoff(queue, { jobOptions: quickRetries }).enqueue(eventWithId('call.ended', 'evt-retry'), ctxOf('evt-retry'));
    start(webhooks, name);
    await waitUntil(async () => (await stateOf(queue, 'evt-retry')) === 'completed', 10_000, 'the job to complete');
    expect(calls).toBe(3);
    // The job is the unit of retry: a handler that succeeded runs again with the one that failed.
    expect(other).toBe(3);
    expect(attempts).toEqual([1, 2]);
    // BullMQ counts the run that succeeded as an attempt too.
    expect((await queue.getJob('evt-retry'))?.attemptsMade).toBe(3);
  });

  it('keeps an event that failed every attempt in the failed set, a duplicate until retryFailedJobs runs it again', async () => {
    const name = uniqueQueueName('failed');
    const queue = await openQueue(name, url);
    let crmUp = false;
    let processed = 0;
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks()
      .on('call.ended', () => {
        if (!crmUp) throw new Error('CRM down');
        processed += 1;
      })
      .onError((error) => {
        errors.push(error);
      });
    const handoff = createQueueHandoff(queue, { jobOptions: { ...quickRetries, attempts: 3 } });
    await handoff.enqueue(eventWithId('call.ended', 'evt-failed'), ctxOf('evt-failed'));
    start(webhooks, name);
    await waitUntil(async () => (await stateOf(queue, 'evt-failed')) === 'failed', 10_000, 'the job to fail');
    const failed = await queue.getJob('evt-failed');
    expect(failed?.attemptsMade).toBe(3);
    expect(failed?.failedReason).toBe('CRM down');
    expect(errors.map((error) => [error.code, error.attempt, error.deliveryId])).toEqual([
      ['handler_failed', 1, 'evt-failed'],
      ['handler_failed', 2, 'evt-failed'],
      ['handler_failed', 3, 'evt-failed'],
    ]);
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-failed'), ctxOf('evt-failed'))).toBe('duplicate');

    crmUp = true;
    expect(await retryFailedJobs(queue)).toBe(1);
    await waitUntil(async () => (await stateOf(queue, 'evt-failed')) === 'completed', 10_000, 'the retried job to complete');
    expect(processed).toBe(1);
    expect(await queue.getFailedCount()).toBe(0);
    expect(await retryFailedJobs(queue)).toBe(0);
  });

  it('retryFailedJobs moves only the jobs filter picks, each once even when it fails again at once', async () => {
    const name = uniqueQueueName('filter');
    const queue = await openQueue(name, url);
    let runs = 0;
    const webhooks = convercWebhooks()
      .onAny(() => {
        runs += 1;
        throw new Error('still down');
      })
      .onError(() => undefined);
    const handoff = createQueueHandoff(queue, { jobOptions: { attempts: 1 } });
    for (const [type, id] of [
      ['call.ended', 'evt-f1'],
      ['call.ended', 'evt-f2'],
      ['call.missed', 'evt-f3'],
    ] as const) {
      await handoff.enqueue(eventWithId(type, id), ctxOf(id));
    }
    start(webhooks, name);
    await waitUntil(async () => (await queue.getFailedCount()) === 3, 10_000, 'three failed jobs');
    expect(runs).toBe(3);
    expect(await retryFailedJobs(queue, { filter: (job) => job.name === 'call.ended', pageSize: 1 })).toBe(2);
    await waitUntil(async () => (await queue.getFailedCount()) === 3 && runs === 5, 10_000, 'the two to fail again');
    // The worker fails them again while the call pages through the set: still each moved once.
    expect(await retryFailedJobs(queue, { pageSize: 1 })).toBe(3);
    await expect(retryFailedJobs(queue, { pageSize: 0 })).rejects.toThrow(/pageSize/);
  });

  it('with resetAttempts false, gives a job that used all its attempts a single run', async () => {
    const name = uniqueQueueName('noreset');
    const queue = await openQueue(name, url);
    let runs = 0;
    const webhooks = convercWebhooks()
      .on('call.ended', () => {
        runs += 1;
        throw new Error('down');
      })
      .onError(() => undefined);
    await createQueueHandoff(queue, { jobOptions: { ...quickRetries, attempts: 2 } }).enqueue(
      eventWithId('call.ended', 'evt-noreset'),
      ctxOf('evt-noreset'),
    );
    start(webhooks, name);
    await waitUntil(async () => (await stateOf(queue, 'evt-noreset')) === 'failed', 10_000, 'the job to fail');
    expect(runs).toBe(2);
    expect(await retryFailedJobs(queue, { resetAttempts: false })).toBe(1);
    await waitUntil(async () => runs === 3 && (await stateOf(queue, 'evt-noreset')) === 'failed', 10_000, 'one more run');
    expect((await queue.getJob('evt-noreset'))?.attemptsMade).toBe(3);
  });

  it('fails a job that does not hold a valid event at once, without retries, telling onError invalid_event', async () => {
    const name = uniqueQueueName('junk');
    const queue = await openQueue(name, url);
    const errors: WebhookError[] = [];
    let ran = 0;
    const webhooks = convercWebhooks()
      .onAny(() => {
        ran += 1;
      })
      .onError((error) => {
        errors.push(error);
      });
    const valid = { ctx: { id: 'evt-bad', receivedAt: new Date().toISOString(), headers: {} }, enqueueId: 'x' };
    await queue.add('call.ended', { ...valid, event: { id: 'evt-bad', type: 'call.ended' } } as unknown as QueuedEvent, {
      jobId: 'evt-bad',
      attempts: 5,
    });
    await queue.add('junk', { hello: 'world' } as unknown as QueuedEvent, { jobId: 'junk', attempts: 5 });
    start(webhooks, name);
    await waitUntil(async () => (await queue.getFailedCount()) === 2, 10_000, 'both jobs to fail');
    expect(ran).toBe(0);
    expect((await queue.getJob('evt-bad'))?.attemptsMade).toBe(1);
    expect((await queue.getJob('junk'))?.attemptsMade).toBe(1);
    expect(errors.map((error) => [error.code, error.deliveryId]).sort()).toEqual([
      ['invalid_event', 'evt-bad'],
      ['invalid_event', 'junk'],
    ]);
  });
});
