import type { Pool, PoolClient } from 'pg';
import { convercWebhooks, createNodeHandler, type StoreErrorPolicy, type WebhookError } from 'converc-webhooks';
import { createPostgresInbox, type InboxWorker, type PostgresInbox } from 'converc-webhooks/postgres';
import { closeServers, serve } from '../contract/adapters';
import { endedDelivery } from '../fixtures/events';
import { closePools, createEffectsTable, CuttableProxy, describeWithPostgres, dropTables, effectCounts, openPool, uniqueTable } from './postgres-server';
import { waitUntil } from '../fixtures/wait-until';

// Postgres "stops" by a TCP proxy in front of it that destroys every connection and refuses new ones
// (see CuttableProxy): to every client, and to the server, that is a stopped server, and the test's
// shared cluster, which other suites use at the same time, keeps running.
describeWithPostgres('the Postgres inbox when Postgres stops during a delivery', () => {
  let direct: Pool;
  let proxy: CuttableProxy;
  const tables: string[] = [];
  let worker: InboxWorker | undefined;
  beforeAll(async () => {
    direct = openPool();
    proxy = await CuttableProxy.start();
  });
  afterAll(async () => {
    await worker?.close();
    await closeServers();
    await proxy.stop();
    await dropTables(direct, tables);
    await closePools();
  });

  /** A web instance handing off to the inbox through the proxy, with in-process handlers for when it cannot. */
  async function instance(inbox: PostgresInbox, onStoreError: StoreErrorPolicy) {
    const handled: string[] = [];
    const errors: WebhookError[] = [];
    const webhooks = convercWebhooks({ handoff: inbox, onStoreError, storeTimeoutMs: 300, ackTimeoutMs: 2000 })
      .on('call.ended', (event) => {
        handled.push(event.id);
      })
      .onError((error) => {
        errors.push(error);
      });
    return { client: await serve(createNodeHandler(webhooks)), handled, errors };
  }

  it(
    "lets onStoreError decide while it is down, and once it is back the worker resumes with nothing lost and nothing doubled",
    async () => {
      const table = uniqueTable('outage_inbox');
      const effects = uniqueTable('outage_effects');
      tables.push(table, effects);
      const inbox = createPostgresInbox<PoolClient>({ pool: openPool(proxy.url()), table });
      await inbox.migrate();
      await createEffectsTable(direct, effects);
      const processing = await instance(inbox, 'process');
      const rejecting = await instance(inbox, 'reject');

      // The worker's handler writes its effect, then, for evt-midway, waits until the test lets it go.
      let letGo: () => void = () => undefined;
      const midway = new Promise<void>((resolve) => (letGo = resolve));
      let midwayStarted = false;
      const workerErrors: WebhookError[] = [];
      const workerApp = convercWebhooks({ handoff: inbox })
        .on(
          'call.ended',
          inbox.handler(async (event, { db }) => {
            await db.query(`INSERT INTO "${effects}" (event_id) VALUES ($1)`, [event.id]);
            if (event.id === 'evt-midway' && !midwayStarted) {
              midwayStarted = true;
              await midway;
            }
          }),
        )
        .onError((error) => {
          workerErrors.push(error);
        });
      worker = inbox.work(workerApp, { pollMs: 50, concurrency: 2 });
      const effectsNow = () => effectCounts(direct, effects);

      expect((await processing.client(endedDelivery('evt-before'))).status).toBe(202);
      await waitUntil(async () => (await effectsNow()).get('evt-before') === 1, 10_000, 'evt-before to be worked');
      expect((await processing.client(endedDelivery('evt-midway'))).status).toBe(202);
      await waitUntil(() => midwayStarted, 10_000, 'the handler of evt-midway to start');

      await proxy.cut();
      letGo();
      const stoppedAt = Date.now();
      const [processed, refused] = await Promise.all([
        processing.client(endedDelivery('evt-during')),
        rejecting.client(endedDelivery('evt-during-rejected')),
      ]);
      // Well inside the provider's 8 s: the wait on Postgres is bounded by storeTimeoutMs.
      expect(Date.now() - stoppedAt).toBeLessThan(2000);
      // 'process': the handlers run here, and onError hears why.
      expect([processed.status, processed.body.status]).toEqual([200, 'processed']);
      expect(processing.handled).toEqual(['evt-during']);
      expect(processing.errors.map((error) => [error.code, error.deliveryId])).toEqual([['store_unavailable', 'evt-during']]);
      // 'reject': 503, and onError gets the event and its raw body, to keep: the provider will not resend it.
      expect([refused.status, refused.body.error.code]).toEqual([503, 'store_unavailable']);
      expect(rejecting.handled).toEqual([]);
      expect(rejecting.errors.map((error) => [error.code, error.deliveryId])).toEqual([['store_unavailable', 'evt-during-rejected']]);
      expect(rejecting.errors[0]?.rawBody).toBe(endedDelivery('evt-during-rejected').body);
      // The commit of evt-midway's transaction never reached Postgres: its effect rolled back.
      await waitUntil(() => workerErrors.length > 0, 5000, 'the worker to report the outage');
      expect(await effectsNow()).toEqual(new Map([['evt-before', 1]]));

      await proxy.restore();
      // The worker reconnects on its own and works evt-midway again; the event kept by onError is
      // delivered again (as an app would replay it) and accepted.
      expect((await rejecting.client(endedDelivery('evt-during-rejected'))).status).toBe(202);
      expect((await processing.client(endedDelivery('evt-after'))).status).toBe(202);
      const statuses = async () =>
        (await direct.query<{ id: string; status: string }>(`SELECT id, status FROM "${table}" ORDER BY id`)).rows;
      await waitUntil(async () => (await statuses()).every((row) => row.status === 'processed'), 15_000, 'every row to be processed');
      expect((await statuses()).map((row) => row.id)).toEqual(['evt-after', 'evt-before', 'evt-during-rejected', 'evt-midway']);
      expect(await effectsNow()).toEqual(
        new Map([
          ['evt-before', 1],
          ['evt-midway', 1],
          ['evt-during-rejected', 1],
          ['evt-after', 1],
        ]),
      );
      // One report for the outage, not one per poll.
      expect(workerErrors.map((error) => error.code)).toEqual(['store_unavailable']);
    },
    40_000,
  );
});
