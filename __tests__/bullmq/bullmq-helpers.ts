import { Queue, type ConnectionOptions, type QueueOptions } from 'bullmq';
import type { QueuedEvent } from 'converc-webhooks/bullmq';

/** A queue name no other test, or earlier run, uses. */
export function uniqueQueueName(label: string): string {
  uniqueQueueName.counter += 1;
  return `converc-test-${label}-${process.pid}-${Date.now()}-${uniqueQueueName.counter}`;
}
uniqueQueueName.counter = 0;

/**
 * A producer's connection, as the README advises: with no offline queue, an add fails at once while
 * Redis is down instead of waiting in the client and landing after the receiver gave up on it.
 */
export function producerConnection(url: string): ConnectionOptions {
  return { url, enableOfflineQueue: false };
}

/** Queues made by {@link openQueue}, emptied and closed by {@link closeQueues}. */
const queues = new Set<Queue<QueuedEvent>>();

/** A connected queue, removed from Redis (jobs and all) by {@link closeQueues}. */
export async function openQueue(
  name: string,
  url: string,
  options: Omit<QueueOptions, 'connection'> = {},
): Promise<Queue<QueuedEvent>> {
  const queue = new Queue<QueuedEvent>(name, { connection: producerConnection(url), ...options });
  queue.on('error', () => undefined);
  queues.add(queue);
  await queue.waitUntilReady();
  return queue;
}

/** Adds `queue` to those {@link closeQueues} empties and closes. */
export function trackQueue<Q extends Queue<QueuedEvent>>(queue: Q): Q {
  queues.add(queue);
  return queue;
}

/**
 * Empties and closes every queue opened here. Bounded, so that a test that failed with its Redis
 * stopped cannot hang the suite: a queue that does not close in time is disconnected.
 */
export async function closeQueues(): Promise<void> {
  const closing = [...queues].map(async (queue) => {
    await within(queue.obliterate({ force: true }), 2000).catch(() => undefined);
    await within(queue.close(), 2000).catch(() => queue.disconnect());
  });
  queues.clear();
  await Promise.all(closing);
}

/** `promise`, or a rejection after `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
