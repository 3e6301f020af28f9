import request from 'supertest';
import { EVENT_TYPES } from 'converc-webhooks';
import { createApp } from '../../examples/basic';
import { fixtures, futureEvent } from '../fixtures/events';

describe('examples/basic.ts', () => {
  it('handles every event type, a duplicate, a future type and a bad body', async () => {
    const lines: string[] = [];
    const { app, webhooks } = createApp((line) => lines.push(line));
    for (const type of EVENT_TYPES) {
      const response = await request(app).post('/webhooks/converc').send(fixtures[type]);
      expect(response.body).toEqual({ received: true, id: `evt-${type}`, status: 'processed' });
    }
    expect((await request(app).post('/webhooks/converc').send(fixtures['call.ended'])).body.status).toBe('duplicate');
    expect((await request(app).post('/webhooks/converc').send(futureEvent)).body.status).toBe('processed');
    expect((await request(app).post('/webhooks/converc').set('Content-Type', 'application/json').send('{')).status).toBe(400);
    await webhooks.drain();
    expect(lines).toHaveLength(EVENT_TYPES.length + 2);
    expect(lines).toContain('call call-uuid ended at 2024-01-02T00:00:35.000Z with visitor@example.com');
    expect(lines).toContain('an event type this version does not know yet: call.transferred');
    expect(lines.at(-1)).toMatch(/^rejected or failed \(invalid_json\)/);
  });

  it('keeps its other routes working behind express.json()', async () => {
    const response = await request(createApp(() => undefined).app).get('/health');
    expect(response.body).toEqual({ ok: true });
  });
});
