import { createServer } from 'node:http';
import { join } from 'node:path';
import { isEventOf, parseEvent, type EventOf } from 'converc-webhooks';
import { createTestEvent } from 'converc-webhooks/testing';
import { cleanup, jsonLines, refusedUrl, runCli, serve, startReceiver, tempFolder } from './helpers';

afterEach(cleanup);

describe('converc-webhooks send', () => {
  it('builds an event of the type, delivers it, prints the answer and exits 0', async () => {
    const receiver = await startReceiver();
    const { code, stdout, stderr } = await runCli(['send', 'call.ended', '--url', receiver.url]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const [event] = receiver.events;
    expect(event?.type).toBe('call.ended');
    expect(receiver.received[0]?.headers['x-ic-id']).toBe(event?.id);
    expect(stdout).toContain(`call.ended ${event?.id} → ${receiver.url}`);
    expect(stdout).toMatch(/200 processed \(\d+ ms\)/);
  });

  it('prints one JSON object with --json', async () => {
    const receiver = await startReceiver();
    const { code, stdout } = await runCli(['send', 'call.missed', '--url', receiver.url, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      url: receiver.url,
      type: 'call.missed',
      id: receiver.events[0]?.id,
      deliveries: [
        {
          ok: true,
          status: 200,
          body: { received: true, id: receiver.events[0]?.id, status: 'processed' },
          durationMs: expect.any(Number),
        },
      ],
    });
  });

  it('resends the same id with --repeat, so the receiver answers duplicate and runs its handlers once', async () => {
    const receiver = await startReceiver();
    const { code, stdout } = await runCli(['send', 'call.ended', '--url', receiver.url, '--id', 'evt_same', '--repeat', '3']);
    expect(code).toBe(0);
    expect(receiver.received.map((request) => request.headers['x-ic-id'])).toEqual(['evt_same', 'evt_same', 'evt_same']);
    expect(receiver.events).toHaveLength(1);
    expect(stdout).toMatch(/1\/3 200 processed[\s\S]*2\/3 200 duplicate[\s\S]*3\/3 200 duplicate/);
  });

  it('sets fields with --set, parsing values as JSON when they parse and as text otherwise', async () => {
    const receiver = await startReceiver();
    const { code } = await runCli([
      'send', 'call.ended', '--url', receiver.url,
      '--set', 'data.contact.email=null',
      '--set', 'data.contact.name=Ada Lovelace',
      '--set', 'data.call.mediaType="42"',
      '--set', 'data.recording.expiresInSeconds=60',
      '--set', 'data.qualificationAnswers[0].answer.value=["a",2]',
      '--set', 'data.custom.nested=true',
    ]);
    expect(code).toBe(0);
    const [event] = receiver.events;
    if (event === undefined || !isEventOf(event, 'call.ended')) throw new Error('no call.ended received');
    expect(event.data.contact).toMatchObject({ email: null, name: 'Ada Lovelace' });
    expect(event.data.call.mediaType).toBe('42');
    expect(event.data.recording.expiresInSeconds).toBe(60);
    expect(event.data.qualificationAnswers[0]?.answer.value).toEqual(['a', 2]);
    // A field the types do not list is read through `in`, as the README says.
    expect('custom' in event.data && event.data.custom).toEqual({ nested: true });
  });

  it('sends the event in --file byte for byte, with X-IC-Id from its id', async () => {
    const receiver = await startReceiver();
    const text = JSON.stringify(createTestEvent('call.accepted', { id: 'evt_file' }), null, 4);
    const folder = tempFolder({ 'event.json': `${text}\n` });
    const { code } = await runCli(['send', '--file', join(folder, 'event.json'), '--url', receiver.url]);
    expect(code).toBe(0);
    expect(receiver.received[0]).toMatchObject({ body: text, headers: { 'x-ic-id': 'evt_file' } });
  });

  it('applies --id and --set to the event in --file, and sends it as JSON', async () => {
    const receiver = await startReceiver();
    const folder = tempFolder({ 'event.json': JSON.stringify(createTestEvent('call.ended')) });
    const file = join(folder, 'event.json');
    const argv = ['send', '--file', file, '--url', receiver.url, '--id', 'evt_new', '--set', 'data.call.status=done'];
    expect((await runCli(argv)).code).toBe(0);
    expect(receiver.events[0]).toMatchObject({ id: 'evt_new', data: { call: { status: 'done' } } });
  });

  it('sends --header and --token as request headers', async () => {
    const receiver = await startReceiver();
    await runCli(['send', 'webhook.test', '--url', receiver.url, '--header', 'X-Env: staging', '--token', 's3cret']);
    expect(receiver.received[0]?.headers).toMatchObject({ 'x-env': 'staging', authorization: 'Bearer s3cret' });
  });

  it('prints the event with --dry-run and sends nothing, so no --url is needed', async () => {
    const { code, stdout } = await runCli(['send', 'call.recording_ready', '--dry-run', '--id', 'evt_dry']);
    expect(code).toBe(0);
    const event = parseEvent(JSON.parse(stdout));
    expect(event).toMatchObject({ id: 'evt_dry', type: 'call.recording_ready' });
  });

  it('exits 1 and prints the error when the receiver rejects the event', async () => {
    const receiver = await startReceiver();
    const { code, stdout } = await runCli(['send', 'call.ended', '--url', receiver.url, '--set', 'data.call.id=""']);
    expect(code).toBe(1);
    expect(stdout).toContain('422 invalid_event');
    expect(stdout).toContain('data.call.id');
  });

  it('exits 1 when any repeat fails, and reports a non-Converc answer by its status text', async () => {
    const { url } = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('down for maintenance');
    });
    const { code, stdout } = await runCli(['send', 'call.ended', '--url', url, '--json']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, deliveries: [{ ok: false, status: 503, body: 'down for maintenance' }] });
    const plain = await runCli(['send', 'call.ended', '--url', url]);
    expect(plain.stdout).toContain('503 Service Unavailable: down for maintenance');
  });

  it('exits 1 with a clear message when the host refuses the connection, and stops repeating', async () => {
    const url = await refusedUrl();
    const { code, stderr, stdout } = await runCli(['send', 'call.ended', '--url', url, '--repeat', '3', '--json']);
    expect(code).toBe(1);
    expect(stderr).toContain('connection refused by 127.0.0.1:');
    expect(stderr).toContain('is the receiver running?');
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, deliveries: [{ ok: false, error: { code: 'ECONNREFUSED' } }] });
  });

  it('exits 1 when no answer comes within --timeout', async () => {
    const silent = createServer(() => undefined);
    const { url } = await serve((req, res) => silent.emit('request', req, res));
    const { code, stderr } = await runCli(['send', 'call.ended', '--url', url, '--timeout', '50']);
    expect(code).toBe(1);
    expect(stderr).toContain('no answer within 50 ms');
  });

  it.each([
    [['send', 'call.endd', '--url', 'http://127.0.0.1:1/'], /unknown event type "call\.endd"\. Did you mean call\.ended\?/],
    [['send', 'call.ended', '--url', 'localhost:3000/hooks'], /--url must be an http or https URL.*did you mean http:\/\/localhost:3000\/hooks\?/],
    [['send', 'call.ended', '--url', 'ftp://example.com/'], /--url must be an http or https URL/],
    [['send', 'call.ended'], /--url is required/],
    [['send', '--url', 'http://127.0.0.1:1/'], /give an event type/],
    [['send', 'call.ended', 'call.missed', '--url', 'http://127.0.0.1:1/'], /one event type/],
    [['send', 'call.ended', '--file', 'x.json', '--url', 'http://127.0.0.1:1/'], /not both/],
    [['send', 'call.ended', '--url', 'http://127.0.0.1:1/', '--repeat', '0'], /--repeat must be a whole number at least 1/],
    [['send', 'call.ended', '--url', 'http://127.0.0.1:1/', '--set', 'novalue'], /--set must look like path=value/],
    [['send', 'call.ended', '--url', 'http://127.0.0.1:1/', '--set', '__proto__.x=1'], /cannot set __proto__/],
    [['send', 'call.ended', '--url', 'http://127.0.0.1:1/', '--header', 'no colon'], /--header must look like/],
    [['send', 'call.ended', '--url', 'http://127.0.0.1:1/', '--nope'], /Unknown option '--nope'/],
    [['send', 'call.ended', '--url'], /--url/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr, stdout } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Run 'converc-webhooks send --help' for usage.");
    expect(stdout).toBe('');
  });

  it('exits 2 when --file is missing, is not JSON, holds several events or is not an object', async () => {
    const folder = tempFolder({
      'broken.json': '{"id": "evt_1",',
      'two.jsonl': '{"id":"a"}\n{"id":"b"}\n',
      'string.json': '"just text"',
    });
    const url = 'http://127.0.0.1:1/';
    const missing = await runCli(['send', '--file', join(folder, 'missing.json'), '--url', url]);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('missing.json: no such file or folder') });
    const broken = await runCli(['send', '--file', join(folder, 'broken.json'), '--url', url]);
    expect(broken).toMatchObject({ code: 2, stderr: expect.stringContaining('broken.json: not JSON') });
    const two = await runCli(['send', '--file', join(folder, 'two.jsonl'), '--url', url]);
    expect(two).toMatchObject({ code: 2, stderr: expect.stringContaining('holds 2 events') });
    const text = await runCli(['send', '--file', join(folder, 'string.json'), '--url', url, '--set', 'a=1']);
    expect(text).toMatchObject({ code: 2, stderr: expect.stringContaining('not a JSON object') });
  });

  it('prints its help with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['send', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: converc-webhooks send <type> --url <url>');
    for (const option of ['--file', '--id', '--set', '--repeat', '--header', '--token', '--timeout', '--dry-run', '--json']) {
      expect(stdout).toContain(option);
    }
  });
});

describe('converc-webhooks send --lifecycle', () => {
  afterEach(cleanup);

  const parseAll = (events: unknown[]) => events.map((event) => parseEvent(event));

  it('sends a whole answered call in order: one call id, valid events, timestamps that agree', async () => {
    const receiver = await startReceiver();
    const { code, stdout } = await runCli(['send', '--lifecycle', '--url', receiver.url]);
    expect(code).toBe(0);
    const events = parseAll(receiver.events);
    expect(events.map((event) => event.type)).toEqual([
      'call.requested',
      'call.accepted',
      'call.ended',
      'call.transcript_ready',
      'call.recording_ready',
    ]);
    const calls = events.map((event) => (event as EventOf<'call.ended'>).data.call);
    expect(new Set(calls.map((call) => call.id)).size).toBe(1);
    expect(new Set(events.map((event) => event.id)).size).toBe(5);
    expect(new Set(calls.map((call) => call.requestedAt)).size).toBe(1);
    expect(new Set(calls.slice(1).map((call) => call.acceptedAt)).size).toBe(1);
    expect(new Set(calls.slice(1).map((call) => call.acceptedBy)).size).toBe(1);
    expect(new Set(calls.slice(2).map((call) => call.endedAt)).size).toBe(1);
    const created = events.map((event) => Date.parse(event.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(new Set(created).size).toBe(5);
    const [requested, accepted, ended] = [calls[0]?.requestedAt, calls[1]?.acceptedAt, calls[2]?.endedAt].map((at) => Date.parse(at ?? ''));
    expect(requested).toBe(created[0]);
    expect(requested).toBeLessThan(accepted ?? 0);
    expect(accepted).toBeLessThan(ended ?? 0);
    expect(ended).toBeLessThanOrEqual(created[2] ?? 0);
    expect(calls[0]?.acceptedAt).toBeNull();
    expect(stdout).toContain(`call ${calls[0]?.id ?? ''} (answered, 5 events)`);
    expect(stdout).toMatch(/call\.recording_ready +evt_\w+ {2}200 processed/);
  });

  it.each([
    ['missed', 'call.missed', 30_000],
    ['canceled', 'call.canceled', 45_000],
  ])('sends requested then %s with --path, never accepted', async (path, last, afterMs) => {
    const receiver = await startReceiver();
    expect((await runCli(['send', '--lifecycle', '--path', path, '--url', receiver.url])).code).toBe(0);
    const events = parseAll(receiver.events) as EventOf<'call.missed'>[];
    expect(events.map((event) => event.type)).toEqual(['call.requested', last]);
    expect(events[1]?.data.call.id).toBe(events[0]?.data.call.id);
    expect(events[1]?.data.call.acceptedAt).toBeNull();
    expect(Date.parse(events[1]?.createdAt ?? '') - Date.parse(events[0]?.createdAt ?? '')).toBe(afterMs);
  });

  it('waits --gap between steps, prints a .jsonl with --dry-run, and applies --set to every event', async () => {
    const waits: number[] = [];
    let now = Date.parse('2025-03-04T14:00:00Z');
    const clock = { now: () => now, sleep: (ms: number) => { waits.push(ms); now += ms; return Promise.resolve(); } };
    const receiver = await startReceiver();
    expect((await runCli(['send', '--lifecycle', '--gap', '250', '--url', receiver.url], { clock })).code).toBe(0);
    expect(waits).toEqual([250, 250, 250, 250]);
    const dry = await runCli(['send', '--lifecycle', '--path', 'missed', '--dry-run', '--set', 'data.contact.email=null'], { clock });
    const lines = jsonLines(dry.stdout) as EventOf<'call.missed'>[];
    expect(lines).toHaveLength(2);
    expect(lines.map((event) => event.data.contact.email)).toEqual([null, null]);
    expect(lines[1]?.createdAt).toBe(new Date(now).toISOString());
  });

  it('prints one JSON object with --json, and stops at a host that refuses', async () => {
    const url = await refusedUrl();
    const { code, stdout } = await runCli(['send', '--lifecycle', '--url', url, '--json']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout) as { ok: boolean; path: string; callId: string; deliveries: { type: string; error: { code: string } }[] };
    expect(result).toMatchObject({ ok: false, path: 'answered', callId: expect.stringMatching(/^call_/) });
    expect(result.deliveries).toEqual([expect.objectContaining({ type: 'call.requested', error: expect.objectContaining({ code: 'ECONNREFUSED' }) })]);
  });

  it.each([
    [['send', '--lifecycle', 'call.ended', '--url', 'http://127.0.0.1:1/'], /--lifecycle builds its own events: it takes no event type/],
    [['send', '--lifecycle', '--id', 'x', '--url', 'http://127.0.0.1:1/'], /it takes no --id/],
    [['send', '--lifecycle', '--path', 'dropped', '--url', 'http://127.0.0.1:1/'], /--path must be one of answered, missed, canceled/],
    [['send', 'call.ended', '--path', 'missed', '--url', 'http://127.0.0.1:1/'], /--path goes with --lifecycle/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
