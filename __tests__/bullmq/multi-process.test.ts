import Redis from 'ioredis';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { createQueueHandoff } from 'converc-webhooks/bullmq';
import { closeServers, serve, type Client } from '../contract/adapters';
import { endedDelivery } from '../fixtures/events';
import { inLanes } from '../fixtures/in-lanes';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';
import { closeQueues, openQueue, uniqueQueueName } from './bullmq-helpers';
import { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from '../fixtures/worker-processes';
import { waitUntil } from '../fixtures/wait-until';

const url = REDIS_URL ?? '';

describeWithRedis('two web instances and two worker processes on one BullMQ queue', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(url, { maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined);
  });
  afterAll(() => {
    redis.disconnect();
  });
  /** The counting keys the worker processes wrote, deleted after each test. */
  const countKeys: string[] = [];
  afterEach(async () => {
    await killWorkerProcesses();
    await closeServers();
    await closeQueues();
    if (countKeys.length > 0) await redis.del(...countKeys.splice(0));
  });

  /** One web instance: its own receiver, with its own in-memory dedupe, handing off to its own Queue. */
  async function webInstance(queueName: string): Promise<Client> {
    const webhooks = convercWebhooks({ handoff: createQueueHandoff(await openQueue(queueName, url)) }).on('call.ended', () => {
      throw new Error('handlers must run in the workers, not in the web process');
    });
    return serve(createNodeHandler(webhooks));
  }

  it(
    'runs every handler of 500 events exactly once, 10% of them delivered to both instances',
    async () => {
      const queueName = uniqueQueueName('fleet');
      countKeys.push(`${queueName}:runs:a`, `${queueName}:runs:b`, `${queueName}:workers`);
      const env = { REDIS_URL: url, QUEUE_NAME: queueName };
      const [web, workers] = await Promise.all([
        Promise.all([webInstance(queueName), webInstance(queueName)]),
        Promise.all([startWorkerProcess('w1', env), startWorkerProcess('w2', env)]),
      ]);
      const ids = Array.from({ length: 500 }, (_, i) => `evt-fleet-${i}`);
      const sends: (() => Promise<{ status: number; outcome: string }>)[] = [];
      ids.forEach((id, i) => {
        const send = (instance: number) => async () => {
          const response = await web[instance]!(endedDelivery(id));
          return { status: response.status, outcome: String(response.body?.status ?? response.body?.error?.code) };
        };
        sends.push(send(i % 2));
        // Every tenth event reaches the other instance too, right behind the first copy: only BullMQ
        // can see that it is a duplicate, since each instance dedupes in its own memory.
        if (i % 10 === 0) sends.push(send((i + 1) % 2));
      });
      const answers = await inLanes(sends, 50);
      expect(answers.filter((a) => a.status === 202 && a.outcome === 'accepted')).toHaveLength(500);
      expect(answers.filter((a) => a.status === 200 && a.outcome === 'duplicate')).toHaveLength(50);

      const runs = async (handler: string) => redis.hgetall(`${queueName}:runs:${handler}`);
      await waitUntil(
        async () => Object.keys(await runs('a')).length === 500 && Object.keys(await runs('b')).length === 500,
        30_000,
        'both handlers of all 500 events to run',
      );
      // A moment more, for any second run to show up.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const handler of ['a', 'b']) {
        const counts = await runs(handler);
        expect(Object.keys(counts).sort()).toEqual([...ids].sort());
        expect(Object.values(counts).every((count) => count === '1')).toBe(true);
      }
      const byWorker = await redis.hgetall(`${queueName}:workers`);
      expect(Number(byWorker.w1) + Number(byWorker.w2)).toBe(1000);
      expect(Number(byWorker.w1)).toBeGreaterThan(0);
      expect(Number(byWorker.w2)).toBeGreaterThan(0);
      expect(workers.flatMap((worker) => worker.lines.filter((line) => line.startsWith('error')))).toEqual([]);
    },
    90_000,
  );

  it(
    'finishes on the other worker a job whose worker was killed with SIGKILL in the middle of it',
    async () => {
      const queueName = uniqueQueueName('kill');
      countKeys.push(`${queueName}:runs:a`, `${queueName}:runs:b`, `${queueName}:workers`);
      // A lock of a second, checked every half second: a dead worker's job is found within about 2 s.
      const env = { REDIS_URL: url, QUEUE_NAME: queueName, LOCK_DURATION_MS: '1000', STALLED_INTERVAL_MS: '500', SLOW_MS: '1500' };
      const [web, workers] = await Promise.all([
        webInstance(queueName),
        Promise.all([startWorkerProcess('w1', env), startWorkerProcess('w2', env)]),
      ]);
      const id = 'slow-kill';
      expect((await web(endedDelivery(id))).status).toBe(202);

      const started = (worker: WorkerProcess) =>
        worker.waitForLine((line) => line === `started ${id}`, 15_000).then(() => worker);
      const victim = await Promise.race(workers.map(started));
      const survivor = workers.find((worker) => worker !== victim)!;
      const killedAt = Date.now();
      victim.child.kill('SIGKILL');
      await victim.exited;

      await survivor.waitForLine((line) => line === `started ${id}`, 20_000);
      const takenOverMs = Date.now() - killedAt;
      await survivor.waitForLine((line) => line === `finished ${id}`, 20_000);
      const recoveredMs = Date.now() - killedAt;
      await waitUntil(async () => (await redis.hget(`${queueName}:runs:b`, id)) !== null, 5000, 'the other handler');
      const queue = await openQueue(queueName, url);
      await waitUntil(async () => (await queue.getJobState(id)) === 'completed', 5000, 'the job to complete');
      const job = await queue.getJob(id);
      if (process.env.BULLMQ_TEST_TIMINGS !== undefined) {
        console.info(
          `killed ${victim.name} mid-job; ${survivor.name} started ${id} ${takenOverMs} ms later and finished it ` +
            `${recoveredMs} ms after the kill (handlers take ${env.SLOW_MS} ms; stalled ${job?.stalledCounter ?? '?'} time)`,
        );
      }
      expect(job?.processedBy).toBe(survivor.name);
      expect(job?.stalledCounter).toBe(1);
      expect(job?.attemptsMade).toBe(1);
      // The killed worker finished neither handler; the survivor ran both, once.
      expect(await redis.hget(`${queueName}:runs:a`, id)).toBe('1');
      expect(await redis.hget(`${queueName}:runs:b`, id)).toBe('1');
      expect(await redis.hgetall(`${queueName}:workers`)).toEqual({ [survivor.name]: '2' });
      expect(victim.lines).not.toContain(`finished ${id}`);
      expect(recoveredMs).toBeLessThan(10_000);
    },
    60_000,
  );
});
