import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import supertest from 'supertest';
import { convercWebhooks, type WebhookError } from 'converc-webhooks';
import { waitFor } from '../contract/helpers';
import { fixtures } from '../fixtures/events';

describe('reading the body from a Node request', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => {
      if (server) {
        server.close(() => {
          resolve();
        });
      } else resolve();
    });
    server = undefined;
  });

  it('calls no handler and leaks no claim when the client aborts mid-body', async () => {
    const errors: WebhookError[] = [];
    const handler = jest.fn();
    const webhooks = convercWebhooks()
      .on('call.ended', handler)
      .onError((error) => void errors.push(error));
    server = createServer(express().use('/h', webhooks));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const body = JSON.stringify(fixtures['call.ended']);
    const aborted = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/h',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-ic-id': 'evt-call.ended' },
    });
    aborted.on('error', () => undefined);
    aborted.write(body.slice(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 50));
    aborted.destroy();
    await waitFor(() => errors.length > 0);
    expect(errors.map((e) => e.code)).toEqual(['request_aborted']);
    expect(handler).not.toHaveBeenCalled();

    const resent = await supertest(server).post('/h').set('X-IC-Id', 'evt-call.ended').send(fixtures['call.ended']);
    expect(resent.body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('reads a body sent in many small chunks', async () => {
    const handler = jest.fn();
    server = createServer(express().use('/h', convercWebhooks().on('call.ended', handler)));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = JSON.stringify(fixtures['call.ended']);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/h', method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 64) req.write(body.slice(i, i + 64));
      req.end();
    });
    expect(status).toBe(200);
    expect(handler.mock.calls[0]?.[0]).toEqual(fixtures['call.ended']);
  });
});
