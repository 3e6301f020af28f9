import express5 from 'express';
import express4 from 'express4';
import request from 'supertest';
import { convercWebhooks } from 'converc-webhooks';
import { fixtures } from '../fixtures/events';

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
] as const)('mounting on %s', (_, express) => {
  it('answers when mounted with app.post(path, webhooks)', async () => {
    const webhooks = convercWebhooks().on('call.ended', jest.fn());
    const app = express().post('/hooks/converc', webhooks);
    const response = await request(app).post('/hooks/converc').send(fixtures['call.ended']);
    expect(response.body.status).toBe('processed');
  });

  it('handles only its path option when mounted with a bare app.use(webhooks)', async () => {
    const handler = jest.fn();
    const app = express()
      .use(convercWebhooks({ path: '/hooks/converc' }).on('call.ended', handler))
      .post('/other', (_req, res) => {
        res.status(201).send('other route');
      });
    expect((await request(app).post('/hooks/converc').send(fixtures['call.ended'])).body.status).toBe('processed');
    expect((await request(app).post('/hooks/converc/').send(fixtures['call.ended'])).body.status).toBe('duplicate');
    const other = await request(app).post('/other').send(fixtures['call.ended']);
    expect(other.status).toBe(201);
    expect(other.text).toBe('other route');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('passes a path below its mount point on to the next middleware', async () => {
    const app = express()
      .use('/hooks', convercWebhooks())
      .use((_req, res) => {
        res.status(404).send('not here');
      });
    const response = await request(app).post('/hooks/nested').send(fixtures['call.ended']);
    expect(response.status).toBe(404);
    expect(response.text).toBe('not here');
  });

  it('handles a request whose route calls the receiver from its own handler, whatever the URL (NestJS mounts this way)', async () => {
    const handler = jest.fn();
    const webhooks = convercWebhooks().onAny(handler);
    const app = express()
      .post('/with-next', (req, res, next) => {
        webhooks(req, res, next);
      })
      .post('/without-next', (req, res) => {
        webhooks(req, res);
      })
      .use((_req, res) => {
        res.status(404).send('app 404');
      });
    const first = await request(app).post('/with-next').send(fixtures['call.ended']);
    expect(first.body.status).toBe('processed');
    const second = await request(app).post('/without-next').set('X-IC-Id', 'evt-other').send({ ...fixtures['call.ended'], id: 'evt-other' });
    expect(second.body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('tells onError of a request it passes on with no next, rather than a silent 404', async () => {
    const codes: string[] = [];
    const webhooks = convercWebhooks().onError((error) => {
      codes.push(error.code);
    });
    // A wrapper that drops `next`: the sub-path is not the receiver's, and nobody is left to answer it.
    const app = express().use('/hooks', (req, res) => {
      webhooks(req, res);
    });
    const response = await request(app).post('/hooks/converc').send(fixtures['call.ended']);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
    await webhooks.drain();
    expect(codes).toEqual(['not_found']);
  });

  it('passes on a request that an earlier route matched and handed to next()', async () => {
    const handler = jest.fn();
    const app = express()
      .post('/ping', (_req, _res, next) => {
        next();
      })
      .all(/.*/, (_req, _res, next) => {
        next();
      })
      .use(convercWebhooks().onAny(handler))
      .use('/webhooks/converc', convercWebhooks().onAny(handler))
      .use((_req, res) => {
        res.status(404).send('app 404');
      });
    expect((await request(app).post('/ping').send(fixtures['call.ended'])).text).toBe('app 404');
    expect((await request(app).post('/webhooks/converc/other').send(fixtures['call.ended'])).text).toBe('app 404');
    expect((await request(app).get('/webhooks/converc/x')).text).toBe('app 404');
    expect((await request(app).post('/webhooks/converc').send(fixtures['call.ended'])).body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers 404 from app.post(path, webhooks) to other methods: use app.all for a 405', async () => {
    const app = express()
      .post('/a', convercWebhooks())
      .all('/b', convercWebhooks());
    expect((await request(app).get('/a')).status).toBe(404);
    expect((await request(app).get('/b')).status).toBe(405);
  });

  it('keeps the query string out of the path match', async () => {
    const app = express().use('/hooks', convercWebhooks().onAny(jest.fn()));
    const response = await request(app).post('/hooks?token=abc').send(fixtures['call.ended']);
    expect(response.body.status).toBe('processed');
  });
});

describe('the receiver instance', () => {
  it('returns itself from on, onAny and onError, so calls chain', () => {
    const webhooks = convercWebhooks();
    expect(webhooks.on('call.ended', jest.fn())).toBe(webhooks);
    expect(webhooks.on(['call.canceled', 'call.missed'], jest.fn())).toBe(webhooks);
    expect(webhooks.onAny(jest.fn())).toBe(webhooks);
    expect(webhooks.onError(jest.fn())).toBe(webhooks);
  });

  it('is a named function, so stack traces say what it is', () => {
    expect(convercWebhooks().name).toBe('convercWebhooksMiddleware');
  });

  it('runs one handler for several types given as an array', async () => {
    const handler = jest.fn();
    const app = express5().use('/h', convercWebhooks().on(['call.canceled', 'call.missed'], handler));
    await request(app).post('/h').send(fixtures['call.canceled']);
    await request(app).post('/h').send(fixtures['call.missed']);
    await request(app).post('/h').send(fixtures['call.ended']);
    expect(handler.mock.calls.map(([event]) => (event as { type: string }).type)).toEqual([
      'call.canceled',
      'call.missed',
    ]);
  });

  it('registers the handlers and onError options like on() and onError()', async () => {
    const ended = jest.fn();
    const requested = [jest.fn(), jest.fn()];
    const onError = jest.fn();
    const app = express5().use(
      '/h',
      convercWebhooks({ handlers: { 'call.ended': ended, 'call.requested': requested }, onError }),
    );
    await request(app).post('/h').send(fixtures['call.ended']);
    await request(app).post('/h').send(fixtures['call.requested']);
    await request(app).post('/h').set('Content-Type', 'application/json').send('nope');
    expect(ended).toHaveBeenCalledTimes(1);
    expect(requested[0]).toHaveBeenCalledTimes(1);
    expect(requested[1]).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls.map(([error]) => (error as { code: string }).code)).toEqual(['invalid_json']);
  });

  it('runs the handlers of a type and onAny concurrently', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const webhooks = convercWebhooks()
      .on('call.ended', async () => {
        order.push('typed:start');
        await gate;
        order.push('typed:end');
      })
      .onAny(() => {
        order.push('any');
        release();
      });
    const response = await request(express5().use('/h', webhooks)).post('/h').send(fixtures['call.ended']);
    expect(response.body.status).toBe('processed');
    expect(order).toEqual(['typed:start', 'any', 'typed:end']);
  });

  it('runs without dedupe when dedupe is false', async () => {
    const handler = jest.fn();
    const app = express5().use('/h', convercWebhooks({ dedupe: false }).on('call.ended', handler));
    await request(app).post('/h').send(fixtures['call.ended']);
    const again = await request(app).post('/h').send(fixtures['call.ended']);
    expect(again.body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it('throws a TypeError naming an unknown event type passed to on() from JavaScript', () => {
    const webhooks = convercWebhooks() as unknown as { on(type: string, handler: () => void): unknown };
    expect(() => webhooks.on('call.end', jest.fn())).toThrow(/unknown event type "call\.end"/);
  });
});
