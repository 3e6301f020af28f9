import type { Pool } from 'pg';
import { createPostgresInbox } from 'converc-webhooks/postgres';
import { eventWithId } from '../fixtures/events';
import { closePools, describeWithPostgres, dropTables, openPool, POSTGRES_URL, uniqueTable } from '../postgres/postgres-server';
import { runCli } from './helpers';

describe('converc-webhooks replay-failed --postgres-url, without Postgres', () => {
  it('exits 2 when given both --redis-url and --postgres-url', async () => {
    const run = await runCli(['replay-failed', '--redis-url', 'redis://127.0.0.1:1', '--postgres-url', 'postgres://127.0.0.1:1/x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('not both');
  });

  it('exits 2 for a URL that is not postgres://', async () => {
    const run = await runCli(['replay-failed', '--postgres-url', 'mysql://127.0.0.1/x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--postgres-url postgres://');
  });

  it('exits 2 for a --table that is not a table name, before trying Postgres', async () => {
    const run = await runCli(['replay-failed', '--postgres-url', 'postgres://127.0.0.1:1/x', '--table', 'Inbox; DROP TABLE x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--table must be a table name');
    expect(run.stderr).not.toContain('could not work with Postgres');
  });

  it('exits 1 when Postgres cannot be reached', async () => {
    const run = await runCli(['replay-failed', '--postgres-url', 'postgres://127.0.0.1:1/x']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('could not work with Postgres');
  });
});

describeWithPostgres('converc-webhooks replay-failed --postgres-url', () => {
  let pool: Pool;
  const table = uniqueTable('cli_replay');
  beforeAll(() => {
    pool = openPool();
  });
  afterAll(async () => {
    await dropTables(pool, [table]);
    await closePools();
  });

  it('moves the dead rows of one type back to pending, with their attempts reset', async () => {
    const inbox = createPostgresInbox({ pool, table });
    await inbox.migrate();
    for (const [type, id] of [['call.ended', 'evt-a'], ['call.missed', 'evt-b']] as const) {
      await inbox.enqueue(eventWithId(type, id), { id, receivedAt: new Date(), headers: {} });
    }
    await pool.query(`UPDATE "${table}" SET status = 'dead', attempts = 5, last_error = 'Error: CRM down'`);
    const run = await runCli(['replay-failed', '--postgres-url', POSTGRES_URL ?? '', '--table', table, '--type', 'call.ended', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ ok: true, table, moved: 1 });
    const { rows } = await pool.query(`SELECT id, status, attempts, last_error FROM "${table}" ORDER BY id`);
    expect(rows).toEqual([
      { id: 'evt-a', status: 'pending', attempts: 0, last_error: null },
      { id: 'evt-b', status: 'dead', attempts: 5, last_error: 'Error: CRM down' },
    ]);
  });
});
