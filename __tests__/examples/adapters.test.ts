import request from 'supertest';
import { createApp as createHonoApp } from '../../examples/hono';
import { createApp as createNextApp } from '../../examples/next-route-handler';
import { createApp as createNodeApp } from '../../examples/node-http';
import { fixtures } from '../fixtures/events';

const ended = `call call-uuid ended at ${fixtures['call.ended'].data.call.endedAt}`;

describe('examples/node-http.ts', () => {
  it('serves the receiver on a bare node:http server', async () => {
    const lines: string[] = [];
    const { server } = createNodeApp((line) => lines.push(line));
    const response = await request(server).post('/webhooks/converc').send(fixtures['call.ended']);
    expect(response.body.status).toBe('processed');
    expect((await request(server).post('/nope').send(fixtures['call.ended'])).status).toBe(404);
    // A request for another path is answered 404 and onError hears of it: a wrong URL loses no event unseen.
    expect(lines).toEqual([ended, 'rejected or failed (not_found)']);
  });
});

describe('examples/next-route-handler.ts', () => {
  it('exports a POST route handler that takes a Request and returns a Response', async () => {
    const lines: string[] = [];
    const { POST } = createNextApp((line) => lines.push(line));
    const response = await POST(
      new Request('http://127.0.0.1/api/webhooks/converc', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixtures['call.ended']),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
    expect(lines).toEqual([ended]);
  });
});

describe('examples/hono.ts', () => {
  it("runs the Fetch handler inside Hono's app.request()", async () => {
    const lines: string[] = [];
    const { app } = createHonoApp((line) => lines.push(line));
    const response = await app.request('/webhooks/converc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ic-id': 'evt-call.ended' },
      body: JSON.stringify(fixtures['call.ended']),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
    const again = await app.request('/webhooks/converc', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ic-id': 'evt-call.ended' },
      body: 'not even json',
    });
    expect(await again.json()).toEqual({ received: true, id: 'evt-call.ended', status: 'duplicate' });
    expect((await app.request('/webhooks/converc')).status).toBe(405);
    expect(lines).toEqual([ended, 'rejected or failed (method_not_allowed)']);
  });
});
