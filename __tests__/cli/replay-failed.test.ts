import type { Worker } from 'bullmq';
import { convercWebhooks } from 'converc-webhooks';
import { createQueueHandoff, createWorker } from 'converc-webhooks/bullmq';
import { closeQueues, openQueue, uniqueQueueName } from '../bullmq/bullmq-helpers';
import { waitUntil } from '../fixtures/wait-until';
import { eventWithId } from '../fixtures/events';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';
import { runCli } from './helpers';

describe('converc-webhooks replay-failed, without Redis', () => {
  it('exits 2 without --redis-url, naming it', async () => {
    const run = await runCli(['replay-failed']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--redis-url');
  });

  it('exits 1 when Redis cannot be reached, without printing the password', async () => {
    const run = await runCli(['replay-failed', '--redis-url', 'redis://app:s3cret@127.0.0.1:1', '--queue', 'nowhere']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('could not reach Redis at redis://127.0.0.1:1');
    expect(run.stderr).not.toContain('s3cret');
  });
});

describeWithRedis('converc-webhooks replay-failed', () => {
  const url = REDIS_URL ?? '';
  let worker: Worker | undefined;
  afterEach(async () => {
    await worker?.close();
    await closeQueues();
  });

  it('queues the failed jobs of one type again, and the worker then processes them', async () => {
    const name = uniqueQueueName('cli');
    const queue = await openQueue(name, url);
    let crmUp = false;
    const processed: string[] = [];
    const webhooks = convercWebhooks()
      .onAny((event) => {
        if (!crmUp) throw new Error('CRM down');
        processed.push(event.id);
      })
      .onError(() => undefined);
    const handoff = createQueueHandoff(queue, { jobOptions: { attempts: 1 } });
    await handoff.enqueue(eventWithId('call.ended', 'evt-a'), { id: 'evt-a', receivedAt: new Date(), headers: {} });
    await handoff.enqueue(eventWithId('call.missed', 'evt-b'), { id: 'evt-b', receivedAt: new Date(), headers: {} });
    worker = createWorker(webhooks, { queueName: name, connection: { url } });
    worker.on('error', () => undefined);
    await waitUntil(async () => (await queue.getFailedCount()) === 2, 10_000, 'both jobs to fail');

    crmUp = true;
    const run = await runCli(['replay-failed', '--redis-url', url, '--queue', name, '--type', 'call.ended', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, queue: name, moved: 1 });
    await waitUntil(async () => (await queue.getJobState('evt-a')) === 'completed', 10_000, 'the retried job');
    expect(processed).toEqual(['evt-a']);
    expect(await queue.getFailedCount()).toBe(1);
  });
});
