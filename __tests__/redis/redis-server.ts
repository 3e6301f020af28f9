import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { isListening } from '../contract/helpers';
import Redis from 'ioredis';
import { createClient } from 'redis';
import type { RedisClientLike } from 'converc-webhooks/redis';
import { describeRequiring } from '../fixtures/describe-requiring';

/** The Redis the tests use: `.ci/run` starts one and exports its URL. */
export const REDIS_URL = process.env.REDIS_URL;

/**
 * `describe` when a Redis server is there. Without one, the suite fails under CI (a green run must
 * not hide that nothing was tested) and is skipped elsewhere, with a message saying so.
 */
export function describeWithRedis(name: string, body: () => void): void {
  describeRequiring(
    name,
    {
      present: REDIS_URL !== undefined && REDIS_URL !== '',
      needs: 'needs a Redis server: CI must export REDIS_URL',
      ciError: 'REDIS_URL is not set, but CI=true: .ci/run should have started redis-server',
      howToRun: 'set REDIS_URL (e.g. redis://127.0.0.1:6379) to run the Redis tests',
      missing: 'REDIS_URL is not set',
    },
    body,
  );
}

/** A connected client of each library, closed by the returned function. */
export async function connectClients(url: string): Promise<{
  clients: { name: string; client: RedisClientLike }[];
  close: () => Promise<void>;
}> {
  const nodeRedis = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(retries * 50, 500) } });
  nodeRedis.on('error', () => undefined); // reconnection is retried; the tests watch outcomes instead
  await nodeRedis.connect();
  const ioredis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  ioredis.on('error', () => undefined);
  await ioredis.connect();
  return {
    clients: [
      { name: 'node-redis', client: nodeRedis },
      { name: 'ioredis', client: ioredis },
    ],
    close: async () => {
      nodeRedis.destroy();
      ioredis.disconnect();
      await Promise.resolve();
    },
  };
}

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A private redis-server of this test's own, to stop and start at will. */
export async function startRedisServer(port: number): Promise<ChildProcess> {
  const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('spawn', () => { resolve(); });
  });
  try {
    await waitForPort(port);
  } catch (error) {
    await stopRedisServer(child);
    throw error;
  }
  return child;
}

/** Resolves once something accepts connections on `port`; rejects after about five seconds. */
async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    if (await isListening(port)) return;
    await sleep(20);
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

/** Stops a redis-server started by {@link startRedisServer} and waits for it to be gone. */
export async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGKILL');
  await exited;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
