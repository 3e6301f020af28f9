import { CliError, usageError } from './cli-error';
import { EXIT_FAILED, EXIT_USAGE } from './exit-codes';
import type { PostgresPoolLike } from '../postgres/postgres-client';
import { safeUrl } from './safe-url';
import { checkOptions } from '../options/check-options';
import { tableName } from '../postgres/table-name';

/** A pool the CLI opened, to end once its command is done. */
export interface CliPool extends PostgresPoolLike {
  end(): Promise<void>;
}

/** What the CLI uses of the `pg` module. */
interface PgModule {
  Pool: new (config: { connectionString: string; max: number; connectionTimeoutMillis: number }) => CliPool & {
    on(event: 'error', listener: () => void): unknown;
  };
}

/** Checks a `--postgres-url`: a `postgres://` or `postgresql://` URL. */
export function checkPostgresUrl(url: string | undefined, command: string): string {
  if (url === undefined || !/^postgres(?:ql)?:\/\//.test(url)) {
    throw usageError('give --postgres-url postgres://user@host:port/database', command);
  }
  return url;
}

/** A table name given on the command line (`--table`), checked as the library checks one; a usage error otherwise. */
export function tableOption(value: string | undefined, defaultName: string, flag: string, command: string): string {
  try {
    return checkOptions(tableName(defaultName), value, `--${flag}`);
  } catch (error) {
    throw usageError((error as Error).message, command);
  }
}

/** Opens a small pool on `url`, loading `pg` (an optional peer dependency) only now. */
export async function openCliPool(url: string, command: string): Promise<CliPool> {
  const loaded = (await import('pg').catch((cause: unknown) => {
    throw new CliError(`${command} --postgres-url needs pg: npm install pg`, EXIT_USAGE, undefined, { cause });
  })) as unknown as PgModule & { default?: PgModule };
  const { Pool } = loaded.default ?? loaded;
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  return pool;
}

/** The error for a Postgres that could not be reached or refused the work. */
export function postgresFailed(url: string, cause: unknown): CliError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new CliError(`could not work with Postgres at ${safeUrl(url)}: ${message}`, EXIT_FAILED, undefined, { cause });
}
