import type { Pool } from 'pg';
import { PostgresDedupeStore } from 'converc-webhooks/postgres';
import { describeDedupeStoreConformance } from '../dedupe/conformance';
import { closePools, describeWithPostgres, dropTables, openPool, sleep, uniqueTable } from './postgres-server';

describeWithPostgres('PostgresDedupeStore', () => {
  let pool: Pool;
  const table = uniqueTable('dedupe');
  const migrated = uniqueTable('dedupe_migrate');
  beforeAll(async () => {
    pool = openPool();
    await new PostgresDedupeStore({ pool, table }).migrate();
  });
  afterAll(async () => {
    await dropTables(pool, [table, migrated]);
    await closePools();
  });

  // Postgres keeps real time: the time to live is short, and "advancing" the clock is waiting.
  describeDedupeStoreConformance('PostgresDedupeStore', () => ({
    store: new PostgresDedupeStore({ pool, table, ttlMs: 200 }),
    ttlMs: 200,
    advance: (ms) => sleep(ms),
  }));

  it('lets a claim whose replica died expire after its lease, so the event is not blocked for ttlMs', async () => {
    const store = new PostgresDedupeStore({ pool, table, leaseMs: 100 });
    expect(await store.claim('lease-1')).not.toBeNull();
    expect(await store.claim('lease-1')).toBeNull();
    await sleep(200);
    expect(await store.claim('lease-1')).not.toBeNull();
  });

  it('keeps a completed key for ttlMs, not just for the lease', async () => {
    const store = new PostgresDedupeStore({ pool, table, leaseMs: 100, ttlMs: 60_000 });
    await store.complete((await store.claim('ttl-1'))!);
    await sleep(200);
    expect(await store.claim('ttl-1')).toBeNull();
    expect(await store.isProcessed('ttl-1')).toBe(true);
  });

  it('removes expired rows as claims go by', async () => {
    const store = new PostgresDedupeStore({ pool, table, ttlMs: 50 });
    for (const key of ['sweep-a', 'sweep-b', 'sweep-c']) await store.complete((await store.claim(key))!);
    await sleep(100);
    await store.claim('sweep-trigger');
    const { rows } = await pool.query(`SELECT key FROM "${table}" WHERE key LIKE 'sweep-%' ORDER BY key`);
    expect(rows).toEqual([{ key: 'sweep-trigger' }]);
  });

  it('migrates twice, and from two callers at once, without an error', async () => {
    const store = new PostgresDedupeStore({ pool, table: migrated });
    await Promise.all([store.migrate(), store.migrate()]);
    await store.migrate();
    expect(await store.claim('m-1')).not.toBeNull();
  });
});

describe('PostgresDedupeStore options', () => {
  const pool = { query: () => Promise.resolve({ rows: [], rowCount: 0 }), connect: () => Promise.reject(new Error('no')) };
  it.each([
    [{ pool: {} }, /pool must be a pg Pool/],
    [{ pool, ttlMs: 0 }, /ttlMs must be a positive integer/],
    [{ pool, leaseMs: 1.5 }, /leaseMs must be a positive integer/],
    [{ pool, table: 'x; DROP TABLE users' }, /table must be a table name/],
    [{ pool, tables: 'x' }, /unknown key "tables"; did you mean "table"/],
  ])('throws a TypeError naming the option for %p', (options, message) => {
    expect(() => new PostgresDedupeStore(options as never)).toThrow(message);
  });
});
