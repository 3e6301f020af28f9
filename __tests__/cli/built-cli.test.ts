import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTestEvent } from 'converc-webhooks/testing';
import { cleanup, spawnCli, startReceiver, tempFolder } from './helpers';

const root = join(__dirname, '../..');
const bin = join(root, 'dist/cli/main.js');

/** Runs the built executable, as `npx converc-webhooks` would: a real process with its real exit code. */
const spawnBuilt = (args: string[]) => spawnCli([bin], args);

async function waitForOutput(read: () => string, text: string): Promise<void> {
  for (let i = 0; i < 200 && !read().includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(read()).toContain(text);
}

describe('the built converc-webhooks executable (dist/cli/main.js)', () => {
  jest.setTimeout(60_000);
  beforeAll(() => {
    // `npm test` builds first (pretest); a bare `jest` run builds here when dist/ is missing.
    if (!existsSync(bin)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  });
  afterEach(cleanup);

  it('send: delivers a built event to a receiver on loopback, and repeats it as a duplicate', async () => {
    const receiver = await startReceiver();
    const send = spawnBuilt(['send', 'call.ended', '--url', receiver.url, '--repeat', '2', '--json']);
    expect(await send.exit).toBe(0);
    const result = JSON.parse(send.stdout()) as { ok: boolean; deliveries: { status: number; body: { status: string } }[] };
    expect(result.ok).toBe(true);
    expect(result.deliveries.map((delivery) => delivery.body.status)).toEqual(['processed', 'duplicate']);
    expect(receiver.events).toHaveLength(1);
  });

  it('replay: delivers a .jsonl file of stored events and sums up the answers', async () => {
    const receiver = await startReceiver();
    const events = [createTestEvent('call.requested'), createTestEvent('call.missed')];
    const folder = tempFolder({ 'events.jsonl': events.map((event) => JSON.stringify(event)).join('\n') });
    const replay = spawnBuilt(['replay', join(folder, 'events.jsonl'), '--url', receiver.url]);
    expect(await replay.exit).toBe(0);
    expect(replay.stdout()).toContain('Replayed 2 of 2 events');
    expect(replay.stdout()).toContain('2 processed');
    expect(receiver.events.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('validate: exits 0 for a valid event on standard input and 1 for an invalid one, naming the path', async () => {
    const valid = spawnBuilt(['validate', '-']);
    valid.child.stdin.end(JSON.stringify(createTestEvent('call.ended')));
    expect(await valid.exit).toBe(0);
    const invalid = spawnBuilt(['validate', '-']);
    invalid.child.stdin.end(JSON.stringify({ ...createTestEvent('call.ended'), createdAt: 'yesterday' }));
    expect(await invalid.exit).toBe(1);
    expect(invalid.stdout() + invalid.stderr()).toContain('createdAt');
  });

  it('listen: prints what send and replay delivered to it', async () => {
    const listen = spawnBuilt(['listen', '--port', '0', '--path', '/webhooks/converc']);
    await waitForOutput(listen.stdout, 'Listening on');
    const url = /http:\/\/127\.0\.0\.1:\d+\/webhooks\/converc/.exec(listen.stdout())?.[0] ?? '';
    const sent = createTestEvent('call.ended', { data: { contact: { name: 'Ada Lovelace' } } });
    const folder = tempFolder({ 'sent.json': JSON.stringify(sent), 'more.jsonl': JSON.stringify(createTestEvent('call.missed')) });
    expect(await spawnBuilt(['send', '--file', join(folder, 'sent.json'), '--url', url]).exit).toBe(0);
    expect(await spawnBuilt(['replay', join(folder, 'more.jsonl'), '--url', url]).exit).toBe(0);
    expect(await spawnBuilt(['send', '--file', join(folder, 'sent.json'), '--url', url]).exit).toBe(0);
    await waitForOutput(listen.stdout, 'duplicate');
    listen.child.kill('SIGINT');
    expect(await listen.exit).toBe(0);
    const out = listen.stdout();
    expect(out).toMatch(new RegExp(`200 processed {2}call\\.ended {2}${sent.id}`));
    expect(out).toContain('contact Ada Lovelace');
    expect(out).toMatch(/200 processed {2}call\.missed/);
    expect(out).toMatch(new RegExp(`200 duplicate {2}call\\.ended {2}${sent.id}`));
    expect(out).toContain('Stopped after 3 deliveries.');
    console.log(`a real run of listen, receiving what send and replay sent:\n${out}`);
  });
});
