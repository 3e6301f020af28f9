import { join } from 'node:path';
import { spawnCli } from './helpers';

const root = join(__dirname, '../..');

/** Runs src/cli/main.ts as the bin runs dist/cli/main.js: a real process, with its real exit code. */
const spawnMain = (args: string[]) => spawnCli(['--import', 'tsx', join(root, 'src/cli/main.ts')], args);

describe('the converc-webhooks executable (src/cli/main.ts)', () => {
  jest.setTimeout(30_000);

  it('exits with the code run() returns', async () => {
    const version = spawnMain(['--version']);
    expect(await version.exit).toBe(0);
    expect(version.stdout()).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = spawnMain(['send', 'call.nope', '--url', 'http://127.0.0.1:9/']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr()).toContain('unknown event type "call.nope"');
  });

  it('stops listen cleanly on SIGINT, exiting 0', async () => {
    const listen = spawnMain(['listen', '--port', '0']);
    for (let i = 0; i < 200 && !listen.stdout().includes('Listening on'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(listen.stdout()).toContain('Listening on http://127.0.0.1:');
    listen.child.kill('SIGINT');
    expect(await listen.exit).toBe(0);
    expect(listen.stdout()).toContain('Stopped after 0 deliveries.');
  });
});
