import type { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { convercWebhooks, createNodeHandler, type WebhookError } from 'converc-webhooks';
import { RedisDedupeStore } from 'converc-webhooks/redis';
import { createApp } from '../../examples/multi-instance';
import { serve, closeServers, type Client } from '../contract/adapters';
import { eventWithId } from '../fixtures/events';
import { connectClients, describeWithRedis, freePort, REDIS_URL, startRedisServer, stopRedisServer } from './redis-server';

const json = (event: unknown, id: string) => ({
  headers: { 'content-type': 'application/json', 'x-ic-id': id },
  body: JSON.stringify(event),
});

describeWithRedis('two app instances sharing one Redis', () => {
  let connection: Awaited<ReturnType<typeof connectClients>>;
  beforeAll(async () => {
    connection = await connectClients(REDIS_URL ?? '');
  });
  afterAll(async () => {
    await connection.close();
  });
  afterEach(closeServers);

  /** Two replicas of examples/multi-instance.ts, one on each client library, and the ids they handled. */
  async function twoReplicas(failFirst = false) {
    const handled: string[] = [];
    let failures = failFirst ? 1 : 0;
    const replicas: Client[] = [];
    for (const { client } of connection.clients) {
      const { app, webhooks } = createApp(client, () => undefined);
      webhooks.on('call.ended', (event) => {
        if (failures-- > 0) throw new Error('CRM down');
        handled.push(event.id);
      });
      replicas.push(await serve(app));
    }
    return { handled, replicas: replicas as [Client, Client] };
  }

  it('runs each of 20 ids once across 200 concurrent deliveries spread over both', async () => {
    const { handled, replicas } = await twoReplicas();
    const prefix = `multi-${process.pid}-${Date.now()}`;
    const ids = Array.from({ length: 20 }, (_, i) => `${prefix}-${i}`);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, n) => {
        const id = ids[n % 20] ?? '';
        return replicas[Math.floor(n / 20) % 2]!(json(eventWithId('call.ended', id), id));
      }),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses.filter((r) => r.body.status === 'processed')).toHaveLength(20);
    expect(responses.filter((r) => r.body.status === 'duplicate')).toHaveLength(180);
    expect([...handled].sort()).toEqual([...ids].sort());
  });

  it('processes on the other instance an event that failed on the first', async () => {
    const { handled, replicas } = await twoReplicas(true);
    const id = `failover-${process.pid}-${Date.now()}`;
    expect((await replicas[0](json(eventWithId('call.ended', id), id))).status).toBe(500);
    const resent = await replicas[1](json(eventWithId('call.ended', id), id));
    expect(resent.body.status).toBe('processed');
    expect(handled).toEqual([id]);
  });
});

describeWithRedis('a Redis server that stops in the middle of a run', () => {
  let port: number;
  let server: ChildProcess | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    port = await freePort();
    server = await startRedisServer(port);
    // Fail fast while the server is gone: the receiver's storeTimeoutMs bounds the wait anyway.
    client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    client.on('error', () => undefined);
  });
  afterAll(async () => {
    client?.disconnect();
    if (server) await stopRedisServer(server);
  });
  afterEach(closeServers);

  function receiver(onStoreError: 'process' | 'reject') {
    const errors: WebhookError[] = [];
    const handled: string[] = [];
    const webhooks = convercWebhooks({
      dedupe: new RedisDedupeStore({ client: client!, prefix: `outage:${onStoreError}:` }),
      onStoreError,
      storeTimeoutMs: 300,
      ackTimeoutMs: 2000,
    })
      .on('call.ended', (event) => void handled.push(event.id))
      .onError((error) => void errors.push(error));
    return { webhooks, errors, handled };
  }

  it('answers as each policy says while Redis is down, never crashing or hanging, and recovers when it is back', async () => {
    const processing = receiver('process');
    const rejecting = receiver('reject');
    const processClient = await serve(createNodeHandler(processing.webhooks));
    const rejectClient = await serve(createNodeHandler(rejecting.webhooks));
    expect((await processClient(json(eventWithId('call.ended', 'before'), 'before'))).body.status).toBe('processed');

    if (server) await stopRedisServer(server);
    const started = Date.now();
    const processed = await processClient(json(eventWithId('call.ended', 'during'), 'during'));
    const refused = await rejectClient(json(eventWithId('call.ended', 'during'), 'during'));
    // Well inside the provider's 8 s: the store's wait is bounded by storeTimeoutMs.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(processed.status).toBe(200);
    expect(processed.body.status).toBe('processed');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('store_unavailable');
    expect(processing.handled).toEqual(['before', 'during']);
    expect(rejecting.handled).toEqual([]);
    expect(processing.errors.map((e) => e.code)).toContain('store_unavailable');
    expect(rejecting.errors.map((e) => e.code)).toEqual(['store_unavailable']);

    server = await startRedisServer(port);
    let recovered: string | undefined;
    for (let attempt = 0; attempt < 50 && recovered !== 'processed'; attempt++) {
      recovered = (await rejectClient(json(eventWithId('call.ended', 'after'), 'after'))).body?.status as string | undefined;
      if (recovered !== 'processed') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe('processed');
    expect((await rejectClient(json(eventWithId('call.ended', 'after'), 'after'))).body.status).toBe('duplicate');
  });
});
