/**
 * `npm run bench:postgres` (opt-in: needs a Postgres and a Redis): what the Postgres inbox costs.
 *
 * 1. Deliveries answered per second over node:http, 50 connections, a fresh event per request, by
 *    four receivers measured in the same run, in alternating order round after round: handlers in
 *    process (a no-op: the receiver alone), handlers in process that INSERT one row each, the BullMQ
 *    handoff, and the Postgres inbox handoff. Ratios are of medians against the no-op receiver.
 * 2. Events worked per second by inbox workers: N rows inserted at once, then timed until all are
 *    processed, each handler INSERTing one row through `ctx.db`; by one worker process and by two
 *    (concurrency 4 each), alternating.
 *
 *   POSTGRES_URL=postgres://… REDIS_URL=redis://… npx tsx bench/postgres-inbox.ts [--rounds 4] [--duration 5] [--events 4000]
 *   … --smoke      a few seconds, nothing written
 *
 * A full run writes the "postgres inbox" section of bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { createPostgresInbox } from '../src/postgres';
import { ensureBuilt, ROOT } from './built-package';
import { CONVERC_PATH, freshEvents } from './deliveries';
import { runLoad, type Measurement } from './load';
import { processCpuMicros } from './proc-stat';
import { machineLine, sourceLine, table, writeSection } from './results-file';
import type { ServerProcess } from './server-process';

const CHILD = join(__dirname, 'postgres-processes.ts');
const WEB_ROLES = ['web-inline', 'web-inline-insert', 'web-bullmq', 'web-inbox'] as const;
type WebRole = (typeof WEB_ROLES)[number];
const LABELS: Record<WebRole, string> = {
  'web-inline': 'in process, no-op handler',
  'web-inline-insert': 'in process, handler INSERTs a row',
  'web-bullmq': 'BullMQ handoff',
  'web-inbox': 'Postgres inbox handoff',
};

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    events: { type: 'string' },
  },
});
const smoke = values.smoke;
const rounds = Number(values.rounds ?? (smoke ? 1 : 4));
const duration = Number(values.duration ?? (smoke ? 1 : 5));
const events = Number(values.events ?? (smoke ? 200 : 4000));

const postgresUrl = process.env.POSTGRES_URL ?? '';
const redisUrl = process.env.REDIS_URL ?? '';
if (postgresUrl === '' || redisUrl === '') {
  console.error('bench:postgres needs POSTGRES_URL and REDIS_URL (it is opt-in, and not part of npm run bench)');
  process.exit(2);
}

const suffix = `${process.pid}_${Date.now().toString(36)}`;
const names = { BENCH_TABLE: `bench_inbox_${suffix}`, BENCH_EFFECTS: `bench_effects_${suffix}`, BENCH_QUEUE: `bench-${suffix}` };
const childEnv = { ...process.env, ...names };
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a child and resolves once it reports its port (web) or readiness (worker). */
function startChild(role: string, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, role], {
    cwd: ROOT,
    env: { ...childEnv, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`${role} exited (${String(code)}) before it was ready`));
    });
    child.once('message', (message: { port?: number }) => {
      resolve({ child, port: message.port ?? 0 });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Its start-up listener would call a failure what is now a stop.
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  await exited;
  children.delete(child);
}

/** The value under `key`, which the caller put there. */
function at<K, V>(map: ReadonlyMap<K, V>, key: K): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`nothing under ${String(key)}`);
  return value;
}

const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

async function main(): Promise<void> {
  ensureBuilt();
  const db = new Pool({ connectionString: postgresUrl, max: 2 });
  db.on('error', () => undefined);
  const queue = new Queue(names.BENCH_QUEUE, { connection: { url: redisUrl } });
  queue.on('error', () => undefined);
  await createPostgresInbox({ pool: db, table: names.BENCH_TABLE }).migrate();
  await db.query(`CREATE TABLE "${names.BENCH_EFFECTS}" (event_id text NOT NULL)`);
  const reset = async (): Promise<void> => {
    await db.query(`TRUNCATE "${names.BENCH_TABLE}", "${names.BENCH_EFFECTS}"`);
    await queue.obliterate({ force: true });
  };

  try {
    // 1. Deliveries answered per second.
    const servers = new Map<WebRole, ServerProcess>();
    for (const role of WEB_ROLES) {
      const { child, port } = await startChild(role);
      const pid = child.pid ?? 0;
      servers.set(role, { pid, port, cpuMicros: () => processCpuMicros(pid), stop: () => stopChild(child) });
    }
    const measured = new Map<WebRole, Measurement[]>(WEB_ROLES.map((role) => [role, []]));
    const deliveries = freshEvents();
    // A warm-up of each, unmeasured.
    for (const role of WEB_ROLES) {
      await runLoad({ server: at(servers, role), path: CONVERC_PATH, deliveries, duration: smoke ? 0.5 : 2, connections: 50 });
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? WEB_ROLES : [...WEB_ROLES].reverse();
      for (const role of order) {
        await reset();
        const measurement = await runLoad({ server: at(servers, role), path: CONVERC_PATH, deliveries, duration, connections: 50 });
        if (measurement.failures > 0) throw new Error(`${role}: ${measurement.failures} answers were not 2xx`);
        at(measured, role).push(measurement);
        console.log(`round ${round + 1} ${role}: ${measurement.requestsPerSecond.toFixed(0)} req/s, p50 ${measurement.p50Ms.toFixed(1)} ms, p99 ${measurement.p99Ms.toFixed(1)} ms`);
      }
    }
    for (const server of servers.values()) await server.stop();
    const baseline = median(at(measured, 'web-inline').map((m) => m.requestsPerSecond));
    const deliveryRows = WEB_ROLES.map((role) => {
      const runs = at(measured, role);
      const rps = median(runs.map((m) => m.requestsPerSecond));
      return [
        LABELS[role],
        rps.toFixed(0),
        (rps / baseline).toFixed(2),
        median(runs.map((m) => m.p50Ms)).toFixed(1),
        median(runs.map((m) => m.p99Ms)).toFixed(1),
        median(runs.map((m) => m.cpuMicrosPerRequest)).toFixed(0),
      ];
    });

    // 2. Events worked per second by one worker process, and by two.
    const workedPerSecond = new Map<number, number[]>([
      [1, []],
      [2, []],
    ]);
    const order = smoke ? [2] : [1, 2, 2, 1];
    for (const count of order) {
      await reset();
      const workers = await Promise.all(Array.from({ length: count }, () => startChild('worker', { WORKER_CONCURRENCY: '4' })));
      const started = performance.now();
      await db.query(
        `INSERT INTO "${names.BENCH_TABLE}" (id, type, event)
         SELECT 'evt-' || n, 'call.ended', jsonb_set($1::jsonb, '{id}', to_jsonb('evt-' || n)) FROM generate_series(1, $2) AS n`,
        [JSON.parse(deliveries().body), events],
      );
      for (;;) {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${names.BENCH_TABLE}" WHERE status = 'processed'`);
        if (rows[0]?.n === events) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const perSecond = events / ((performance.now() - started) / 1000);
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${names.BENCH_EFFECTS}"`);
      if (rows[0]?.n !== events) throw new Error(`${count} worker(s): ${String(rows[0]?.n)} effects for ${events} events`);
      at(workedPerSecond, count).push(perSecond);
      console.log(`${count} worker(s): ${events} events worked at ${perSecond.toFixed(0)} events/s`);
      await Promise.all(workers.map(({ child }) => stopChild(child)));
    }

    const workerRows = [...workedPerSecond]
      .filter(([, runs]) => runs.length > 0)
      .map(([count, runs]) => [`${count} worker process${count === 1 ? '' : 'es'} × concurrency 4`, median(runs).toFixed(0), runs.map((r) => r.toFixed(0)).join(', ')]);

    const markdown = [
      '## Postgres inbox (`npm run bench:postgres`)',
      '',
      machineLine(),
      '',
      sourceLine(),
      '',
      `Deliveries answered per second over node:http, 50 connections, a fresh event each; median of ${rounds} rounds of ${duration} s in alternating order, each after emptying the inbox and the queue. CPU is the web server's alone (not Postgres's or Redis's).`,
      '',
      table(['receiver', 'req/s', '÷ no-op in process', 'p50 ms', 'p99 ms', 'server CPU µs/req'], deliveryRows),
      '',
      `Events worked per second: ${events} rows inserted at once, timed until all are processed; each handler INSERTs one row through ctx.db in the row's transaction.`,
      '',
      table(['workers', 'events/s (median)', 'runs'], workerRows),
    ].join('\n');
    console.log(`\n${markdown}`);
    if (!smoke) writeSection('postgres inbox', markdown);
  } finally {
    await db.query(`DROP TABLE IF EXISTS "${names.BENCH_TABLE}", "${names.BENCH_EFFECTS}"`).catch(() => undefined);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
