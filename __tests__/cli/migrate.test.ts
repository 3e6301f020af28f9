import type { Pool } from 'pg';
import { closePools, describeWithPostgres, dropTables, openPool, POSTGRES_URL, uniqueTable } from '../postgres/postgres-server';
import { runCli } from './helpers';

describe('converc-webhooks migrate, without Postgres', () => {
  it('exits 2 without --postgres-url, naming it', async () => {
    const run = await runCli(['migrate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--postgres-url');
  });

  it('exits 2 for a table name that is not a plain identifier', async () => {
    const run = await runCli(['migrate', '--print', '--table', 'inbox; DROP TABLE users']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--table must be a table name');
  });

  it('prints the SQL with --print, for those who apply it themselves', async () => {
    const run = await runCli(['migrate', '--print', '--table', 'app.inbox']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('CREATE TABLE IF NOT EXISTS "app"."inbox"');
    expect(run.stdout).toContain('CREATE TABLE IF NOT EXISTS "converc_webhooks_dedupe"');
  });

  it('exits 1 when Postgres cannot be reached, without printing the password', async () => {
    const run = await runCli(['migrate', '--postgres-url', 'postgres://app:s3cret@127.0.0.1:1/app']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('could not work with Postgres at postgres://127.0.0.1:1/app');
    expect(run.stderr).not.toContain('s3cret');
  });
});

describeWithPostgres('converc-webhooks migrate', () => {
  let pool: Pool;
  const table = uniqueTable('cli_inbox');
  const dedupeTable = uniqueTable('cli_dedupe');
  beforeAll(() => {
    pool = openPool();
  });
  afterAll(async () => {
    await dropTables(pool, [table, dedupeTable]);
    await closePools();
  });

  it('creates both tables, and can run again', async () => {
    const args = ['migrate', '--postgres-url', POSTGRES_URL ?? '', '--table', table, '--dedupe-table', dedupeTable, '--json'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ ok: true, tables: [table, dedupeTable] });
    const again = await runCli(args);
    expect(again.code).toBe(0);
    const { rows } = await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_name = ANY($1) ORDER BY table_name',
      [[table, dedupeTable]],
    );
    expect(rows.map((row) => row.table_name).sort()).toEqual([table, dedupeTable].sort());
  });
});
