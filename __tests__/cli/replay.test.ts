import { join } from 'node:path';
import { createTestEvent } from 'converc-webhooks/testing';
import type { Clock } from '../../src/cli/run';
import { cleanup, refusedUrl, runCli, serve, startReceiver, tempFolder } from './helpers';

afterEach(cleanup);

const line = (event: unknown) => JSON.stringify(event);

/** A clock that moves `stepMs` forward each time it is read, so that a replay seems to take time. */
function steppingClock(stepMs: number): Clock {
  let now = 1_700_000_000_000;
  return {
    now: () => (now += stepMs),
    sleep: () => Promise.resolve(),
  };
}

describe('converc-webhooks replay', () => {
  it('delivers each line of a .jsonl file exactly as stored, with its id in X-IC-Id, and exits 0', async () => {
    const receiver = await startReceiver();
    const events = [createTestEvent('call.requested'), createTestEvent('call.accepted'), createTestEvent('call.ended')];
    const stored = events.map((event) => JSON.stringify(event, null, 0).replace('{"id"', '{ "id"'));
    const folder = tempFolder({ 'dead.jsonl': `${stored.join('\n')}\n\n` });
    const { code, stdout, stderr } = await runCli(['replay', join(folder, 'dead.jsonl'), '--url', receiver.url]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(receiver.received.map((request) => request.body)).toEqual(stored);
    expect(receiver.received.map((request) => request.headers['x-ic-id'])).toEqual(events.map((event) => event.id));
    expect(stdout).toContain(`Replayed 3 of 3 events to ${receiver.url}`);
    expect(stdout).toContain('  3 processed\n');
  });

  it('reads a folder of .json and .jsonl files in name order, and skips other files', async () => {
    const receiver = await startReceiver();
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => createTestEvent('webhook.test', { id: `evt_${n}` }));
    const folder = tempFolder({
      '1-one.json': line(a),
      '2-array.json': line([b, c]),
      '3-lines.jsonl': `${line(d)}\n`,
      'notes.txt': 'not an event',
    });
    const { code } = await runCli(['replay', folder, '--url', receiver.url]);
    expect(code).toBe(0);
    expect(receiver.events.map((event) => event.id)).toEqual(['evt_1', 'evt_2', 'evt_3', 'evt_4']);
  });

  it('summarises by outcome read from the answers, lists each failure with where it was stored, and exits 1', async () => {
    const receiver = await startReceiver();
    const ok = createTestEvent('call.ended');
    const other = createTestEvent('call.missed');
    const invalid = createTestEvent('call.ended', { data: { call: { id: '' } } });
    const notAnEvent = { id: 'evt_x', hello: 'world' };
    const folder = tempFolder({ 'mixed.jsonl': [ok, ok, other, invalid, ok, notAnEvent].map(line).join('\n') });
    const { code, stdout } = await runCli(['replay', join(folder, 'mixed.jsonl'), '--url', receiver.url]);
    expect(code).toBe(1);
    expect(stdout).toContain('Replayed 6 of 6 events');
    expect(stdout).toMatch(/\n {2}2 processed\n {2}2 duplicate\n {2}2 refused invalid_event\n/);
    expect(stdout).not.toMatch(/× 200/);
    expect(stdout).toContain(`mixed.jsonl:4  ${invalid.id}  422 invalid_event`);
    expect(stdout).toContain('mixed.jsonl:6  evt_x  422 invalid_event');
    // A second replay of the same file: every valid event is now a duplicate, and says so.
    const again = await runCli(['replay', join(folder, 'mixed.jsonl'), '--url', receiver.url, '--json']);
    const report = JSON.parse(again.stdout) as { outcomes: unknown; statuses: unknown };
    expect(report.outcomes).toEqual({ delivered: { duplicate: 4 }, refused: { invalid_event: 2 }, failed: {} });
    expect(report.statuses).toEqual({ 200: 4, 422: 2 });
  });

  it('counts an answer from another app by status, and a server error or a lost connection as failed', async () => {
    let n = 0;
    const { url } = await serve((req, res) => {
      req.resume();
      n++;
      if (n === 1) res.writeHead(204).end();
      else if (n === 2) res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"code":"handler_failed"}}');
      else if (n === 3) res.writeHead(404).end('nope');
      else res.destroy();
    });
    const events = [1, 2, 3, 4].map(() => line(createTestEvent('webhook.test')));
    const folder = tempFolder({ 'four.jsonl': events.join('\n') });
    const { stdout } = await runCli(['replay', join(folder, 'four.jsonl'), '--url', url, '--json']);
    expect((JSON.parse(stdout) as { outcomes: unknown }).outcomes).toEqual({
      delivered: { '2xx': 1 },
      refused: { 'HTTP 404': 1 },
      failed: { handler_failed: 1, ECONNRESET: 1 },
    });
  });

  it('prints the summary as one JSON object with --json', async () => {
    const receiver = await startReceiver();
    const event = createTestEvent('call.missed');
    const folder = tempFolder({ 'twice.jsonl': `${line(event)}\n${line(event)}` });
    const { code, stdout } = await runCli(['replay', join(folder, 'twice.jsonl'), '--url', receiver.url, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      url: receiver.url,
      ok: true,
      total: 2,
      sent: 2,
      delivered: 2,
      failed: 0,
      notSent: 0,
      stopped: null,
      durationMs: expect.any(Number),
      outcomes: { delivered: { processed: 1, duplicate: 1 }, refused: {}, failed: {} },
      statuses: { 200: 2 },
      failures: [],
    });
  });

  it.each([1, 3])('keeps at most --concurrency %i deliveries in flight', async (concurrency) => {
    let inFlight = 0;
    let most = 0;
    const { url } = await serve((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight--;
        res.end();
      }, 30);
    });
    const folder = tempFolder({ 'many.jsonl': Array.from({ length: 7 }, () => line(createTestEvent('webhook.test'))).join('\n') });
    const { code } = await runCli(['replay', join(folder, 'many.jsonl'), '--url', url, '--concurrency', String(concurrency)]);
    expect(code).toBe(0);
    expect(most).toBe(concurrency);
  });

  it('spaces the starts to --rate a second, whatever the concurrency', async () => {
    const receiver = await startReceiver();
    let now = 1_000_000;
    const waits: number[] = [];
    const clock: Clock = {
      now: () => now,
      sleep: (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    const folder = tempFolder({ 'four.jsonl': [1, 2, 3, 4].map(() => line(createTestEvent('webhook.test'))).join('\n') });
    const { code } = await runCli(['replay', join(folder, 'four.jsonl'), '--url', receiver.url, '--rate', '4', '--concurrency', '2'], {
      clock,
    });
    expect(code).toBe(0);
    expect(receiver.events).toHaveLength(4);
    // The first starts at once; each next one 250 ms after the one before.
    expect(waits.reduce((sum, wait) => sum + wait, 0)).toBe(750);
    expect(waits.every((wait) => wait > 0)).toBe(true);
  });

  it('draws a progress bar with percent, rate and ETA on a terminal, and clears it before the summary', async () => {
    const receiver = await startReceiver();
    const folder = tempFolder({ 'four.jsonl': [1, 2, 3, 4].map(() => line(createTestEvent('webhook.test'))).join('\n') });
    const onTerminal = await runCli(['replay', join(folder, 'four.jsonl'), '--url', receiver.url], {
      stderrIsTTY: true,
      env: { NO_COLOR: '1' },
      clock: steppingClock(250),
    });
    const frames = onTerminal.stderr.split('\r\u001b[2K');
    expect(frames).toContainEqual(expect.stringMatching(/^\[█+░*\] +25% 1\/4 · \d+(\.\d)?\/s · ETA \d+ s$/));
    expect(onTerminal.stderr).toMatch(/\[█{24}\] 100% 4\/4 · [\d.]+\/s · ETA 0 s/);
    expect(onTerminal.stderr.endsWith('\r\u001b[2K')).toBe(true);
  });

  it('writes a plain progress line every five seconds where standard error is not a terminal, and nothing for a short replay', async () => {
    const receiver = await startReceiver();
    const folder = tempFolder({ 'four.jsonl': [1, 2, 3, 4].map(() => line(createTestEvent('webhook.test'))).join('\n') });
    const file = join(folder, 'four.jsonl');
    const slow = await runCli(['replay', file, '--url', receiver.url], { stderrIsTTY: false, clock: steppingClock(3000) });
    expect(slow.stderr).toMatch(/^replaying [23]\/4 \(\d+%\) · [\d.]+\/s · ETA \d+ s\n/);
    expect(slow.stderr).not.toContain('\u001b');
    const quick = await runCli(['replay', file, '--url', receiver.url], { stderrIsTTY: false, isTTY: true });
    expect(quick.stderr).toBe('');
  });

  it('sends nothing and exits 2 when a stored event is not JSON, naming the file and line', async () => {
    const receiver = await startReceiver();
    const folder = tempFolder({ 'bad.jsonl': `${line(createTestEvent('call.ended'))}\n{"id": "evt_cut", "ty\n` });
    const { code, stderr } = await runCli(['replay', join(folder, 'bad.jsonl'), '--url', receiver.url]);
    expect(code).toBe(2);
    expect(stderr).toContain('1 of 2 stored events are not JSON (nothing was sent)');
    expect(stderr).toContain('bad.jsonl:2: not JSON');
    expect(receiver.received).toHaveLength(0);
  });

  it('stops at the first refused connection, says why, counts what was not sent and exits 1', async () => {
    const url = await refusedUrl();
    const folder = tempFolder({ 'five.jsonl': [1, 2, 3, 4, 5].map(() => line(createTestEvent('webhook.test'))).join('\n') });
    const file = join(folder, 'five.jsonl');
    const { code, stderr } = await runCli(['replay', file, '--url', url]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/stopped: connection refused by 127\.0\.0\.1:\d+: is the receiver running\?; 4 of 5 events not sent/);
    const json = await runCli(['replay', file, '--url', url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, sent: 1, notSent: 4, statuses: { ECONNREFUSED: 1 } });
  });

  it('stops sending when interrupted, and exits 1', async () => {
    const controller = new AbortController();
    const { url } = await serve((req, res) => {
      controller.abort();
      req.resume();
      res.end();
    });
    const folder = tempFolder({ 'three.jsonl': [1, 2, 3].map(() => line(createTestEvent('webhook.test'))).join('\n') });
    const { code, stdout } = await runCli(['replay', join(folder, 'three.jsonl'), '--url', url, '--json'], {
      signal: controller.signal,
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, sent: 1, notSent: 2, stopped: 'interrupted' });
  });

  it('exits 0 and says so when there is nothing to replay', async () => {
    const { code, stdout } = await runCli(['replay', tempFolder(), '--url', 'http://127.0.0.1:1/']);
    expect(code).toBe(0);
    expect(stdout).toContain('No events to replay.');
  });

  it.each([
    [['replay', '--url', 'http://127.0.0.1:1/'], /give the file or folder/],
    [['replay', 'a.jsonl', 'b.jsonl', '--url', 'http://127.0.0.1:1/'], /one file or folder/],
    [['replay', 'a.jsonl'], /--url is required/],
    [['replay', 'a.jsonl', '--url', 'nope'], /--url must be an http or https URL/],
    [['replay', 'a.jsonl', '--url', 'http://127.0.0.1:1/', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 256/],
    [['replay', 'a.jsonl', '--url', 'http://127.0.0.1:1/', '--rate', 'fast'], /--rate must be a number above 0/],
    [['replay', 'a.jsonl', '--url', 'http://127.0.0.1:1/', '--timeout=-1'], /--timeout must be a whole number/],
    [['replay', 'a.jsonl', '--url', 'http://127.0.0.1:1/', '--timeout', '-1'], /argument is ambiguous.*'--timeout=-XYZ'/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('exits 2 when the file does not exist', async () => {
    const { code, stderr } = await runCli(['replay', join(tempFolder(), 'gone.jsonl'), '--url', 'http://127.0.0.1:1/']);
    expect(code).toBe(2);
    expect(stderr).toContain('gone.jsonl: no such file or folder');
  });

  it('prints its help with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['replay', '-h']);
    expect(code).toBe(0);
    for (const option of ['--url', '--concurrency', '--rate', '--header', '--token', '--timeout', '--json']) {
      expect(stdout).toContain(option);
    }
  });
});
