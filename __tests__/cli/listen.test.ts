import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deliver, createTestEvent } from 'converc-webhooks/testing';
import { cleanup, jsonLines, runCli, serve, startCli, waitFor } from './helpers';

afterEach(cleanup);

/** Starts `listen` on a free loopback port and waits until it says where. */
async function startListen(extra: string[] = [], json = false) {
  const cli = startCli(['listen', '--port', '0', ...(json ? ['--json'] : []), ...extra]);
  await waitFor(() => /http:\/\/127\.0\.0\.1:\d+/.test(cli.stdout()), 'listening');
  const url = /http:\/\/127\.0\.0\.1:\d+\/[^\s"]*/.exec(cli.stdout())?.[0] ?? '';
  const stop = async () => {
    cli.abort();
    return cli.done;
  };
  return { cli, url, stop };
}

describe('converc-webhooks listen', () => {
  it('lets a client see the 413 of a body over the limit rather than EPIPE, as the middleware does', async () => {
    const { url, stop } = await startListen();
    const client = join(__dirname, '..', 'fixtures', 'post-oversized.ts');
    // Bounded: a receiver that stops reading leaves the client waiting, which must fail, not hang.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', client, url, String(6 * 1024 * 1024), '5'], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual(Array.from({ length: 5 }, () => '413 payload_too_large'));
    await stop();
  }, 30_000);

  it('prints each delivery with its status, type and id, and a summary of the call and contact', async () => {
    const { cli, url, stop } = await startListen();
    const event = createTestEvent('call.ended', { data: { contact: { name: 'Ada Lovelace', email: 'ada@example.com' } } });
    expect((await deliver(url, event)).status).toBe(200);
    await waitFor(() => cli.stdout().includes('contact'), 'a printed delivery');
    expect(await stop()).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+\/ \(Ctrl-C to stop\)/);
    expect(out).toMatch(new RegExp(`200 processed {2}call\\.ended {2}${event.id}\\n`));
    expect(out).toMatch(/call call_\w+ \(video, ended\): requested .* UTC, accepted after 12 s by user_\w+, talked 4 min 10 s/);
    expect(out).toContain('contact Ada Lovelace <ada@example.com> · +1 512 555 0100 · Austin, TX, United States');
    expect(out).toContain('answers Company size: 1-10');
    expect(out).toContain('Stopped after 1 delivery.');
  });

  it('requires the shared secret given with --token, as the send command carries it', async () => {
    const { cli, url, stop } = await startListen(['--token', 'listen-secret-0123456789']);
    const event = createTestEvent('call.ended');
    expect((await deliver(url, event)).status).toBe(401);
    expect((await deliver(url, event, { token: 'wrong' })).status).toBe(401);
    expect((await deliver(url, event, { token: 'listen-secret-0123456789' })).status).toBe(200);
    await waitFor(() => cli.stdout().includes('processed'), 'the authorized delivery');
    await stop();
    expect(cli.stdout()).not.toContain('listen-secret-0123456789');
  });

  it('shows a duplicate as a duplicate, with the type it had', async () => {
    const { cli, url, stop } = await startListen();
    const event = createTestEvent('call.missed');
    await deliver(url, event);
    await deliver(url, event);
    await waitFor(() => cli.stdout().includes('duplicate'), 'the duplicate');
    await stop();
    expect(cli.stdout()).toMatch(new RegExp(`200 duplicate {2}call\\.missed {2}${event.id} {2}\\(duplicate: no handler ran\\)`));
    expect(cli.stdout()).toContain('never accepted');
  });

  it('summarises a recording, a transcript, a test event and a type it does not know', async () => {
    const { cli, url, stop } = await startListen();
    await deliver(url, createTestEvent('call.recording_ready'));
    await deliver(url, createTestEvent('call.transcript_ready'));
    await deliver(url, createTestEvent('webhook.test', { data: { message: 'hello' } }));
    await deliver(url, { id: 'evt_f', type: 'call.transferred', createdAt: '2025-01-01T00:00:00Z', organizationId: 'o', data: {} });
    await waitFor(() => cli.stdout().includes('does not know'), 'four deliveries');
    await stop();
    const out = cli.stdout();
    expect(out).toContain('recording video + audio, links expire in 1 h');
    expect(out).toContain('transcript 3 segments');
    expect(out).toContain("test event from the provider's test endpoint; data: message");
    expect(out).toContain('a type this version does not know');
  });

  it('prints a rejected delivery with its error code and each issue path', async () => {
    const { cli, url, stop } = await startListen();
    const invalid = createTestEvent('call.ended', { id: 'evt_bad', data: { call: { id: '' } } });
    expect((await deliver(url, invalid)).status).toBe(422);
    expect((await deliver(url, {}, { body: 'not json', headers: { 'X-IC-Id': null } })).status).toBe(400);
    await waitFor(() => cli.stdout().includes('invalid_json'), 'two rejections');
    await stop();
    expect(cli.stdout()).toMatch(/422 invalid_event {2}evt_bad\n {10}data\.call\.id: must be a non-empty string/);
    expect(cli.stdout()).toMatch(/400 invalid_json\n {10}\S/);
  });

  it('handles only --path, answering 404 elsewhere', async () => {
    const { cli, url, stop } = await startListen(['--path', '/webhooks/converc']);
    expect(url).toMatch(/\/webhooks\/converc$/);
    expect((await deliver(url, createTestEvent('call.ended'))).status).toBe(200);
    expect((await deliver(url.replace('/webhooks/converc', '/other'), createTestEvent('call.ended'))).status).toBe(404);
    await waitFor(() => cli.stdout().includes('404'), 'the 404');
    await stop();
    expect(cli.stdout()).toMatch(/404 Not Found {2}evt_\w+\n {10}POST \/other/);
  });

  it('prints one JSON object per line with --json: where it listens, then each delivery', async () => {
    const { cli, url, stop } = await startListen([], true);
    const event = createTestEvent('call.accepted');
    await deliver(url, event);
    await deliver(url, event);
    await waitFor(() => jsonLines(cli.stdout()).length === 3, 'three lines');
    expect(await stop()).toBe(0);
    const [listening, first, second] = jsonLines(cli.stdout());
    expect(listening).toEqual({ listening: url });
    expect(first).toMatchObject({ status: 200, outcome: 'processed', duplicate: false, id: event.id, type: 'call.accepted' });
    expect(first).toMatchObject({ event, method: 'POST', path: '/', error: null });
    expect(second).toMatchObject({ status: 200, outcome: 'duplicate', duplicate: true, id: event.id, event: null });
  });

  it('closes its port when stopped', async () => {
    const { url, stop } = await startListen();
    await stop();
    await expect(deliver(url, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('exits 2 with a clear message when the port is in use', async () => {
    const { url } = await serve(() => undefined);
    const port = new URL(url).port;
    const { code, stderr } = await runCli(['listen', '--port', port]);
    expect(code).toBe(2);
    expect(stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
  });

  it.each([
    [['listen', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['listen', '--path', 'hooks'], /--path must start with '\/'/],
    [['listen', 'extra'], /listen takes no arguments/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('prints its help with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['listen', '--help']);
    expect(code).toBe(0);
    for (const option of ['--port', '--host', '--path', '--json']) expect(stdout).toContain(option);
  });
});
