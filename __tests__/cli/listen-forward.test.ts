import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createTestEvent, deliver } from 'converc-webhooks/testing';
import { startApp, startRelay } from './relay-helpers';
import { cleanup, closeServer, jsonLines, refusedUrl, runCli, startCli, tempFolder, waitFor } from './helpers';

afterEach(cleanup);

describe('converc-webhooks listen --forward-to', () => {
  it('relays each delivery with the same body and X-IC-Id, answers with the app\'s answer, and prints both sides', async () => {
    const app = await startApp();
    const { cli, url, stop } = await startRelay(app.url);
    const event = createTestEvent('call.ended', { id: 'evt_1' });
    const body = `${JSON.stringify(event, null, 2)}\n`;
    const first = await deliver(url, event, { body });
    expect(first).toMatchObject({ status: 200, body: { received: true, id: 'evt_1', status: 'processed' } });
    expect((await deliver(url, event, { body })).body).toMatchObject({ status: 'duplicate' });
    const invalid = createTestEvent('call.ended', { id: 'evt_bad', data: { call: { id: '' } } });
    expect((await deliver(url, invalid)).status).toBe(422);
    await waitFor(() => cli.stdout().includes('invalid_event'), 'three relays');
    expect(await stop()).toBe(0);

    expect(app.requests[0]).toEqual({ body, id: 'evt_1' });
    expect(app.handled.map((handled) => handled.id)).toEqual(['evt_1']);
    const out = cli.stdout();
    expect(out).toContain(`Relaying to ${app.url}`);
    expect(out).toMatch(/\d\d:\d\d:\d\d {2}--> call\.ended evt_1\n {10}<-- 200 processed \d+ ms\n/);
    expect(out).toMatch(/--> call\.ended evt_1\n {10}<-- 200 duplicate \d+ ms\n/);
    expect(out).toMatch(/--> call\.ended evt_bad\n {12}data\.call\.id: must be a non-empty string\n {10}<-- 422 invalid_event \d+ ms\n/);
    expect(out).toContain('Stopped after 3 deliveries.');
  });

  it('says so when the app is down, answers the sender 502, and keeps the delivery in --save', async () => {
    const down = await refusedUrl();
    const folder = tempFolder();
    const save = join(folder, 'kept.jsonl');
    const { cli, url, stop } = await startRelay(down, ['--save', save]);
    const event = createTestEvent('call.missed');
    const answer = await deliver(url, event);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatchObject({ error: { code: 'forward_failed' } });
    await waitFor(() => cli.stdout().includes('<--'), 'the line');
    await stop();
    expect(cli.stdout()).toMatch(new RegExp(`--> call\\.missed ${event.id}\\n {10}<-- app down: connection refused by 127\\.0\\.0\\.1:\\d+: is the receiver running\\? \\(kept in --save\\)`));
    expect(readFileSync(save, 'utf8')).toBe(`${JSON.stringify(event)}\n`);
  });

  it('relays only the types in --events, answers the others 200 ignored, and prints none of them', async () => {
    const app = await startApp();
    const { cli, url, stop } = await startRelay(app.url, ['--events', 'call.ended, call.accepted']);
    const missed = createTestEvent('call.missed');
    expect((await deliver(url, missed)).body).toEqual({ received: true, id: missed.id, status: 'ignored' });
    const ended = createTestEvent('call.ended');
    expect((await deliver(url, ended)).status).toBe(200);
    await waitFor(() => cli.stdout().includes('<--'), 'the relayed one');
    await stop();
    expect(app.handled.map((event) => event.type)).toEqual(['call.ended']);
    expect(cli.stdout()).not.toContain('call.missed');
  });

  it('prints the raw body after the line with --print-json, and one JSON object per delivery with --json', async () => {
    const app = await startApp();
    const relay = await startRelay(app.url, ['--print-json']);
    const event = createTestEvent('call.accepted');
    await deliver(relay.url, event);
    await waitFor(() => relay.cli.stdout().includes(event.id) && relay.cli.stdout().includes('"data"'), 'the body');
    await relay.stop();
    expect(relay.cli.stdout()).toMatch(/<-- 200 processed \d+ ms\n\{"id":"evt_\w+","type":"call\.accepted"/);

    const json = await startRelay(app.url, ['--json']);
    await deliver(json.url, createTestEvent('call.requested'));
    await waitFor(() => jsonLines(json.cli.stdout()).length === 2, 'two lines');
    await json.stop();
    const [listening, relayed] = jsonLines(json.cli.stdout());
    expect(listening).toEqual({ listening: json.url, forwardTo: app.url });
    expect(relayed).toMatchObject({ seq: 1, how: 'relayed', type: 'call.requested', issues: [], answer: { status: 200, outcome: 'processed' } });
  });

  it.each([
    [['listen', '--forward-to', 'localhost:3000/hook'], /--forward-to must be an http or https URL, got "localhost:3000\/hook" \(did you mean http:\/\/localhost:3000\/hook\?\)/],
    [['listen', '--forward-to', 'http://127.0.0.1:1/', '--token', 'secret'], /--token is for the local receiver/],
    [['listen', '--events', ' , '], /--events needs at least one type/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('notes a type in --events that this version does not know, with the nearest one', async () => {
    const app = await startApp();
    const { cli, stop } = await startRelay(app.url, ['--events', 'call.endd']);
    await stop();
    expect(cli.stderr()).toContain('note: --events: call.endd is not a type this version knows (did you mean call.ended?)');
    await closeServer(app.server);
  });
});

/** A raw request, to set headers `deliver` and browsers would not let a test choose. */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text, headers: res.headers }); });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('converc-webhooks listen --ui (the inspector over HTTP)', () => {
  it('serves a self-contained page, streams the kept deliveries as Server-Sent Events, and guards resend', async () => {
    const app = await startApp();
    const { cli, url, stop } = await startRelay(app.url, ['--ui']);
    const inspector = /Inspector on (\S+)/.exec(cli.stdout())?.[1] ?? '';
    expect(inspector).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_inspector$/);
    const page = await get(inspector);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain('<title>converc-webhooks inspector</title>');
    expect(page.text).toContain(JSON.stringify(app.url));

    const event = createTestEvent('call.ended', { data: { contact: { email: 'ada@example.com' } } });
    await deliver(url, event, { token: 'app-secret' });
    await waitFor(() => cli.stdout().includes('<--'), 'the relay');
    const events = await new Promise<string>((resolve, reject) => {
      const req = request(`${inspector}/events`, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n\ndata: ') && text.endsWith('\n\n')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(events).toMatch(/^retry: 1000\n\ndata: \{"receivedAt"/);
    const entry = JSON.parse(/data: (.*)\n\n$/.exec(events)?.[1] ?? '{}') as { seq: number; body: string; headers: Record<string, string> };
    expect(entry).toMatchObject({ seq: 1, body: JSON.stringify(event), headers: { authorization: 'Bearer …', 'x-ic-id': event.id } });

    const resendUrl = `${inspector}/deliveries/1/resend`;
    expect((await get(resendUrl, { origin: 'http://evil.example' }, 'POST')).status).toBe(403);
    expect((await get(resendUrl, { 'sec-fetch-site': 'cross-site' }, 'POST')).status).toBe(403);
    expect((await get(inspector, { host: 'evil.example' })).status).toBe(403);
    expect((await get(`${inspector}/deliveries/99/resend`, {}, 'POST')).status).toBe(404);
    const resent = await get(resendUrl, {}, 'POST');
    expect(resent.status).toBe(200);
    expect(JSON.parse(resent.text)).toMatchObject({ seq: 1, resends: 1, answer: { status: 200, outcome: 'duplicate' } });
    // The resend carried the original credential, which the inspector itself never shows.
    expect(app.requests.map((request) => request.id)).toEqual([event.id, event.id]);
    await stop();
    expect(cli.stdout()).toMatch(/--> call\.ended evt_\w+ \(resent from the inspector, #1\)\n {10}<-- 200 duplicate/);
  });

  it('is not served without --ui: the path is a delivery like any other', async () => {
    const cli = startCli(['listen', '--port', '0'], { env: { NO_COLOR: '1' } });
    await waitFor(() => cli.stdout().includes('Listening on'), 'listening');
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(cli.stdout())?.[0] ?? '';
    expect((await get(`${base}/_inspector`)).status).toBe(405);
    cli.abort();
    await cli.done;
  });
});

describe('converc-webhooks listen without --forward-to, with --ui, --save and --events', () => {
  it('keeps what its own receiver answered for the inspector, saves the bodies, and filters by type', async () => {
    const save = join(tempFolder(), 'seen.jsonl');
    const cli = startCli(['listen', '--port', '0', '--ui', '--save', save, '--events', 'call.ended'], { env: { NO_COLOR: '1' } });
    await waitFor(() => cli.stdout().includes('Inspector on'), 'listening');
    const url = /Listening on (\S+)/.exec(cli.stdout())?.[1] ?? '';
    const inspector = /Inspector on (\S+)/.exec(cli.stdout())?.[1] ?? '';
    const ended = createTestEvent('call.ended');
    const invalid = createTestEvent('call.ended', { id: 'evt_bad', data: { call: { endedAt: 'soon' } } });
    await deliver(url, ended);
    await deliver(url, ended);
    await deliver(url, invalid);
    await deliver(url, createTestEvent('call.missed'));
    await waitFor(() => cli.stdout().includes('invalid_event'), 'the deliveries');
    const stream = await new Promise<string>((resolve, reject) => {
      const req = request(`${inspector}/events`, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if ((text.match(/\ndata: /g) ?? []).length === 3 && text.endsWith('\n\n')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    cli.abort();
    expect(await cli.done).toBe(0);
    const entries = [...stream.matchAll(/data: (.*)\n\n/g)].map((match) => JSON.parse(match[1] ?? '{}') as Record<string, unknown>);
    expect(entries.map((entry) => [entry.type, (entry.answer as { outcome: string }).outcome])).toEqual([
      ['call.ended', 'processed'],
      ['call.ended', 'duplicate'],
      ['call.ended', 'invalid_event'],
    ]);
    // A known duplicate's body is never read; the inspector shows the first one's.
    expect(entries[1]?.body).toBe(JSON.stringify(ended));
    expect(entries[2]?.issues).toEqual([{ path: 'data.call.endedAt', message: expect.stringContaining('ISO-8601') }]);
    expect(readFileSync(save, 'utf8')).toBe([ended, invalid].map((event) => `${JSON.stringify(event)}\n`).join(''));
    expect(cli.stdout()).not.toContain('call.missed');
    expect(cli.stdout()).toContain('Stopped after 4 deliveries.');
  });
});
