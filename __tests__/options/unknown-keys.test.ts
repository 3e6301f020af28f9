import { convercWebhooks, createFetchHandler, createNodeHandler, MemoryDedupeStore } from 'converc-webhooks';
import { createQueueHandoff, createWorker, retryFailedJobs, type HandoffQueue, type RetryQueue } from 'converc-webhooks/bullmq';
import { RedisDedupeStore } from 'converc-webhooks/redis';
import { closestName } from '../../src/options/closest-name';

// Options come from JavaScript as often as from TypeScript: a misspelt key must fail loudly, naming
// itself and the key that was meant, at every options object the package takes.
const client = { sendCommand: () => Promise.resolve(null) };
const queue = { name: 'q', add: () => Promise.resolve(undefined), getJob: () => Promise.resolve(undefined), defaultJobOptions: {} };

describe('an unknown option key', () => {
  it.each([
    ['convercWebhooks', () => convercWebhooks({ ackTimeOutMs: 3000 } as never), /^convercWebhooks\(options\) has an unknown key "ackTimeOutMs"; did you mean "ackTimeoutMs"\?/],
    ['auth', () => convercWebhooks({ auth: { allowIPs: ['10.0.0.0/8'] } } as never), /^auth has an unknown key "allowIPs"; did you mean "allowIps"\?/],
    ['retry', () => convercWebhooks({ retry: { attempts: 3, maxDelay: 10 } } as never), /^retry has an unknown key "maxDelay"; did you mean "maxDelayMs"\?/],
    ['dedupe', () => convercWebhooks({ dedupe: { max: 10, ttl: 1000 } } as never), /^dedupe has an unknown key "ttl"; did you mean "ttlMs"\?/],
    ['MemoryDedupeStore', () => new MemoryDedupeStore({ maxx: 5 } as never), /^dedupe has an unknown key "maxx"; did you mean "max"\?/],
    ['RedisDedupeStore', () => new RedisDedupeStore({ client, leaseMS: 1000 } as never), /^RedisDedupeStore\(options\) has an unknown key "leaseMS"; did you mean "leaseMs"\?/],
    ['createWorker', () => createWorker(convercWebhooks(), { connection: {}, concurency: 5 } as never), /has an unknown key "concurency"; did you mean "concurrency"\?/],
    ['createQueueHandoff', () => createQueueHandoff(queue as unknown as HandoffQueue, { omitHeader: [] } as never), /has an unknown key "omitHeader"; did you mean "omitHeaders"\?/],
    ['createNodeHandler', () => createNodeHandler(convercWebhooks(), { pathname: '/x' } as never), /has an unknown key "pathname"; did you mean "path"\?/],
    ['createFetchHandler', () => createFetchHandler(convercWebhooks(), { waituntil: () => undefined } as never), /has an unknown key "waituntil"; did you mean "waitUntil"\?/],
  ])('throws a TypeError naming it and the closest known key, at %s', (_, construct, message) => {
    expect(construct).toThrow(TypeError);
    expect(construct).toThrow(message);
  });

  it('is refused by close() and retryFailedJobs() as a rejected TypeError', async () => {
    await expect(convercWebhooks().close({ timeout: 10 } as never)).rejects.toThrow(/has an unknown key "timeout"; did you mean "timeoutMs"\?/);
    const failed: RetryQueue = { getJobs: () => Promise.resolve([]) };
    await expect(retryFailedJobs(failed, { page: 10 } as never)).rejects.toThrow(/has an unknown key "page"/);
  });

  it('lists the known keys when none is close', () => {
    expect(() => convercWebhooks({ retry: { attempts: 2, zzz: 1 } } as never)).toThrow(
      /^retry has an unknown key "zzz"; known keys are attempts, minDelayMs, maxDelayMs$/,
    );
  });

  it('is named first when other options are wrong too, since it usually explains them', () => {
    expect(() => convercWebhooks({ ackTimeoutMs: -1, onEror: () => undefined } as never)).toThrow(/unknown key "onEror"; did you mean "onError"\?/);
    expect(() => convercWebhooks({ ackTimeoutMs: -1, dedupe: { ttl: 1 } } as never)).toThrow(/^dedupe has an unknown key "ttl"; did you mean "ttlMs"\?/);
  });
});

describe('closestName', () => {
  it.each([
    ['allowIPs', 'allowIps'],
    ['ackTimeOutMs', 'ackTimeoutMs'],
    ['onEror', 'onError'],
    ['ACK', 'ack'],
    ['handler', 'handlers'],
    ['xyz', undefined],
    ['storeTimeout', 'storeTimeoutMs'],
    ['ackTiemoutMs', 'ackTimeoutMs'],
  ])('finds the known key closest to %p', (name, expected) => {
    const known = ['allowIps', 'ackTimeoutMs', 'onError', 'handlers', 'storeTimeoutMs', 'ack'];
    expect(closestName(name, known)).toBe(expected);
  });
});
