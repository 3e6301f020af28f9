import { expectTypeOf } from 'expect-type';
import Redis from 'ioredis';
import { createClient } from 'redis';
import { RedisDedupeStore, type RedisClientLike } from 'converc-webhooks/redis';
import { describeDedupeStoreConformance } from '../dedupe/conformance';
import { connectClients, describeWithRedis, REDIS_URL, sleep } from './redis-server';

const run = `${process.pid}-${Date.now()}`;

describeWithRedis('RedisDedupeStore', () => {
  let connection: Awaited<ReturnType<typeof connectClients>>;
  beforeAll(async () => {
    connection = await connectClients(REDIS_URL ?? '');
  });
  afterAll(async () => {
    await connection.close();
  });

  for (const name of ['node-redis', 'ioredis']) {
    const clientNamed = () => {
      const found = connection.clients.find((c) => c.name === name);
      if (found === undefined) throw new Error(`no ${name} client`);
      return found.client;
    };

    // Redis keeps real time: the time to live is short, and "advancing" the clock is waiting.
    describeDedupeStoreConformance(`RedisDedupeStore with ${name}`, () => ({
      store: new RedisDedupeStore({ client: clientNamed(), prefix: `test:${run}:${name}:`, ttlMs: 200 }),
      ttlMs: 200,
      advance: (ms) => sleep(ms),
    }));

    describe(`with ${name}`, () => {
      it('lets a claim whose replica died expire after its lease, so the event is not blocked for ttlMs', async () => {
        const store = new RedisDedupeStore({ client: clientNamed(), prefix: `test:${run}:lease:${name}:`, leaseMs: 100 });
        expect(await store.claim('evt-1')).not.toBeNull();
        expect(await store.claim('evt-1')).toBeNull();
        await sleep(200);
        expect(await store.claim('evt-1')).not.toBeNull();
      });

      it('keeps a completed key for ttlMs, not just for the lease', async () => {
        const store = new RedisDedupeStore({
          client: clientNamed(),
          prefix: `test:${run}:ttl:${name}:`,
          leaseMs: 100,
          ttlMs: 60_000,
        });
        await store.complete((await store.claim('evt-1'))!);
        await sleep(200);
        expect(await store.claim('evt-1')).toBeNull();
        expect(await store.isProcessed('evt-1')).toBe(true);
      });

      it('namespaces its keys with the prefix', async () => {
        const a = new RedisDedupeStore({ client: clientNamed(), prefix: `test:${run}:a:${name}:` });
        const b = new RedisDedupeStore({ client: clientNamed(), prefix: `test:${run}:b:${name}:` });
        expect(await a.claim('evt-1')).not.toBeNull();
        expect(await b.claim('evt-1')).not.toBeNull();
      });
    });
  }
});

describe('RedisDedupeStore options', () => {
  const client = { sendCommand: () => Promise.resolve(null) };
  it.each([
    [{ client: {} }, /node-redis \(redis\) or ioredis/],
    [{ client, ttlMs: 0 }, /ttlMs must be a positive integer/],
    [{ client, leaseMs: 1.5 }, /leaseMs must be a positive integer/],
    [{ client, prefix: 7 }, /prefix must be a string/],
  ])('throws a TypeError naming the option for %p', (options, message) => {
    expect(() => new RedisDedupeStore(options as never)).toThrow(message);
  });

  it('sends SET NX PX to claim, through sendCommand or call', async () => {
    const sent: string[][] = [];
    const nodeStyle = new RedisDedupeStore({
      client: { sendCommand: (args) => (sent.push(args), Promise.resolve('OK')) },
      leaseMs: 1234,
    });
    const ioStyle = new RedisDedupeStore({
      client: { call: (command, ...args) => (sent.push([command, ...args]), Promise.resolve(null)) },
      prefix: 'p:',
    });
    expect(await nodeStyle.claim('k')).toMatchObject({ key: 'k' });
    expect(await ioStyle.claim('k')).toBeNull();
    expect(sent.map((args) => [args[0], args[1], args[3], args[4], args[5]])).toEqual([
      ['SET', 'converc:webhooks:k', 'NX', 'PX', '1234'],
      ['SET', 'p:k', 'NX', 'PX', '600000'],
    ]);
  });
});

describe('RedisDedupeStore client types', () => {
  it('accepts a node-redis client and an ioredis client as they are typed', () => {
    // Checked by the compiler when this file compiles; never connected.
    const nodeRedis = createClient({ url: 'redis://127.0.0.1:1' });
    const ioredis = new Redis({ lazyConnect: true });
    expectTypeOf(nodeRedis).toExtend<RedisClientLike>();
    expectTypeOf(ioredis).toExtend<RedisClientLike>();
    expect(new RedisDedupeStore({ client: nodeRedis })).toBeInstanceOf(RedisDedupeStore);
    expect(new RedisDedupeStore({ client: ioredis })).toBeInstanceOf(RedisDedupeStore);
    ioredis.disconnect();
  });
});
