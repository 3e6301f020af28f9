import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Resolves once `check` returns true, polling; rejects with `what` after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A worker process running __tests__/bullmq/worker-process.ts, and the lines it printed. */
export interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line (printed so far or later) that `match` accepts. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>;
}

const children = new Set<ChildProcess>();

/**
 * Starts a worker process and resolves once it prints `ready`. `script` is the worker to run: the
 * Postgres inbox's tests pass their own.
 */
export async function startWorkerProcess(
  name: string,
  env: Record<string, string>,
  script = join(__dirname, 'worker-process.ts'),
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, ...env, WORKER_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    resolve();
  }));
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    for (const wake of waiters) wake();
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const waitForLine = (match: (line: string) => boolean, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(match);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`worker ${name}: no such line within ${timeoutMs} ms; printed ${JSON.stringify(lines)}, stderr ${stderr}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const worker: WorkerProcess = { name, child, lines, waitForLine, exited };
  await waitForLine((line) => line === 'ready', 20_000);
  return worker;
}

/** Kills every worker process still running and waits for each to be gone. */
export async function killWorkerProcesses(): Promise<void> {
  const exits = [...children].map(async (child) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => {
      resolve();
    }));
    child.kill('SIGKILL');
    await exited;
  });
  children.clear();
  await Promise.all(exits);
}
