import type { IncomingMessage } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import request from 'supertest';
import { convercWebhooks, type WebhookError } from 'converc-webhooks';
import { fixtures } from '../fixtures/events';

describe.each([
  ['Express 5', express5],
  ['Express 4', express4],
] as const)('behind a body parser on %s', (_, express) => {
  const body = JSON.stringify(fixtures['call.ended']);

  function appWith(parser: express5.RequestHandler, onError = jest.fn()) {
    const handler = jest.fn();
    const webhooks = convercWebhooks().on('call.ended', handler).onError(onError);
    return { app: express().use(parser).use('/h', webhooks), handler, onError };
  }

  it('uses the value express.json() parsed', async () => {
    const { app, handler } = appWith(express.json());
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.body).toEqual({ received: true, id: 'evt-call.ended', status: 'processed' });
    expect(handler.mock.calls[0]?.[0]).toEqual(fixtures['call.ended']);
  });

  it('answers an empty body 400 invalid_json, though express.json() turned it into {}', async () => {
    const { app, handler, onError } = appWith(express.json());
    const response = await request(app).post('/h').set('Content-Type', 'application/json').set('Content-Length', '0').send('');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_json');
    expect(handler).not.toHaveBeenCalled();
    expect((onError.mock.calls[0] as [WebhookError])[0].code).toBe('invalid_json');
  });

  it('warns once per receiver, with a code, that the parser comes before onError, and not when mounted first', async () => {
    const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const { app } = appWith(express.json());
      await request(app).post('/h').set('Content-Type', 'application/json').send(body);
      await request(app).post('/h').set('Content-Type', 'application/json').send(body);
      expect(emit).toHaveBeenCalledTimes(1);
      expect(emit.mock.calls[0]?.[1]).toMatchObject({ code: 'CONVERC_WEBHOOKS_PARSED_FIRST' });
      expect(String(emit.mock.calls[0]?.[0])).toMatch(/size limit.*before onError.*Mount the receiver before any body parser/s);
      const first = express().use('/h', convercWebhooks()).use(express.json());
      await request(first).post('/h').set('Content-Type', 'application/json').send(body);
      expect(emit).toHaveBeenCalledTimes(1);
    } finally {
      emit.mockRestore();
    }
  });

  it('uses the exact bytes a parser kept in req.rawBody (NestJS with rawBody: true) as the raw body', async () => {
    // NestJS's rawBody option is express.json() with a verify hook that keeps the bytes.
    const keepRawBody = express.json({
      verify: (req: IncomingMessage & { rawBody?: Buffer }, _res: unknown, bytes: Buffer) => {
        req.rawBody = bytes;
      },
    });
    const { app, onError } = appWith(keepRawBody);
    const sent = JSON.stringify({ ...fixtures['call.ended'], createdAt: 'yesterday' }, null, 2);
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(sent);
    expect(response.body.error.code).toBe('invalid_event');
    expect((onError.mock.calls[0] as [WebhookError])[0].rawBody).toBe(sent);
  });

  it('keeps the parsed value as the raw body onError receives', async () => {
    const { app, onError } = appWith(express.json());
    const broken = { ...fixtures['call.ended'], createdAt: 'yesterday' };
    const response = await request(app).post('/h').send(broken);
    expect(response.status).toBe(422);
    const [error] = onError.mock.calls[0] as [WebhookError];
    expect(JSON.parse(error.rawBody ?? 'null')).toEqual(broken);
  });

  it('parses the bytes express.raw() left', async () => {
    const { app, handler } = appWith(express.raw({ type: 'application/json' }));
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.body.status).toBe('processed');
    expect(handler.mock.calls[0]?.[0]).toEqual(fixtures['call.ended']);
  });

  it('parses the text express.text() left', async () => {
    const { app, handler } = appWith(express.text({ type: 'application/json' }));
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.body.status).toBe('processed');
    expect(handler.mock.calls[0]?.[0]).toEqual(fixtures['call.ended']);
  });

  it('applies its limit to what a parser left', async () => {
    const handler = jest.fn();
    const app = express()
      .use(express.text({ type: 'application/json' }))
      .use('/h', convercWebhooks({ limit: 100 }).onAny(handler));
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('payload_too_large');
    expect(handler).not.toHaveBeenCalled();
  });

  it('reads the stream itself when express.json() skipped a request it does not match', async () => {
    const { app, handler } = appWith(express.json({ type: 'application/x-nothing' }));
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.body.status).toBe('processed');
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('answers 400 body_unavailable at once when a middleware consumed the stream and left nothing', async () => {
    const drain: express5.RequestHandler = (req, _res, next) => {
      (req as IncomingMessage).resume();
      req.on('end', () => {
        next();
      });
    };
    const { app, handler, onError } = appWith(drain);
    const response = await request(app).post('/h').set('Content-Type', 'application/json').send(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('body_unavailable');
    expect(handler).not.toHaveBeenCalled();
    expect((onError.mock.calls[0]?.[0] as WebhookError).code).toBe('body_unavailable');
  });
});
