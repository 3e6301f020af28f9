import { connect } from 'node:net';
import { convercWebhooks, createNodeHandler, parseEvent, type AnyEvent, type WebhookError } from 'converc-webhooks';
import { closeServers, serve, WEBHOOK_PATH, type Client } from '../contract/adapters';
import { fixtures } from '../fixtures/events';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Sends raw bytes on a fresh socket and resolves the raw answer, or '' if the server hung up. */
function rawRequest(port: number, bytes: string | Buffer, { endAfterMs }: { endAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => { resolve(answer); });
    socket.on('error', () => { resolve(answer); });
    socket.write(bytes);
    if (endAfterMs !== undefined) setTimeout(() => socket.end(), endAfterMs);
  });
}

const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);

describe('an adversarial corpus', () => {
  afterEach(closeServers);
  let port = 0;
  let client: Client;
  let state: { port: number };
  /** A receiver on a real loopback server whose handlers re-validate what they are given. */
  const start = async (options: Parameters<typeof convercWebhooks>[0] = {}) => {
    const webhooks = convercWebhooks(options);
    const seen: AnyEvent[] = [];
    const errors: WebhookError[] = [];
    webhooks
      .onAny((event) => {
        parseEvent(event);
        seen.push(event);
      })
      .onError((error) => void errors.push(error));
    const handler = createNodeHandler(webhooks, { path: WEBHOOK_PATH });
    client = await serve((req, res) => {
      port = req.socket.localPort ?? 0;
      handler(req, res);
    });
    // One harmless request to learn the port the server listens on.
    await client({ method: 'GET' });
    errors.length = 0;
    state = { port };
    return { seen, errors };
  };

  it('answers 422, not a crash, for JSON nested a million levels deep', async () => {
    const { seen } = await start({ limit: '10mb' });
    const deep = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect((await client({ headers: JSON_TYPE, body: deep })).status).toBe(422);
    expect(seen).toEqual([]);
  });

  it('processes an event that carries a deeply nested value in a field it does not know', async () => {
    const { seen } = await start({ limit: '10mb' });
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    const body = JSON.stringify(fixtures['call.ended']).replace(/}$/, `,"nested":${deep}}`);
    expect((await client({ headers: JSON_TYPE, body })).body.status).toBe('processed');
    expect(seen).toHaveLength(1);
  });

  it('accepts a body of exactly limit bytes and refuses one byte more', async () => {
    const body = JSON.stringify(fixtures['call.ended']);
    await start({ limit: Buffer.byteLength(body) });
    expect((await client({ headers: JSON_TYPE, body })).status).toBe(200);
    const over = await client({ headers: JSON_TYPE, body: `${body} ` });
    expect(over.status).toBe(413);
  });

  it('answers 400 invalid_json for an empty body', async () => {
    await start();
    expect((await client({ headers: JSON_TYPE, body: '' })).body.error.code).toBe('invalid_json');
  });

  it('skips a UTF-8 byte order mark', async () => {
    const { seen } = await start();
    const response = await client({ headers: JSON_TYPE, body: `\uFEFF${JSON.stringify(fixtures['call.ended'])}` });
    expect(response.status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('keeps an event whose text holds invalid UTF-8, with U+FFFD in place of the bad bytes', async () => {
    const { seen } = await start();
    const [head, tail] = JSON.stringify(fixtures['call.ended']).split('Visitor Name');
    const bytes = Buffer.concat([Buffer.from(`${head}Visitor `), Buffer.from([0xff, 0xfe]), Buffer.from(`Name${tail}`)]);
    const raw = await rawRequest(
      state.port,
      Buffer.concat([
        Buffer.from(
          `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`,
        ),
        bytes,
      ]),
    );
    expect(statusOf(raw)).toBe(200);
    expect((seen[0] as { data: { contact: { name: string } } }).data.contact.name).toBe('Visitor \uFFFD\uFFFDName');
  });

  it('takes the last of duplicate keys, as JSON.parse does', async () => {
    const { seen } = await start();
    const body = JSON.stringify(fixtures['call.ended']).replace('"id":"evt-call.ended"', '"id":"first","id":"evt-call.ended"');
    expect((await client({ headers: JSON_TYPE, body })).body.id).toBe('evt-call.ended');
    expect(seen).toHaveLength(1);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('pollutes no prototype with a %s key, at any depth', async (key) => {
    const { seen } = await start();
    const poison = `"${key}":{"polluted":true,"toString":"x"}`;
    const body = JSON.stringify(fixtures['call.ended'])
      .replace(/^{/, `{${poison},`)
      .replace('"call":{', `"call":{${poison},`);
    const response = await client({ headers: JSON_TYPE, body });
    expect(response.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(typeof ({} as object).toString).toBe('function');
    expect(seen).toHaveLength(1);
  });

  it('refuses a number too large to be finite where a number is required, and keeps a huge string', async () => {
    const { seen } = await start();
    const infinite = JSON.stringify(fixtures['call.ended']).replace('"latitude":30.2672', '"latitude":1e400');
    expect((await client({ headers: JSON_TYPE, body: infinite })).status).toBe(422);
    const huge = JSON.stringify({ ...fixtures['call.ended'], id: 'huge', note: 'x'.repeat(2_000_000) });
    expect((await client({ headers: JSON_TYPE, body: huge })).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it.each([
    ['empty', '', 200],
    ['10 KB long', 'x'.repeat(10_000), 400],
  ])('answers an X-IC-Id that is %s without harm', async (_, id, status) => {
    await start();
    const response = await client({ headers: { ...JSON_TYPE, 'x-ic-id': id }, body: JSON.stringify(fixtures['call.ended']) });
    expect(response.status).toBe(status);
  });

  it('refuses an X-IC-Id full of control characters at the HTTP layer, with no crash', async () => {
    const { seen } = await start();
    const body = JSON.stringify(fixtures['call.ended']);
    const raw = await rawRequest(
      state.port,
      `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nX-IC-Id: a\x01\x02\x7f\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Node's parser refuses the header before our code runs; either way nothing was processed twice.
    expect([200, 400]).toContain(statusOf(raw));
    expect(seen.length).toBeLessThanOrEqual(1);
    expect((await client({ headers: JSON_TYPE, body })).status).toBe(200);
  });

  it.each(['APPLICATION/JSON', 'application/json;charset=utf-8', 'application/json ; charset="UTF-8"', 'application/problem+json'])(
    'accepts the content type %p',
    async (contentType) => {
      await start();
      expect((await client({ headers: { 'content-type': contentType }, body: JSON.stringify(fixtures['call.ended']) })).status).toBe(200);
    },
  );

  it('times out each of several slow bodies on its own deadline, while a fast one in between is processed', async () => {
    // Body timeouts share one timer per length (node/deadline-queue.ts): each must still fire on time.
    const { seen, errors } = await start({ bodyTimeoutMs: 300, ackTimeoutMs: 1000 });
    const body = JSON.stringify(fixtures['call.ended']);
    const slow = (id: string) => {
      const started = performance.now();
      return rawRequest(
        state.port,
        `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nX-IC-Id: ${id}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 50)}`,
      ).then((raw) => ({ status: statusOf(raw), ms: performance.now() - started }));
    };
    const first = slow('slow-1');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = slow('slow-2');
    const fast = await client({ headers: { ...JSON_TYPE, 'x-ic-id': 'evt-call.ended' }, body });
    const answers = await Promise.all([first, second]);
    expect(fast.status).toBe(200);
    for (const { status, ms } of answers) {
      expect(status).toBe(408);
      // No earlier than its own deadline, and not held for the other's.
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(3000);
    }
    expect(errors.map((e) => e.code)).toEqual(['request_timeout', 'request_timeout']);
    expect(seen).toHaveLength(1);
  });

  it('answers 408 request_timeout to a body sent too slowly, and holds nothing for it', async () => {
    const { seen, errors } = await start({ bodyTimeoutMs: 200, ackTimeoutMs: 1000 });
    const body = JSON.stringify(fixtures['call.ended']);
    const raw = await rawRequest(
      state.port,
      `POST ${WEBHOOK_PATH} HTTP/1.1\r\nHost: x\r\nX-IC-Id: evt-call.ended\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 50)}`,
    );
    expect(statusOf(raw)).toBe(408);
    expect(raw.toLowerCase()).toContain('connection: close');
    expect(errors.map((e) => e.code)).toEqual(['request_timeout']);
    expect(seen).toEqual([]);
    const resent = await client({ headers: { ...JSON_TYPE, 'x-ic-id': 'evt-call.ended' }, body });
    expect(resent.body.status).toBe('processed');
  });
});
