import { join } from 'node:path';
import type { Pool } from 'pg';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { createPostgresInbox } from 'converc-webhooks/postgres';
import { killWorkerProcesses, startWorkerProcess } from '../fixtures/worker-processes';
import { closeServers, serve, type Client } from '../contract/adapters';
import { endedDelivery } from '../fixtures/events';
import { inLanes } from '../fixtures/in-lanes';
import { closePools, createEffectsTable, describeWithPostgres, dropTables, effectCounts, openPool, POSTGRES_URL, sleep, uniqueTable } from './postgres-server';
import { waitUntil } from '../fixtures/wait-until';

const WORKER_SCRIPT = join(__dirname, 'worker-process.ts');

describeWithPostgres('two web instances and two worker processes on one Postgres inbox', () => {
  let pool: Pool;
  const tables: string[] = [];
  beforeAll(() => {
    pool = openPool();
  });
  afterEach(async () => {
    await killWorkerProcesses();
    await closeServers();
  });
  afterAll(async () => {
    await dropTables(pool, tables);
    await closePools();
  });

  async function setUp(label: string): Promise<{ table: string; effects: string; env: Record<string, string> }> {
    const table = uniqueTable(`${label}_inbox`);
    const effects = uniqueTable(`${label}_effects`);
    tables.push(table, effects);
    await createPostgresInbox({ pool, table }).migrate();
    await createEffectsTable(pool, effects);
    return { table, effects, env: { POSTGRES_URL: POSTGRES_URL ?? '', INBOX_TABLE: table, EFFECTS_TABLE: effects } };
  }

  /** One web instance: its own receiver, pool and in-memory dedupe, handing off to the inbox. */
  function webInstance(table: string): Promise<Client> {
    const inbox = createPostgresInbox({ pool: openPool(undefined, 10), table });
    const webhooks = convercWebhooks({ handoff: inbox }).on('call.ended', () => {
      throw new Error('handlers must run in the workers, not in the web process');
    });
    return serve(createNodeHandler(webhooks));
  }

  it(
    'writes each of 500 events’ effect exactly once, 20% of them delivered twice across both instances',
    async () => {
      const { table, effects, env } = await setUp('fleet');
      const [web, workers] = await Promise.all([
        Promise.all([webInstance(table), webInstance(table)]),
        Promise.all([startWorkerProcess('w1', env, WORKER_SCRIPT), startWorkerProcess('w2', env, WORKER_SCRIPT)]),
      ]);
      const ids = Array.from({ length: 500 }, (_, i) => `evt-fleet-${i}`);
      const sends: (() => Promise<{ status: number; outcome: string }>)[] = [];
      ids.forEach((id, i) => {
        const send = (instance: number) => async () => {
          const response = await web[instance]!(endedDelivery(id));
          return { status: response.status, outcome: String(response.body?.status ?? response.body?.error?.code) };
        };
        sends.push(send(i % 2));
        // Every fifth event reaches the other instance too, right behind the first copy: only the
        // inbox's primary key can see that it is a duplicate, since each instance dedupes in its own memory.
        if (i % 5 === 0) sends.push(send((i + 1) % 2));
      });
      const answers = await inLanes(sends, 40);
      expect(answers.filter((a) => a.status === 202 && a.outcome === 'accepted')).toHaveLength(500);
      expect(answers.filter((a) => a.status === 200 && a.outcome === 'duplicate')).toHaveLength(100);

      const processed = async () =>
        (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE status = 'processed'`)).rows[0]?.n;
      await waitUntil(async () => (await processed()) === 500, 60_000, 'all 500 rows to be processed');
      // A moment more, for any second run to show up.
      await sleep(300);
      const counts = await effectCounts(pool, effects);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      const { rows: byWorker } = await pool.query<{ worker: string; n: number }>(
        `SELECT worker, count(*)::int AS n FROM "${effects}" GROUP BY worker ORDER BY worker`,
      );
      expect(byWorker.map((row) => row.worker)).toEqual(['w1', 'w2']);
      expect(workers.flatMap((worker) => worker.lines.filter((line) => line.startsWith('error')))).toEqual([]);
    },
    120_000,
  );

  it(
    'rolls back the effect of a worker killed with SIGKILL mid-handler, and the other worker writes it once',
    async () => {
      const { table, effects, env } = await setUp('kill');
      const [web, first] = await Promise.all([
        webInstance(table),
        startWorkerProcess('w1', { ...env, SLOW_MS: '60000' }, WORKER_SCRIPT),
      ]);
      expect((await web(endedDelivery('slow-1'))).status).toBe(202);
      // The handler has written its effect, in the row's transaction, and now waits: kill it there.
      await first.waitForLine((line) => line === 'started slow-1', 10_000);
      first.child.kill('SIGKILL');
      await first.exited;
      // Postgres saw the connection go, and rolled the transaction back: no effect, the row is due again.
      await waitUntil(
        async () => (await pool.query(`SELECT 1 FROM "${table}" WHERE status = 'pending' FOR UPDATE SKIP LOCKED`)).rowCount === 1,
        10_000,
        'the killed worker’s row to be free',
      );
      expect(await effectCounts(pool, effects)).toEqual(new Map());

      const second = await startWorkerProcess('w2', { ...env, SLOW_MS: '10' }, WORKER_SCRIPT);
      await second.waitForLine((line) => line === 'started slow-1', 10_000);
      await waitUntil(
        async () => (await pool.query(`SELECT 1 FROM "${table}" WHERE status = 'processed'`)).rowCount === 1,
        10_000,
        'the other worker to process it',
      );
      expect(await effectCounts(pool, effects)).toEqual(new Map([['slow-1', 1]]));
      const { rows } = await pool.query<{ worker: string; attempts: number }>(
        `SELECT e.worker, i.attempts FROM "${effects}" e JOIN "${table}" i ON i.id = e.event_id`,
      );
      // The killed run never counted: the attempt rolled back with everything else.
      expect(rows).toEqual([{ worker: 'w2', attempts: 1 }]);
    },
    60_000,
  );
});
