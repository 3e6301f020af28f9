import type { Queue } from 'bullmq';
import { expectTypeOf } from 'expect-type';
import type { HandlerContext } from 'converc-webhooks';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import {
  createQueueHandoff,
  DEFAULT_JOB_OPTIONS,
  jobIdFor,
  type HandoffQueue,
  type QueuedEvent,
  type RetryQueue,
} from 'converc-webhooks/bullmq';
import { closeServers, serve } from '../contract/adapters';
import { eventWithId } from '../fixtures/events';
import { describeWithRedis, REDIS_URL } from '../redis/redis-server';
import { closeQueues, openQueue, uniqueQueueName } from './bullmq-helpers';

const url = REDIS_URL ?? '';

function contextFor(id: string, headers: HandlerContext['headers'] = {}): HandlerContext {
  return { id, receivedAt: new Date('2024-01-02T00:00:36.123Z'), headers };
}

describe('jobIdFor', () => {
  it('keeps an id BullMQ takes as it is', () => {
    expect(jobIdFor('evt-7f3c')).toBe('evt-7f3c');
    expect(jobIdFor('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
  });

  it('escapes ids BullMQ refuses (integers, colons) and ids that look escaped, so none collide', () => {
    expect(jobIdFor('42')).toBe('~42');
    expect(jobIdFor('0')).toBe('~0');
    expect(jobIdFor('a:b')).toBe('~a%3Ab');
    expect(jobIdFor('~a%3Ab')).toBe('~~a%253Ab');
    const ids = ['42', '~42', 'a:b', 'a%3Ab', '~a%3Ab', 'a%b', 'a:b:c', ''];
    expect(new Set(ids.map(jobIdFor)).size).toBe(ids.length);
    for (const id of ids) expect(jobIdFor(id)).not.toMatch(/^-?\d+$|:/);
  });

  it('keeps a job id short and known whatever the id: an id over 200 characters becomes its digest', () => {
    const long = 'x'.repeat(1024 * 1024);
    expect(jobIdFor(long)).toMatch(/^~sha256-[0-9a-f]{64}$/);
    expect(jobIdFor(long)).toBe(jobIdFor('x'.repeat(1024 * 1024)));
    expect(jobIdFor(`${long}y`)).not.toBe(jobIdFor(long));
    expect(jobIdFor('y'.repeat(200))).toBe('y'.repeat(200));
  });
});

describe('the types', () => {
  it('take any BullMQ Queue, typed or not, and refuse one typed for other data', () => {
    expectTypeOf<Queue>().toExtend<HandoffQueue>();
    expectTypeOf<Queue<QueuedEvent>>().toExtend<HandoffQueue>();
    expectTypeOf<Queue>().toExtend<RetryQueue>();
    expectTypeOf<Queue<{ orderId: number }>>().not.toExtend<HandoffQueue>();
  });
});

describe('createQueueHandoff options', () => {
  const queue = { name: 'q', add: () => Promise.reject(new Error('unused')) } as unknown as HandoffQueue;

  it('refuses what is not a queue, and a jobId of its own, with a TypeError', () => {
    expect(() => createQueueHandoff(undefined as unknown as HandoffQueue)).toThrow(/queue must be a BullMQ Queue/);
    expect(() => createQueueHandoff(queue, { jobOptions: { jobId: 'x' } as object })).toThrow(/jobOptions.jobId/);
    expect(() => createQueueHandoff(queue, { omitHeaders: 'cookie' as unknown as string[] })).toThrow(/omitHeaders/);
  });

  it('defaults to five attempts with exponential backoff, completed ids kept a day, failed jobs kept', () => {
    expect(DEFAULT_JOB_OPTIONS).toEqual({
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: false,
    });
  });
});

describeWithRedis('createQueueHandoff on a real queue', () => {
  afterEach(async () => {
    await closeServers();
    await closeQueues();
  });

  it('adds a job whose id is the event id, named after its type, holding the event and its context', async () => {
    const queue = await openQueue(uniqueQueueName('shape'), url);
    const event = eventWithId('call.ended', 'evt-shape');
    const ctx = contextFor('evt-shape', { 'content-type': 'application/json', 'x-ic-id': 'evt-shape', 'x-multi': ['a', 'b'] });
    expect(await createQueueHandoff(queue).enqueue(event, ctx)).toBe('accepted');
    const job = await queue.getJob('evt-shape');
    expect(job?.name).toBe('call.ended');
    expect(job?.data).toEqual({
      event,
      ctx: {
        id: 'evt-shape',
        receivedAt: '2024-01-02T00:00:36.123Z',
        headers: { 'content-type': 'application/json', 'x-ic-id': 'evt-shape', 'x-multi': ['a', 'b'] },
      },
      enqueueId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(job?.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
      removeOnComplete: { age: 86_400 },
      removeOnFail: false,
    });
  });

  it("puts the queue's defaultJobOptions over its defaults, and jobOptions over both", async () => {
    const queue = await openQueue(uniqueQueueName('opts'), url, {
      defaultJobOptions: { attempts: 9, removeOnFail: { count: 10 } },
    });
    const handoff = createQueueHandoff(queue, { jobOptions: { backoff: { type: 'fixed', delay: 50 }, priority: 3 } });
    await handoff.enqueue(eventWithId('call.missed', 'evt-opts'), contextFor('evt-opts'));
    expect((await queue.getJob('evt-opts'))?.opts).toMatchObject({
      attempts: 9,
      removeOnFail: { count: 10 },
      removeOnComplete: { age: 86_400 },
      backoff: { type: 'fixed', delay: 50 },
      priority: 3,
    });
  });

  it('answers duplicate for an event the queue already holds, and leaves the first job as it was', async () => {
    const queue = await openQueue(uniqueQueueName('dup'), url);
    const handoff = createQueueHandoff(queue);
    const first = contextFor('evt-dup');
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-dup'), first)).toBe('accepted');
    const resend = { ...first, receivedAt: new Date('2024-01-02T00:09:00.000Z') };
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-dup'), resend)).toBe('duplicate');
    expect((await queue.getJob('evt-dup'))?.data.ctx.receivedAt).toBe('2024-01-02T00:00:36.123Z');
    expect(await queue.getJobCountByTypes('waiting')).toBe(1);
  });

  it('lets exactly one of two replicas enqueue an event they receive at the same moment', async () => {
    const name = uniqueQueueName('race');
    const replicas = [createQueueHandoff(await openQueue(name, url)), createQueueHandoff(await openQueue(name, url))];
    const ids = Array.from({ length: 50 }, (_, i) => `evt-race-${i}`);
    const outcomes = await Promise.all(
      ids.map((id) =>
        Promise.all(replicas.map((handoff) => handoff.enqueue(eventWithId('call.ended', id), contextFor(id)))),
      ),
    );
    for (const pair of outcomes) expect([...pair].sort()).toEqual(['accepted', 'duplicate']);
  });

  it('leaves credentials out of the stored job: authorization and cookie by default, or the headers named', async () => {
    const queue = await openQueue(uniqueQueueName('headers'), url);
    const headers = { authorization: 'Bearer s3cret', cookie: 'sid=1', 'x-api-key': 'k', 'x-ic-id': 'evt-h' };
    await createQueueHandoff(queue).enqueue(eventWithId('call.ended', 'evt-h'), contextFor('evt-h', headers));
    await createQueueHandoff(queue, { omitHeaders: ['X-Api-Key'] }).enqueue(
      eventWithId('call.ended', 'evt-h2'),
      contextFor('evt-h2', headers),
    );
    expect((await queue.getJob('evt-h'))?.data.ctx.headers).toEqual({ 'x-api-key': 'k', 'x-ic-id': 'evt-h' });
    expect((await queue.getJob('evt-h2'))?.data.ctx.headers).toEqual({
      authorization: 'Bearer s3cret',
      cookie: 'sid=1',
      'x-ic-id': 'evt-h',
    });
  });

  it('stores an event whose id BullMQ would refuse under its escaped id', async () => {
    const queue = await openQueue(uniqueQueueName('escape'), url);
    const handoff = createQueueHandoff(queue);
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-int'), contextFor('12345'))).toBe('accepted');
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-int'), contextFor('12345'))).toBe('duplicate');
    expect(await handoff.enqueue(eventWithId('call.ended', 'evt-colon'), contextFor('org:1:call'))).toBe('accepted');
    expect((await queue.getJob('~12345'))?.data.ctx.id).toBe('12345');
    expect((await queue.getJob('~org%3A1%3Acall'))?.data.ctx.id).toBe('org:1:call');
  });

  it('answers 202 accepted once the job is stored, without running handlers here, and a resend to another replica 200 duplicate', async () => {
    const name = uniqueQueueName('http');
    const ran: string[] = [];
    const replica = async () =>
      serve(
        createNodeHandler(
          convercWebhooks({ handoff: createQueueHandoff(await openQueue(name, url)) }).on('call.ended', (event) => {
            ran.push(event.id);
          }),
        ),
      );
    const [a, b] = [await replica(), await replica()];
    const delivery = {
      headers: { 'content-type': 'application/json', 'x-ic-id': 'evt-http' },
      body: JSON.stringify(eventWithId('call.ended', 'evt-http')),
    };
    const first = await a(delivery);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ received: true, id: 'evt-http', status: 'accepted' });
    const again = await b(delivery);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('duplicate');
    expect(ran).toEqual([]);
  });
});
