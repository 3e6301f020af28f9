import express from 'express';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isListening } from '../contract/helpers';
import { convercWebhooks, createNodeHandler, type AnyEvent } from 'converc-webhooks';
import { createTestEvent, deliver } from 'converc-webhooks/testing';

/** A listener that records what it received and answers 200 with a JSON body. */
function recorder() {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders; body: string; port: number }[] = [];
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        port: req.socket.localPort ?? 0,
      });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-answer', 'yes');
      res.end('{"ok":true}');
    });
  };
  return { listener, requests };
}


const servers: Server[] = [];
async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => { resolve(); });
        }),
    ),
  );
});

describe('deliver to an app in this process', () => {
  it('POSTs the event as JSON with its id in X-IC-Id, to an Express app, and returns the answer', async () => {
    const seen: AnyEvent[] = [];
    const app = express().use('/webhooks/converc', convercWebhooks().onAny((event) => void seen.push(event)));
    const event = createTestEvent('call.ended');
    const result = await deliver(app, event, { path: '/webhooks/converc' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ received: true, id: event.id, status: 'processed' });
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(result.text)).toEqual(result.body);
    expect(seen).toEqual([event]);
  });

  it('shows dedupe at work when the same event is delivered twice', async () => {
    const app = express().use(convercWebhooks());
    const event = createTestEvent('call.missed');
    expect((await deliver(app, event)).body).toMatchObject({ status: 'ignored' });
    expect((await deliver(app, event)).body).toMatchObject({ status: 'duplicate' });
  });

  it('delivers to a node:http listener and to the receiver itself', async () => {
    const webhooks = convercWebhooks().onAny(() => undefined);
    expect((await deliver(createNodeHandler(webhooks), createTestEvent('webhook.test'))).status).toBe(200);
    expect((await deliver(webhooks, createTestEvent('webhook.test'))).body).toMatchObject({ status: 'processed' });
  });

  it('sends the headers the provider sends, and nothing left open afterwards', async () => {
    const { listener, requests } = recorder();
    const event = createTestEvent('call.accepted');
    const result = await deliver(listener, event, { path: '/hooks?x=1' });
    expect(result).toMatchObject({ status: 200, body: { ok: true }, text: '{"ok":true}' });
    expect(result.headers['x-answer']).toBe('yes');
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', url: '/hooks?x=1', body: JSON.stringify(event) });
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-ic-id': event.id,
      'content-length': String(Buffer.byteLength(JSON.stringify(event))),
    });
    expect(request?.headers.authorization).toBeUndefined();
    expect(await isListening(request!.port)).toBe(false);
  });

  it('sends Authorization: Bearer <token> when given a token', async () => {
    const { listener, requests } = recorder();
    await deliver(listener, createTestEvent('call.ended'), { token: 's3cret' });
    expect(requests[0]?.headers.authorization).toBe('Bearer s3cret');
  });

  it('adds extra headers, replaces defaults in any case, and removes one set to null', async () => {
    const { listener, requests } = recorder();
    await deliver(listener, createTestEvent('call.ended'), {
      headers: { 'X-Trace': 't-1', 'Content-Type': 'application/cloudevents+json', 'x-ic-id': null },
    });
    expect(requests[0]?.headers).toMatchObject({ 'x-trace': 't-1', 'content-type': 'application/cloudevents+json' });
    expect(requests[0]?.headers['x-ic-id']).toBeUndefined();
  });

  it('sends a raw body as given, with X-IC-Id still from the event', async () => {
    const { listener, requests } = recorder();
    await deliver(listener, { id: 'evt_raw' }, { body: '{"id":"evt_raw", "not": json' });
    expect(requests[0]).toMatchObject({ body: '{"id":"evt_raw", "not": json' });
    expect(requests[0]?.headers['x-ic-id']).toBe('evt_raw');
  });

  it('lets the receiver answer a body that is not JSON with 400 invalid_json', async () => {
    const result = await deliver(convercWebhooks(), { id: 'evt_1' }, { body: 'nope' });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('uses another method when asked, to test the 405 answer', async () => {
    const result = await deliver(convercWebhooks(), createTestEvent('call.ended'), { method: 'PUT' });
    expect(result.status).toBe(405);
    expect(result.headers.allow).toBe('POST');
  });

  it('returns the text of an answer that is not JSON', async () => {
    const result = await deliver((_req, res) => res.end('plain'), {});
    expect(result).toMatchObject({ status: 200, body: 'plain', text: 'plain' });
  });

  it('rejects with the error of a listener that throws, and closes its port', async () => {
    await expect(deliver(() => { throw new Error('boom'); }, {})).rejects.toThrow('boom');
    await expect(deliver(() => Promise.reject(new Error('async boom')), {})).rejects.toThrow('async boom');
  });

  it('rejects with ETIMEDOUT when no answer comes in time', async () => {
    const silent: RequestListener = () => undefined;
    await expect(deliver(silent, {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('rejects when aborted', async () => {
    const controller = new AbortController();
    const pending = deliver(() => undefined, {}, { signal: controller.signal });
    setTimeout(() => { controller.abort(); }, 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a path that does not start with a slash, and a timeout that is not positive', async () => {
    await expect(deliver(convercWebhooks(), {}, { path: 'hooks' })).rejects.toThrow(TypeError);
    await expect(deliver(convercWebhooks(), {}, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
  });

  it('refuses an event that cannot be sent as JSON unless a body is given', async () => {
    await expect(deliver(convercWebhooks(), undefined)).rejects.toThrow(/pass options\.body/);
  });
});

describe('deliver to a URL', () => {
  it('POSTs to a server on 127.0.0.1 and returns its answer', async () => {
    const { listener, requests } = recorder();
    const url = await serve(listener);
    const event = createTestEvent('call.recording_ready');
    const result = await deliver(`${url}/webhooks/converc`, event, { token: 't' });
    expect(result).toMatchObject({ status: 200, body: { ok: true } });
    expect(requests[0]).toMatchObject({ url: '/webhooks/converc', body: JSON.stringify(event) });
    expect(requests[0]?.headers).toMatchObject({ 'x-ic-id': event.id, authorization: 'Bearer t' });
  });

  it('accepts a URL object, and returns a non-2xx answer rather than rejecting', async () => {
    const url = await serve(createNodeHandler(convercWebhooks()));
    const result = await deliver(new URL(url), createTestEvent('call.ended', { data: { call: { id: '' } } }));
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ error: { code: 'invalid_event', issues: [{ path: 'data.call.id' }] } });
  });

  it('rejects with ECONNREFUSED when nothing listens there', async () => {
    const url = await serve(() => undefined);
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    await expect(deliver(url, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a string that is not an http or https URL, and a path option beside a URL', async () => {
    await expect(deliver('localhost:3000', {})).rejects.toThrow(/http or https/);
    await expect(deliver('not a url', {})).rejects.toThrow(/not a URL/);
    await expect(deliver('http://127.0.0.1:9/', {}, { path: '/x' })).rejects.toThrow(/put the path in the URL/);
  });
});
