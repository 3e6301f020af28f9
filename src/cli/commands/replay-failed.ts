import { parseArgs } from 'node:util';
import { CliError, usageError } from '../cli-error';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';
import { parseOptions } from '../parse-options';
import { DEFAULT_QUEUE_NAME } from '../../bullmq/queued-event';
import { retryFailedJobs } from '../../bullmq/retry-failed-jobs';
import { createPostgresInbox } from '../../postgres/postgres-inbox';
import { DEFAULT_INBOX_TABLE } from '../../postgres/schema';
import type { Command, CommandContext } from '../command';
import { checkPostgresUrl, openCliPool, postgresFailed, tableOption } from '../postgres-connection';
import { safeUrl } from '../safe-url';

const HELP = `Usage: converc-webhooks replay-failed --redis-url <url> [options]
       converc-webhooks replay-failed --postgres-url <url> [options]

Moves the failed jobs of a converc-webhooks/bullmq queue (events whose handlers failed every attempt)
back to waiting, or the dead rows of a converc-webhooks/postgres inbox back to pending with their
attempts reset, once the cause is fixed, so that the workers run them again. Needs bullmq, or pg,
installed.

Options:
  --redis-url <url>     the Redis the queue lives in (redis://host:port)
  --queue <name>        the queue's name (default: converc)
  --prefix <prefix>     BullMQ's key prefix, if the queue was made with one
  --postgres-url <url>  the database of the inbox (postgres://user:password@host:port/database)
  --table <name>        the inbox table (default: ${DEFAULT_INBOX_TABLE})
  --type <type>         only the events of this type
  --json                print the result as one JSON object
  -h, --help            show this help

Exit codes: 0 done (even if nothing was failed); 1 Redis or Postgres could not be reached; 2 bad
usage, or bullmq (or pg) is not installed.

Examples:
  converc-webhooks replay-failed --redis-url redis://127.0.0.1:6379
  converc-webhooks replay-failed --redis-url redis://127.0.0.1:6379 --type call.ended --json
  converc-webhooks replay-failed --postgres-url postgres://app@127.0.0.1:5432/app
`;

const options = {
  'redis-url': { type: 'string' },
  queue: { type: 'string' },
  prefix: { type: 'string' },
  'postgres-url': { type: 'string' },
  table: { type: 'string' },
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
    if (values['postgres-url'] !== undefined) {
      if (values['redis-url'] !== undefined) throw usageError('give --redis-url or --postgres-url, not both', 'replay-failed');
      return replayDeadRows(values['postgres-url'], values.table, values.type, values.json === true, context);
    }
    const url = values['redis-url'];
    if (url === undefined || !/^rediss?:\/\//.test(url)) {
      throw usageError('give --redis-url redis://host:port (or --postgres-url postgres://host:port/database)', 'replay-failed');
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
      throw new CliError(`could not reach Redis at ${safeUrl(url)}: ${(cause as Error).message}`, EXIT_FAILED, undefined, { cause });
    } finally {
      await queue.close().catch(() => undefined);
    }
  },
};

/** `replay-failed --postgres-url`: moves an inbox's dead rows back to pending. */
async function replayDeadRows(
  givenUrl: string,
  table: string | undefined,
  type: string | undefined,
  json: boolean,
  context: CommandContext,
): Promise<typeof EXIT_OK> {
  const url = checkPostgresUrl(givenUrl, 'replay-failed');
  const checkedTable = tableOption(table, DEFAULT_INBOX_TABLE, 'table', 'replay-failed');
  const pool = await openCliPool(url, 'replay-failed');
  try {
    const inbox = createPostgresInbox({ pool, table: checkedTable });
    let moved: number;
    try {
      moved = await inbox.replayDead(type === undefined ? {} : { type });
    } catch (cause) {
      throw postgresFailed(url, cause);
    }
    if (json) context.out(JSON.stringify({ ok: true, table: inbox.table, moved }));
    else context.out(`${moved} dead ${moved === 1 ? 'row' : 'rows'} of ${inbox.table} queued again`);
    return EXIT_OK;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
