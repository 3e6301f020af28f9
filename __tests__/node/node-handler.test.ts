import request from 'supertest';
import { createServer } from 'node:http';
import { convercWebhooks, createNodeHandler } from 'converc-webhooks';
import { fixtures } from '../fixtures/events';

describe('createNodeHandler', () => {
  it('handles its path and answers 404 elsewhere when there is no next', async () => {
    const handler = jest.fn();
    const server = createServer(createNodeHandler(convercWebhooks().on('call.ended', handler), { path: '/hooks/' }));
    expect((await request(server).post('/hooks').send(fixtures['call.ended'])).body.status).toBe('processed');
    expect((await request(server).post('/elsewhere').send(fixtures['call.ended'])).status).toBe(404);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('tells onError of a request for another path with no next, with its body: never a silent 404', async () => {
    const errors: [string, string | undefined, string | undefined][] = [];
    const webhooks = convercWebhooks().onError((error) => {
      errors.push([error.code, error.rawBody, error.deliveryId]);
    });
    const server = createServer(createNodeHandler(webhooks, { path: '/hooks' }));
    const body = JSON.stringify(fixtures['call.ended']);
    const response = await request(server)
      .post('/hoooks')
      .set('content-type', 'application/json')
      .set('x-ic-id', fixtures['call.ended'].id)
      .send(body);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    await webhooks.drain();
    expect(errors).toEqual([['not_found', body, fixtures['call.ended'].id]]);
  });

  it('passes another path to next in a Connect-style stack', async () => {
    const handle = createNodeHandler(convercWebhooks(), { path: '/hooks' });
    const server = createServer((req, res) => {
      handle(req, res, () => {
        res.statusCode = 418;
        res.end('next');
      });
    });
    const response = await request(server).post('/other').send(fixtures['call.ended']);
    expect(response.status).toBe(418);
    expect(response.text).toBe('next');
  });

  it("uses the receiver's path option by default, and handles every path without one", async () => {
    const withPath = createServer(createNodeHandler(convercWebhooks({ path: '/a' }).onAny(jest.fn())));
    expect((await request(withPath).post('/a').send(fixtures['call.ended'])).status).toBe(200);
    expect((await request(withPath).post('/b').send(fixtures['call.ended'])).status).toBe(404);
    const anyPath = createServer(createNodeHandler(convercWebhooks().onAny(jest.fn())));
    expect((await request(anyPath).post('/whatever').send(fixtures['call.ended'])).status).toBe(200);
  });

  it('throws a TypeError for a bad path or something that is not a receiver', () => {
    expect(() => createNodeHandler(convercWebhooks(), { path: 'hooks' })).toThrow(/path must be/);
    expect(() => createNodeHandler({} as never)).toThrow(/convercWebhooks\(\)/);
  });
});
