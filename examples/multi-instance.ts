/**
 * Two replicas of one app behind a load balancer, deduping against one Redis: a delivery and its
 * duplicate may land on different replicas, and the event is still handled once.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/multi-instance.ts   # replicas on PORT and PORT+1
 */
import express from 'express';
import { createClient } from 'redis';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';
import { RedisDedupeStore, type RedisClientLike } from 'converc-webhooks/redis';

/** One replica: the same code runs in every process, each with its own Redis client. */
export function createApp(
  client: RedisClientLike,
  log: (line: string) => void = console.log,
): { app: express.Express; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks({
    dedupe: new RedisDedupeStore({ client, ttlMs: 86_400_000, leaseMs: 600_000 }),
    // If Redis is down, process anyway: a possible duplicate beats a certain loss (the sender never retries).
    onStoreError: 'process',
  })
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  const app = express();
  app.use('/webhooks/converc', webhooks);
  return { app, webhooks };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  void (async () => {
    for (const replica of [0, 1]) {
      const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
      client.on('error', (error: unknown) => {
        console.error(`replica ${replica}: redis`, error);
      });
      await client.connect();
      createApp(client, (line) => {
        console.log(`replica ${replica}: ${line}`);
      }).app.listen(port + replica, '127.0.0.1');
      console.log(`replica ${replica} on http://127.0.0.1:${port + replica}/webhooks/converc`);
    }
  })();
}
