import express from 'express';
import request from 'supertest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { convercWebhooks, createFetchHandler, type WebhookError } from 'converc-webhooks';
import * as constantTime from '../../src/auth/constant-time';
import { eventWithId, fixtures } from '../fixtures/events';

const SECRET = 's3cr3t-Token-0123456789abcdef';
const PREVIOUS = 'previous-Token-fedcba9876543210';

function appWith(options: Parameters<typeof convercWebhooks>[0], configure?: (app: express.Express) => void) {
  const errors: WebhookError[] = [];
  const handler = jest.fn();
  const webhooks = convercWebhooks(options)
    .on('call.ended', handler)
    .onError((error) => void errors.push(error));
  const app = express();
  configure?.(app);
  app.use('/h', webhooks);
  return { app, errors, handler, webhooks };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('auth.tokens', () => {
  it.each([
    ['the query string', (r: request.Test) => r.query({ token: SECRET })],
    ['an Authorization: Bearer header', (r: request.Test) => r.set('Authorization', `Bearer ${SECRET}`)],
    ['the password of Basic credentials', (r: request.Test) => r.set('Authorization', basic('converc', SECRET))],
  ])('accepts the right token in %s', async (_, carry) => {
    const { app, handler } = appWith({ auth: { tokens: [SECRET] } });
    const response = await carry(request(app).post('/h')).send(fixtures['call.ended']);
    expect(response.body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['no token', (r: request.Test) => r],
    ['a wrong query token', (r: request.Test) => r.query({ token: 'guess' })],
    ['a wrong Bearer token', (r: request.Test) => r.set('Authorization', `Bearer ${SECRET}x`)],
    ['a prefix of the token', (r: request.Test) => r.set('Authorization', `Bearer ${SECRET.slice(0, -1)}`)],
    ['a wrong Basic password', (r: request.Test) => r.set('Authorization', basic('converc', 'nope'))],
    ['the token as the Basic user name', (r: request.Test) => r.set('Authorization', basic(SECRET, ''))],
    ['a malformed Basic header', (r: request.Test) => r.set('Authorization', 'Basic %%%')],
  ])('answers 401 unauthorized to %s, naming no secret', async (_, carry) => {
    const { app, errors, handler } = appWith({ auth: { tokens: [SECRET] } });
    const response = await carry(request(app).post('/h')).send(fixtures['call.ended']);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthorized');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(handler).not.toHaveBeenCalled();
    expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
    for (const text of [response.text, JSON.stringify(errors[0]), errors[0]?.message, String(errors[0]?.stack)]) {
      expect(text).not.toContain(SECRET.slice(0, 10));
    }
  });

  it('accepts every configured token, so a secret rotates with no gap', async () => {
    const { app, handler } = appWith({ auth: { tokens: [SECRET, PREVIOUS] } });
    await request(app).post('/h').query({ token: PREVIOUS }).send(eventWithId('call.ended', 'a'));
    await request(app).post('/h').query({ token: SECRET }).send(eventWithId('call.ended', 'b'));
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('compares tokens with the constant-time comparison, never ===', async () => {
    const spy = jest.spyOn(constantTime, 'constantTimeEqual');
    try {
      const { app } = appWith({ auth: { tokens: [SECRET, PREVIOUS] } });
      await request(app).post('/h').query({ token: 'guess' }).send(fixtures['call.ended']);
      expect(spy.mock.calls).toEqual([
        ['guess', SECRET],
        ['guess', PREVIOUS],
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses before reading the body or looking at dedupe', async () => {
    const { app, handler } = appWith({ auth: { tokens: [SECRET] } });
    await request(app).post('/h').query({ token: SECRET }).set('X-IC-Id', 'evt-call.ended').send(fixtures['call.ended']);
    const duplicate = await request(app).post('/h').set('X-IC-Id', 'evt-call.ended').send(fixtures['call.ended']);
    expect(duplicate.status).toBe(401);
    const garbage = await request(app).post('/h').set('Content-Type', 'application/json').send('{not json');
    expect(garbage.status).toBe(401);
    expect(handler).toHaveBeenCalledTimes(1);
  });
});

describe('auth.allowIps', () => {
  it('ignores X-Forwarded-For without trust proxy, and honours it with trust proxy', async () => {
    const options = { auth: { allowIps: ['203.0.113.0/24'] } };
    const untrusted = appWith(options);
    const forged = await request(untrusted.app)
      .post('/h')
      .set('X-Forwarded-For', '203.0.113.5')
      .send(fixtures['call.ended']);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('forbidden');
    expect(untrusted.errors.map((e) => e.code)).toEqual(['forbidden']);

    const trusted = appWith(options, (app) => {
      app.set('trust proxy', 'loopback');
    });
    const proxied = await request(trusted.app)
      .post('/h')
      .set('X-Forwarded-For', '203.0.113.5')
      .send(fixtures['call.ended']);
    expect(proxied.body.status).toBe('processed');
    const outside = await request(trusted.app)
      .post('/h')
      .set('X-Forwarded-For', '198.51.100.1')
      .send(eventWithId('call.ended', 'other'));
    expect(outside.status).toBe(403);
  });

  it.each([
    ['IPv4', '127.0.0.1', '127.0.0.1', ['127.0.0.0/8'], 200],
    ['IPv6', '::1', '::1', ['::1/128'], 200],
    ['IPv4-mapped IPv6', '::', '127.0.0.1', ['127.0.0.1'], 200],
    ['IPv4 outside the list', '127.0.0.1', '127.0.0.1', ['10.0.0.0/8', '2001:db8::/32'], 403],
    ['IPv6 outside the list', '::1', '::1', ['127.0.0.0/8'], 403],
  ] as const)('checks a real %s client address', async (_, listen, connect, allowIps, status) => {
    const { app } = appWith({ auth: { allowIps } });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, listen, resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const host = connect.includes(':') ? `[${connect}]` : connect;
      const response = await fetch(`http://${host}:${port}/h`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixtures['call.ended']),
      });
      expect(response.status).toBe(status);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  });

  it('uses the address a Fetch platform passes, and refuses when there is none', async () => {
    const handle = createFetchHandler(convercWebhooks({ auth: { allowIps: ['203.0.113.0/24'] } }).onAny(jest.fn()));
    const make = () =>
      new Request('http://127.0.0.1/h', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fixtures['call.ended']),
      });
    expect((await handle(make(), { remoteAddress: '203.0.113.9' })).status).toBe(200);
    expect((await handle(make())).status).toBe(403);
  });
});

describe('auth.verify', () => {
  it('hands verify the framework request, and lets the delivery pass when it answers true', async () => {
    const verify = jest.fn((req: unknown) => (req as express.Request).get('x-custom') === 'yes');
    const { app, handler } = appWith({ auth: { verify } });
    await request(app).post('/h').set('x-custom', 'yes').send(fixtures['call.ended']);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toHaveProperty('originalUrl', '/h');
  });

  it.each([
    ['answers false', () => false],
    ['resolves false', () => Promise.resolve(false)],
    ['answers something truthy but not true', () => 'yes' as unknown as boolean],
    ['throws', () => {
      throw new Error('verifier broke');
    }],
    ['rejects', () => Promise.reject(new Error('verifier down'))],
  ])('answers 401 when verify %s, without crashing', async (_, verify) => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { app, errors, handler } = appWith({ auth: { verify } });
      const response = await request(app).post('/h').send(fixtures['call.ended']);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
      expect(handler).not.toHaveBeenCalled();
      expect(errors.map((e) => e.code)).toEqual(['unauthorized']);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('maxEventAgeMs', () => {
  const maxEventAgeMs = 15 * 60_000;
  const skew = 60_000;
  const createdAgo = (ms: number) => ({ ...eventWithId('call.ended', `age-${ms}`), createdAt: new Date(Date.now() - ms).toISOString() });

  it.each([
    ['a fresh event', 0, 200],
    ['an event just inside the limit and its skew allowance', maxEventAgeMs + skew - 5_000, 200],
    ['an event from a little in the future (clock skew)', -30_000, 200],
    ['an event just past the limit and its skew allowance', maxEventAgeMs + skew + 5_000, 400],
    ['a day-old event', 86_400_000, 400],
  ])('answers %s with %d', async (_, ago, status) => {
    const { app, errors, handler } = appWith({ maxEventAgeMs });
    const response = await request(app).post('/h').send(createdAgo(ago));
    expect(response.status).toBe(status);
    if (status === 400) {
      expect(response.body.error.code).toBe('event_too_old');
      expect(handler).not.toHaveBeenCalled();
      expect(errors[0]?.event).toMatchObject({ id: `age-${ago}` });
    } else {
      expect(handler).toHaveBeenCalledTimes(1);
    }
  });
});

describe('auth options', () => {
  it.each([
    [{ auth: 'secret' }, /auth must be an object/],
    [{ auth: {} }, /at least one of tokens, allowIps or verify/],
    [{ auth: { tokens: [''] } }, /non-empty strings/],
    [{ auth: { tokens: 'secret' } }, /non-empty strings/],
    [{ auth: { allowIps: [] } }, /non-empty array/],
    [{ auth: { allowIps: ['10.0.0.0/33'] } }, /not an address or CIDR range/],
    [{ auth: { verify: true } }, /auth\.verify must be a function/],
    [{ maxEventAgeMs: 0 }, /maxEventAgeMs must be a positive/],
  ])('throws a TypeError for %p', (options, message) => {
    expect(() => convercWebhooks(options as never)).toThrow(message);
  });

  it('names no token in a TypeError', () => {
    let message = '';
    try {
      convercWebhooks({ auth: { tokens: [SECRET, 5 as unknown as string] } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/auth\.tokens/);
    expect(message).not.toContain(SECRET);
  });
});
