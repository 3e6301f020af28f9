import type { Worker } from 'bullmq';
import request from 'supertest';
import { retryFailedJobs, type QueuedEvent } from 'converc-webhooks/bullmq';
import { createApp, producerQueue, startWorker } from '../../examples/durable-queue';
import { closeQueues, trackQueue, uniqueQueueName } from '../bullmq/bullmq-helpers';
import { waitUntil } from '../fixtures/wait-until';
import { eventWithId } from '../fixtures/events';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';

describeWithRedis('examples/durable-queue.ts', () => {
  const workers: Worker<QueuedEvent, void>[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await closeQueues();
  });

  it('answers 202 once the event is queued, and a worker runs its handler', async () => {
    const url = REDIS_URL ?? '';
    const queueName = uniqueQueueName('example');
    const queue = trackQueue(producerQueue(url, queueName));
    await queue.waitUntilReady();
    const webLines: string[] = [];
    const workerLines: string[] = [];
    const { app } = createApp(queue, (line) => webLines.push(line));
    const event = eventWithId('call.ended', 'evt-example');

    const accepted = await request(app).post('/webhooks/converc').send(event);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ received: true, id: 'evt-example', status: 'accepted' });
    expect((await request(app).post('/webhooks/converc').send(event)).body.status).toBe('duplicate');

    const worker = startWorker({ url }, (line) => workerLines.push(line), { queueName });
    workers.push(worker);
    await waitUntil(() => workerLines.length > 0, 10_000, 'the worker to run the handler');
    expect(workerLines).toEqual([expect.stringMatching(/^call call-uuid ended \(event evt-example, received \d{4}-/)]);
    // Handed off, not run in the web process.
    expect(webLines).toEqual([]);
    expect(await retryFailedJobs(queue)).toBe(0);
  });
});
