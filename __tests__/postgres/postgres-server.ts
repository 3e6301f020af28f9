import { createServer, Socket, type Server } from 'node:net';
import { Pool } from 'pg';
import { describeRequiring } from '../fixtures/describe-requiring';

/** The Postgres the tests use: `.ci/run` starts a cluster of its own and exports its URL. */
export const POSTGRES_URL = process.env.POSTGRES_URL;

/**
 * `describe` when a Postgres server is there. Without one, the suite fails under CI (a green run must
 * not hide that nothing was tested) and is skipped elsewhere, with a message saying so.
 */
export function describeWithPostgres(name: string, body: () => void): void {
  describeRequiring(
    name,
    {
      present: POSTGRES_URL !== undefined && POSTGRES_URL !== '',
      needs: 'needs a Postgres server: CI must export POSTGRES_URL',
      ciError: 'POSTGRES_URL is not set, but CI=true: .ci/run should have started a Postgres cluster',
      howToRun: 'set POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5433/postgres) to run the Postgres tests',
      missing: 'POSTGRES_URL is not set',
    },
    body,
  );
}

const pools = new Set<Pool>();

/** A pool on `url` (the test server unless told), closed by {@link closePools}. */
export function openPool(url = POSTGRES_URL ?? '', max = 10): Pool {
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 2000 });
  // An idle connection that fails (the outage tests cut them) must not take the test process down.
  pool.on('error', () => undefined);
  pools.add(pool);
  return pool;
}

/** Ends every pool {@link openPool} made. */
export async function closePools(): Promise<void> {
  const open = [...pools];
  pools.clear();
  await Promise.all(open.map((pool) => pool.end().catch(() => undefined)));
}

let tables = 0;

/** A table name no other test (or run) uses. */
export function uniqueTable(label: string): string {
  return `t_${label}_${process.pid}_${Date.now().toString(36)}_${++tables}`;
}

/** Drops tables made by a test. */
export async function dropTables(pool: Pool, names: readonly string[]): Promise<void> {
  for (const name of names) await pool.query(`DROP TABLE IF EXISTS "${name}"`);
}

/** An effects table with no unique key, so that a second run of a handler would show as a second row. */
export async function createEffectsTable(pool: Pool, name: string): Promise<void> {
  await pool.query(`CREATE TABLE "${name}" (event_id text NOT NULL, worker text, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
}

/** How many effect rows each event has. */
export async function effectCounts(pool: Pool, name: string): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ event_id: string; n: number }>(`SELECT event_id, count(*)::int AS n FROM "${name}" GROUP BY event_id`);
  return new Map(rows.map((row) => [row.event_id, row.n]));
}

/**
 * A TCP proxy on a loopback port in front of Postgres, that a test can cut: every connection through
 * it is destroyed and new ones are refused, as when the server stops; `restore()` lets them through
 * again. Chosen over stopping a real cluster with pg_ctl: it needs no second cluster, no root or
 * postgres user, and takes milliseconds, so it behaves the same on every CI machine.
 */
export class CuttableProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #target: { host: string; port: number };
  #port = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => {
      const upstream = new Socket();
      this.#sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.#sockets.delete(client);
        this.#sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.#target.port, this.#target.host, () => {
        client.pipe(upstream).pipe(client);
      });
    });
  }

  /** Starts a proxy to the Postgres of `url`. */
  static async start(url = POSTGRES_URL ?? ''): Promise<CuttableProxy> {
    const parsed = new URL(url);
    const proxy = new CuttableProxy({ host: parsed.hostname, port: Number(parsed.port || 5432) });
    await proxy.#listen(0);
    return proxy;
  }

  /** The URL to connect to Postgres through this proxy. */
  url(base = POSTGRES_URL ?? ''): string {
    const parsed = new URL(base);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.#port);
    return parsed.toString();
  }

  /** Destroys every connection and stops listening: Postgres is gone, as far as clients can tell. */
  async cut(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await new Promise<void>((resolve) => this.#server.close(() => { resolve(); }));
  }

  /** Listens again, on the same port. */
  async restore(): Promise<void> {
    await this.#listen(this.#port);
  }

  /** Cuts and forgets the proxy. */
  async stop(): Promise<void> {
    if (this.#server.listening) await this.cut();
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.#port = address.port;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

