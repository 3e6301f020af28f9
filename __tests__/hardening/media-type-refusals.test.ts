import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { convercWebhooks, createFetchHandler, createNodeHandler, type WebhookError } from 'converc-webhooks';
import { fixtures } from '../fixtures/events';

const text = JSON.stringify(fixtures['call.ended']);

// A valid event sent with the wrong set-up is answered 415, and the provider never resends it: onError
// must get the body, decoded as its headers say, to keep it and replay it.
const cases: readonly [string, Record<string, string>, Uint8Array][] = [
  ['text/plain', { 'content-type': 'text/plain' }, Buffer.from(text)],
  ['charset=utf-16le', { 'content-type': 'application/json; charset=utf-16le' }, Buffer.from(text, 'utf16le')],
  ['gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(text)],
];

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

async function overNodeHttp(headers: Record<string, string>, body: Uint8Array, errors: WebhookError[]): Promise<number> {
  const webhooks = convercWebhooks().onError((error) => void errors.push(error));
  server = createServer(createNodeHandler(webhooks));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/', method: 'POST', headers: { ...headers, 'content-length': body.byteLength }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function overFetch(headers: Record<string, string>, body: Uint8Array, errors: WebhookError[]): Promise<number> {
  const webhooks = convercWebhooks().onError((error) => void errors.push(error));
  const response = await createFetchHandler(webhooks)(new Request('http://127.0.0.1/', { method: 'POST', headers, body: new Uint8Array(body) }));
  return response.status;
}

describe.each([
  ['node:http', overNodeHttp],
  ['the Fetch handler', overFetch],
] as const)('a valid event refused for its media type, on %s', (_, send) => {
  it.each(cases)('(%s) is answered 415, and onError gets its body as text', async (__, headers, body) => {
    const errors: WebhookError[] = [];
    expect(await send(headers, body, errors)).toBe(415);
    expect(errors.map((error) => error.code)).toEqual(['unsupported_media_type']);
    expect(errors[0]?.rawBody).toBe(text);
  });

  it('gives onError no body that inflates past limit (a gzip bomb), and still answers 415', async () => {
    const errors: WebhookError[] = [];
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    expect(await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb, errors)).toBe(415);
    expect(errors[0]?.code).toBe('unsupported_media_type');
    expect(errors[0]?.rawBody).toBeUndefined();
  });
});
