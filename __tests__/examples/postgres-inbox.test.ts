import type { Pool } from 'pg';
import request from 'supertest';
import type { InboxWorker } from 'converc-webhooks/postgres';
import { createApp, openInbox, startWorker } from '../../examples/postgres-inbox';
import { eventWithId } from '../fixtures/events';
import { closePools, describeWithPostgres, dropTables, openPool, uniqueTable } from '../postgres/postgres-server';
import { waitUntil } from '../fixtures/wait-until';

describeWithPostgres('examples/postgres-inbox.ts', () => {
  let pool: Pool;
  const table = uniqueTable('example_inbox');
  let worker: InboxWorker | undefined;
  beforeAll(() => {
    pool = openPool();
  });
  afterAll(async () => {
    await worker?.close();
    await pool.query('DELETE FROM calls WHERE event_id = $1', ['evt-example-pg']).catch(() => undefined);
    await dropTables(pool, [table]);
    await closePools();
  });

  it('answers 202 once the row is stored, and a worker writes the call through ctx.db, once', async () => {
    const inbox = await openInbox(pool, table);
    const { app } = createApp(inbox);
    const event = eventWithId('call.ended', 'evt-example-pg');

    const accepted = await request(app).post('/webhooks/converc').send(event);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({ received: true, id: 'evt-example-pg', status: 'accepted' });
    expect((await request(app).post('/webhooks/converc').send(event)).body.status).toBe('duplicate');

    worker = startWorker(inbox);
    const calls = async () => (await pool.query<{ call_id: string }>('SELECT call_id FROM calls WHERE event_id = $1', ['evt-example-pg'])).rows;
    await waitUntil(async () => (await calls()).length > 0, 10_000, 'the worker to write the call');
    expect(await calls()).toEqual([{ call_id: event.data.call.id }]);
    const { rows } = await pool.query(`SELECT status, attempts FROM "${table}"`);
    expect(rows).toEqual([{ status: 'processed', attempts: 1 }]);
  });
});
