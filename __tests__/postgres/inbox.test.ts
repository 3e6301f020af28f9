import { expectTypeOf } from 'expect-type';
import type { Pool, PoolClient } from 'pg';
import { convercWebhooks, createNodeHandler, type AnyEvent, type WebhookError } from 'converc-webhooks';
import { createPostgresInbox, type InboxHandlerContext, type InboxWorker, type PostgresInbox } from 'converc-webhooks/postgres';
import { closeServers, serve } from '../contract/adapters';
import { endedDelivery, eventWithId } from '../fixtures/events';
import { closePools, createEffectsTable, describeWithPostgres, dropTables, effectCounts, openPool, sleep, uniqueTable } from './postgres-server';
import { waitUntil } from '../fixtures/wait-until';

interface Row {
  status: string;
  attempts: number;
  last_error: string | null;
}

describeWithPostgres('createPostgresInbox', () => {
  let pool: Pool;
  const tables: string[] = [];
  const workers: InboxWorker[] = [];
  let table: string;
  let effects: string;
  let inbox: PostgresInbox<PoolClient>;

  beforeAll(() => {
    pool = openPool();
  });
  beforeEach(async () => {
    table = uniqueTable('inbox');
    effects = uniqueTable('effects');
    tables.push(table, effects);
    inbox = createPostgresInbox<PoolClient>({ pool, table });
    await inbox.migrate();
    await createEffectsTable(pool, effects);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    await closeServers();
  });
  afterAll(async () => {
    await dropTables(pool, tables);
    await closePools();
  });

  const row = async (id: string): Promise<Row | undefined> =>
    (await pool.query<Row>(`SELECT status, attempts, last_error FROM "${table}" WHERE id = $1`, [id])).rows[0];
  const writeEffect = (event: AnyEvent, db: PoolClient) => db.query(`INSERT INTO "${effects}" (event_id) VALUES ($1)`, [event.id]);

  it('answers 202 once the row is stored, and a duplicate for an id already there, from any receiver', async () => {
    const [a, b] = await Promise.all([serve(createNodeHandler(convercWebhooks({ handoff: inbox }))), serve(createNodeHandler(convercWebhooks({ handoff: inbox })))]);
    const first = await a(endedDelivery('evt-1', { authorization: 'Bearer secret' }));
    expect(first.status).toBe(202);
    expect(first.body?.status).toBe('accepted');
    const again = await b(endedDelivery('evt-1'));
    expect(again.status).toBe(200);
    expect(again.body?.status).toBe('duplicate');
    const { rows } = await pool.query<{ type: string; event: { id: string }; headers: Record<string, unknown>; status: string }>(
      `SELECT type, event, headers, status FROM "${table}"`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'call.ended', event: { id: 'evt-1' }, status: 'pending' });
    expect(rows[0]?.headers).toHaveProperty('x-ic-id', 'evt-1');
    expect(rows[0]?.headers).not.toHaveProperty('authorization');
  });

  it('runs a handler in the row’s transaction: its write commits with the processed mark', async () => {
    const seen: InboxHandlerContext<PoolClient>[] = [];
    const webhooks = convercWebhooks({ handoff: inbox }).on(
      'call.ended',
      inbox.handler(async (event, ctx) => {
        seen.push(ctx);
        await writeEffect(event, ctx.db);
      }),
    );
    await inbox.enqueue(eventWithId('call.ended', 'evt-2'), { id: 'evt-2', receivedAt: new Date(), headers: {} });
    workers.push(inbox.work(webhooks, { pollMs: 50 }));
    await waitUntil(async () => (await row('evt-2'))?.status === 'processed', 10_000, 'the row to be processed');
    expect(await row('evt-2')).toEqual({ status: 'processed', attempts: 1, last_error: null });
    expect(await effectCounts(pool, effects)).toEqual(new Map([['evt-2', 1]]));
    expect(seen[0]).toMatchObject({ id: 'evt-2', attempt: 1 });
  });

  it('runs a handler that fails twice and then succeeds three times, with one effect and three attempts recorded', async () => {
    const attempts: number[] = [];
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks({ handoff: inbox })
      .on(
        'call.ended',
        inbox.handler(async (event, { db, attempt }) => {
          attempts.push(attempt);
          // Written before the failure: the rollback must take it away.
          await writeEffect(event, db);
          if (attempt < 3) throw new Error(`CRM down (attempt ${attempt})`);
        }),
      )
      .onError((error) => {
        errors.push(error);
      });
    await inbox.enqueue(eventWithId('call.ended', 'evt-3'), { id: 'evt-3', receivedAt: new Date(), headers: {} });
    workers.push(inbox.work(webhooks, { pollMs: 20, retry: { attempts: 5, minDelayMs: 10, maxDelayMs: 20 } }));
    await waitUntil(async () => (await row('evt-3'))?.status === 'processed', 10_000, 'the third attempt');
    expect(attempts).toEqual([1, 2, 3]);
    expect(await row('evt-3')).toEqual({ status: 'processed', attempts: 3, last_error: null });
    expect(await effectCounts(pool, effects)).toEqual(new Map([['evt-3', 1]]));
    expect(errors.map((error) => [error.code, error.attempt])).toEqual([
      ['handler_failed', 1],
      ['handler_failed', 2],
    ]);
  });

  it('makes a row dead after its last attempt, tells onDeadLetter, and replayDead moves it back', async () => {
    let crmUp = false;
    const dead: [string, WebhookError][] = [];
    const webhooks = convercWebhooks({
      handoff: inbox,
      onDeadLetter: (event, error) => {
        dead.push([event.id, error]);
      },
    })
      .on(
        'call.ended',
        inbox.handler(async (event, { db }) => {
          await writeEffect(event, db);
          if (!crmUp) throw new Error('CRM down');
        }),
      )
      .onError(() => undefined);
    await inbox.enqueue(eventWithId('call.ended', 'evt-4'), { id: 'evt-4', receivedAt: new Date(), headers: {} });
    workers.push(inbox.work(webhooks, { pollMs: 20, retry: { attempts: 2, minDelayMs: 10, maxDelayMs: 10 } }));
    await waitUntil(() => dead.length === 1, 10_000, 'onDeadLetter');
    expect(await row('evt-4')).toEqual({ status: 'dead', attempts: 2, last_error: 'Error: CRM down' });
    expect(dead[0]?.[0]).toBe('evt-4');
    expect(dead[0]?.[1]).toMatchObject({ code: 'handler_failed', attempt: 2 });
    expect(await effectCounts(pool, effects)).toEqual(new Map());

    crmUp = true;
    expect(await inbox.replayDead({ type: 'call.missed' })).toBe(0);
    expect(await inbox.replayDead()).toBe(1);
    await waitUntil(async () => (await row('evt-4'))?.status === 'processed', 10_000, 'the replayed row');
    expect(await effectCounts(pool, effects)).toEqual(new Map([['evt-4', 1]]));
  });

  it('counts a failure whose message holds a NUL, which Postgres text cannot store', async () => {
    const dead: string[] = [];
    const webhooks = convercWebhooks({ handoff: inbox, onDeadLetter: (event) => void dead.push(event.id) })
      .on('call.ended', () => {
        throw new Error('bad\0byte');
      })
      .onError(() => undefined);
    await inbox.enqueue(eventWithId('call.ended', 'evt-nul'), { id: 'evt-nul', receivedAt: new Date(), headers: {} });
    workers.push(inbox.work(webhooks, { pollMs: 20, retry: { attempts: 1 } }));
    await waitUntil(() => dead.length === 1, 10_000, 'onDeadLetter');
    expect(await row('evt-nul')).toEqual({ status: 'dead', attempts: 1, last_error: 'Error: bad\uFFFDbyte' });
  });

  it('keeps of a thrown object only its type in last_error, never what it holds (it may be the event)', async () => {
    const dead: string[] = [];
    const webhooks = convercWebhooks({ handoff: inbox, onDeadLetter: (event) => void dead.push(event.id) })
      .on('call.ended', (event) => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { toString: () => `contact ${event.data.contact.email ?? ''}` };
      })
      .onError(() => undefined);
    await inbox.enqueue(eventWithId('call.ended', 'evt-object'), { id: 'evt-object', receivedAt: new Date(), headers: {} });
    workers.push(inbox.work(webhooks, { pollMs: 20, retry: { attempts: 1 } }));
    await waitUntil(() => dead.length === 1, 10_000, 'onDeadLetter');
    expect(await row('evt-object')).toEqual({ status: 'dead', attempts: 1, last_error: 'a thrown object' });
  });

  it('wakes an idle worker with NOTIFY, long before its next poll', async () => {
    const webhooks = convercWebhooks({ handoff: inbox }).on('call.ended', inbox.handler((event, { db }) => writeEffect(event, db)));
    workers.push(inbox.work(webhooks, { pollMs: 600_000, concurrency: 2 }));
    // Let the worker find the table empty and go to sleep, listening.
    await sleep(500);
    await inbox.enqueue(eventWithId('call.ended', 'evt-5'), { id: 'evt-5', receivedAt: new Date(), headers: {} });
    await waitUntil(async () => (await row('evt-5'))?.status === 'processed', 5000, 'the NOTIFY to wake the worker');
    expect(await effectCounts(pool, effects)).toEqual(new Map([['evt-5', 1]]));
  });

  it('makes a row that holds no valid event dead at once, and tells onError invalid_event', async () => {
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks({ handoff: inbox })
      .onAny(() => {
        throw new Error('must not run');
      })
      .onError((error) => {
        errors.push(error);
      });
    await pool.query(`INSERT INTO "${table}" (id, type, event) VALUES ('evt-bad', 'call.ended', '{"id": 7}')`);
    workers.push(inbox.work(webhooks, { pollMs: 20 }));
    await waitUntil(() => errors.length === 1, 10_000, 'onError');
    expect(errors[0]).toMatchObject({ code: 'invalid_event', deliveryId: 'evt-bad' });
    expect((await row('evt-bad'))?.status).toBe('dead');
  });

  it('prunes processed rows after ttlMs, so a resend is new again', async () => {
    const short = createPostgresInbox({ pool, table, ttlMs: 50 });
    const webhooks = convercWebhooks({ handoff: short }).on('call.ended', () => undefined);
    const ctx = { id: 'evt-6', receivedAt: new Date(), headers: {} };
    expect(await short.enqueue(eventWithId('call.ended', 'evt-6'), ctx)).toBe('accepted');
    workers.push(short.work(webhooks, { pollMs: 20 }));
    await waitUntil(async () => (await row('evt-6'))?.status === 'processed', 10_000, 'the row to be processed');
    expect(await short.enqueue(eventWithId('call.ended', 'evt-6'), ctx)).toBe('duplicate');
    await sleep(100);
    expect(await short.prune()).toBe(1);
    expect(await row('evt-6')).toBeUndefined();
    expect(await short.enqueue(eventWithId('call.ended', 'evt-6'), ctx)).toBe('accepted');
  });

  it('has its workers prune processed rows every pruneEveryMs', async () => {
    const short = createPostgresInbox({ pool, table, ttlMs: 50 });
    const webhooks = convercWebhooks({ handoff: short }).on('call.ended', () => undefined);
    await short.enqueue(eventWithId('call.ended', 'evt-pruned'), { id: 'evt-pruned', receivedAt: new Date(), headers: {} });
    workers.push(short.work(webhooks, { pollMs: 20, pruneEveryMs: 50 }));
    await waitUntil(async () => (await row('evt-pruned'))?.status === 'processed', 10_000, 'the row to be processed');
    await waitUntil(async () => (await row('evt-pruned')) === undefined, 10_000, 'the worker to prune the row');
    expect(await short.enqueue(eventWithId('call.ended', 'evt-pruned'), { id: 'evt-pruned', receivedAt: new Date(), headers: {} })).toBe('accepted');
  });

  it('stores an id over 200 characters as its digest, and hands handlers the event’s own id', async () => {
    const longId = `evt-${'x'.repeat(300)}`;
    const ids: string[] = [];
    const webhooks = convercWebhooks({ handoff: inbox }).on('call.ended', (event, ctx) => {
      ids.push(event.id, ctx.id);
    });
    expect(await inbox.enqueue(eventWithId('call.ended', longId), { id: longId, receivedAt: new Date(), headers: {} })).toBe('accepted');
    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM "${table}"`);
    expect(rows[0]?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    workers.push(inbox.work(webhooks, { pollMs: 20 }));
    await waitUntil(() => ids.length === 2, 10_000, 'the handler');
    expect(ids).toEqual([longId, longId]);
  });

  it('fails a handler made with inbox.handler that runs outside a worker, instead of writing outside the transaction', async () => {
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks()
      .on('call.ended', inbox.handler((event, { db }) => writeEffect(event, db)))
      .onError((error) => {
        errors.push(error);
      });
    const client = await serve(createNodeHandler(webhooks));
    expect((await client(endedDelivery('evt-7'))).status).toBe(500);
    expect(errors[0]?.code).toBe('handler_failed');
    expect((errors[0]?.cause as Error).message).toContain('only in a Postgres inbox worker');
  });

  it('cannot store an event holding \\u0000 (jsonb refuses it): onStoreError decides, and onError keeps the body', async () => {
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks({ handoff: inbox, onStoreError: 'reject' }).onError((error) => {
      errors.push(error);
    });
    const client = await serve(createNodeHandler(webhooks));
    const body = JSON.stringify(eventWithId('call.ended', 'evt-nul-body')).replace('"call.ended"', '"call.ended","note":"a\\u0000b"');
    const answer = await client({ headers: { 'content-type': 'application/json' }, body });
    expect([answer.status, answer.body?.error?.code]).toEqual([503, 'store_unavailable']);
    expect(errors.map((error) => [error.code, error.rawBody])).toEqual([['store_unavailable', body]]);
  });

  it('migrates twice, and from two callers at once, without an error', async () => {
    await Promise.all([inbox.migrate(), inbox.migrate()]);
    await inbox.migrate();
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
    expect(rows[0]?.n).toBe(0);
  });
});

describe('createPostgresInbox options', () => {
  const pool = { query: () => Promise.resolve({ rows: [], rowCount: 0 }), connect: () => Promise.reject(new Error('no')) };
  it.each([
    [{ pool: {} }, /pool must be a pg Pool/],
    [{ pool, table: 'Inbox"; DROP TABLE x' }, /table must be a table name/],
    [{ pool, ttlMs: -1 }, /ttlMs must be a positive number/],
    [{ pool, omitHeaders: 'cookie' }, /omitHeaders must be an array/],
    [{ pool, tables: 'x' }, /unknown key "tables"; did you mean "table"/],
  ])('throws a TypeError naming the option for %p', (options, message) => {
    expect(() => createPostgresInbox(options as never)).toThrow(message);
  });

  it.each([
    [{ concurrency: 0 }, /concurrency must be a positive integer/],
    [{ retry: { attempts: 0 } }, /retry.attempts must be a positive integer/],
    [{ pollMs: 0 }, /pollMs must be a positive number/],
    [{ concurency: 2 }, /unknown key "concurency"; did you mean "concurrency"/],
  ])('refuses work options %p', (options, message) => {
    const inbox = createPostgresInbox({ pool });
    expect(() => inbox.work(convercWebhooks(), options as never)).toThrow(message);
  });

  it('types ctx.db as the client type given, and the event by the handler’s event type', () => {
    const inbox = createPostgresInbox<PoolClient>({ pool });
    convercWebhooks().on(
      'call.ended',
      inbox.handler((event, ctx) => {
        expectTypeOf(ctx.db).toEqualTypeOf<PoolClient>();
        expectTypeOf(event.data.call.endedAt).toEqualTypeOf<string>();
        // @ts-expect-error a misspelt field does not compile
        return event.data.call.endedAtt;
      }),
    );
    expect(typeof inbox.handler).toBe('function');
  });
});
