import { convercWebhooks, createNodeHandler, type AnyEvent, type Handoff, type WebhookError } from 'converc-webhooks';
import { receiverOf } from '../../src/core/receivers';
import { closeServers, serve } from '../contract/adapters';
import { fixtures } from '../fixtures/events';

const post = { headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixtures['call.ended']) };

function withHandoff(enqueue: Handoff['enqueue'], onStoreError: 'process' | 'reject' = 'process') {
  const handled: string[] = [];
  const errors: WebhookError[] = [];
  const webhooks = convercWebhooks({ handoff: { enqueue }, onStoreError, storeTimeoutMs: 50 })
    .on('call.ended', (event) => void handled.push(event.id))
    .onError((error) => void errors.push(error));
  return { webhooks, handled, errors };
}

describe('handoff', () => {
  afterEach(closeServers);

  it('answers 202 once the queue has the event, running no handler here, and remembers the id', async () => {
    const queued: AnyEvent[] = [];
    const { webhooks, handled } = withHandoff((event) => {
      queued.push(event);
      return Promise.resolve('accepted');
    });
    const client = await serve(createNodeHandler(webhooks));
    const response = await client(post);
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('accepted');
    expect(queued).toEqual([fixtures['call.ended']]);
    expect(handled).toEqual([]);
    expect((await client(post)).body.status).toBe('duplicate');
    expect(queued).toHaveLength(1);
  });

  it('answers duplicate when the queue already holds the event', async () => {
    const { webhooks } = withHandoff(() => Promise.resolve('duplicate'));
    expect((await (await serve(createNodeHandler(webhooks)))(post)).body.status).toBe('duplicate');
  });

  it("runs the handlers here when the queue cannot take the event, with onStoreError: 'process'", async () => {
    const { webhooks, handled, errors } = withHandoff(() => Promise.reject(new Error('READONLY')));
    const response = await (await serve(createNodeHandler(webhooks)))(post);
    expect(response.body.status).toBe('processed');
    expect(handled).toEqual(['evt-call.ended']);
    expect(errors.map((e) => e.code)).toEqual(['store_unavailable']);
  });

  it("answers 503 when the queue is too slow, with onStoreError: 'reject', and a resend is processed later", async () => {
    let slow = true;
    const { webhooks, handled } = withHandoff(
      () => (slow ? new Promise<'accepted'>(() => undefined) : Promise.resolve('accepted')),
      'reject',
    );
    const client = await serve(createNodeHandler(webhooks));
    const refused = await client(post);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('store_unavailable');
    expect(handled).toEqual([]);
    slow = false;
    expect((await client(post)).status).toBe(202);
  });

  it('runs every handler for a queued event in a worker, reporting failures with the attempt and rethrowing', async () => {
    const errors: WebhookError[] = [];
    const ran: string[] = [];
    const cause = new Error('CRM down');
    const webhooks = convercWebhooks()
      .on('call.ended', () => void ran.push('ok'))
      .onAny(() => Promise.reject(cause))
      .onError((error) => void errors.push(error));
    const receiver = receiverOf(webhooks);
    const ctx = { id: 'evt-call.ended', receivedAt: new Date(), headers: {} };
    await expect(receiver.runHandlers(fixtures['call.ended'], ctx, 3)).rejects.toBe(cause);
    expect(ran).toEqual(['ok']);
    expect(errors.map((e) => [e.code, e.attempt])).toEqual([['handler_failed', 3]]);
    await expect(receiver.runHandlers(fixtures['call.missed'], ctx, 1)).rejects.toBe(cause);
  });

  it('refuses a handoff without enqueue', () => {
    expect(() => convercWebhooks({ handoff: {} as Handoff })).toThrow(/handoff must be an object with an enqueue/);
  });
});
