import { parseArgs } from 'node:util';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-codes';
import { parseOptions } from '../parse-options';
import { checkPostgresUrl, openCliPool, postgresFailed, tableOption } from '../postgres-connection';
import { safeUrl } from '../safe-url';
import { applySchema, dedupeSchemaSql, DEFAULT_DEDUPE_TABLE, DEFAULT_INBOX_TABLE, inboxSchemaSql } from '../../postgres/schema';

const HELP = `Usage: converc-webhooks migrate --postgres-url <url> [options]

Creates the tables of converc-webhooks/postgres, if they are not there: the inbox (createPostgresInbox)
and the dedupe store (PostgresDedupeStore). Safe to run again, and from several places at once.
Needs pg installed.

Options:
  --postgres-url <url>    the database (postgres://user:password@host:port/database)
  --table <name>          the inbox table (default: ${DEFAULT_INBOX_TABLE})
  --dedupe-table <name>   the dedupe store's table (default: ${DEFAULT_DEDUPE_TABLE})
  --print                 print the SQL instead of running it (no --postgres-url needed)
  --json                  print the result as one JSON object
  -h, --help              show this help

Exit codes: 0 done; 1 Postgres could not be reached, or refused the SQL; 2 bad usage, or pg is not
installed.

Examples:
  converc-webhooks migrate --postgres-url postgres://app@127.0.0.1:5432/app
  converc-webhooks migrate --print > converc-webhooks.sql
`;

const options = {
  'postgres-url': { type: 'string' },
  table: { type: 'string' },
  'dedupe-table': { type: 'string' },
  print: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** `migrate`: creates the Postgres tables. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'create the tables of converc-webhooks/postgres (idempotent)',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('migrate', () => parseArgs({ args: [...args], options, allowPositionals: true, strict: true }));
    if (positionals.length > 0) throw usageError(`migrate takes no arguments, got ${positionals.join(' ')}`, 'migrate');
    const table = tableOption(values.table, DEFAULT_INBOX_TABLE, 'table', 'migrate');
    const dedupeTable = tableOption(values['dedupe-table'], DEFAULT_DEDUPE_TABLE, 'dedupe-table', 'migrate');
    const sql = inboxSchemaSql(table) + dedupeSchemaSql(dedupeTable);
    if (values.print === true) {
      context.io.stdout(sql);
      return EXIT_OK;
    }
    const url = checkPostgresUrl(values['postgres-url'], 'migrate');
    const pool = await openCliPool(url, 'migrate');
    try {
      await applySchema(pool, sql);
    } catch (cause) {
      throw postgresFailed(url, cause);
    } finally {
      await pool.end().catch(() => undefined);
    }
    const created = [table, dedupeTable];
    if (values.json === true) context.out(JSON.stringify({ ok: true, tables: created }));
    else context.out(`${created.join(' and ')} are ready in ${safeUrl(url)}`);
    return EXIT_OK;
  },
};
