import { parseArgs } from 'node:util';
import { CliError, usageError } from '../cli-error';
import type { Command } from '../command';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';
import { parseOptions } from '../parse-options';
import { DEFAULT_QUEUE_NAME } from '../../bullmq/queued-event';
import { retryFailedJobs } from '../../bullmq/retry-failed-jobs';

const HELP = `Usage: converc-webhooks replay-failed --redis-url <url> [options]

Moves the failed jobs of a converc-webhooks/bullmq queue (events whose handlers failed every attempt)
back to waiting, once the cause is fixed, so that the workers run them again. Needs bullmq installed.

Options:
  --redis-url <url>  the Redis the queue lives in (redis://host:port)
  --queue <name>     the queue's name (default: converc)
  --prefix <prefix>  BullMQ's key prefix, if the queue was made with one
  --type <type>      only the events of this type (a job's name is its event type)
  --json             print the result as one JSON object
  -h, --help         show this help

Exit codes: 0 done (even if nothing was failed); 1 Redis could not be reached; 2 bad usage, or bullmq
is not installed.

Examples:
  converc-webhooks replay-failed --redis-url redis://127.0.0.1:6379
  converc-webhooks replay-failed --redis-url redis://127.0.0.1:6379 --type call.ended --json
`;

const options = {
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  prefix: { type: 'string' },
  type: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `replay-failed`: moves failed queue jobs back to waiting. */
export const replayFailedCommand: Command = {
  name: 'replay-failed',
  summary: 'queue the failed jobs of a converc-webhooks/bullmq queue again',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('replay-failed', () =>
      parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw usageError(`replay-failed takes no arguments, got ${positionals.join(' ')}`, 'replay-failed');
    const url = values['redis-url'];
    if (url === undefined || !/^rediss?:\/\//.test(url)) {
      throw usageError('give --redis-url redis://host:port', 'replay-failed');
    }
    // bullmq is an optional peer dependency: loaded only here, and only when this command runs.
    const { Queue } = await import('bullmq').catch((cause: unknown) => {
      throw new CliError('replay-failed needs bullmq: npm install bullmq', EXIT_USAGE, undefined, { cause });
    });
    const queueName = values.queue ?? DEFAULT_QUEUE_NAME;
    // One attempt per command and no offline queue: an unreachable Redis is an error now, not a hang.
    const connection = { url, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null };
    const queue = new Queue(queueName, { connection, ...(values.prefix === undefined ? {} : { prefix: values.prefix }) });
    queue.on('error', () => undefined);
    try {
      const type = values.type;
      const moved = await retryFailedJobs(queue, type === undefined ? {} : { filter: (job) => job.name === type });
      if (values.json === true) context.out(JSON.stringify({ ok: true, queue: queueName, moved }));
      else context.out(`${moved} failed ${moved === 1 ? 'job' : 'jobs'} of queue ${queueName} queued again`);
      return EXIT_OK;
    } catch (cause) {
      throw new CliError(`could not reach Redis at ${url}: ${(cause as Error).message}`, EXIT_FAILED, undefined, { cause });
    } finally {
      await queue.close().catch(() => undefined);
    }
  },
};
