import request from 'supertest';
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
