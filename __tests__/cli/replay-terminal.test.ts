import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestEvent } from 'converc-webhooks/testing';
import { cleanup, startReceiver, tempFolder } from './helpers';
import { describeRequiring } from '../fixtures/describe-requiring';

const root = join(__dirname, '../..');
// `script` (util-linux) runs a command on a pseudo-terminal of its own: the CLI then sees a real
// terminal on standard error, as a person at a shell would, with no native module to build.
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;

/** Quotes a word for `sh -c`. */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

function describeWithScript(name: string, body: () => void): void {
  describeRequiring(
    name,
    {
      present: hasScript,
      needs: 'needs script (util-linux): CI must have it',
      ciError: 'script is not installed, but CI=true: install util-linux',
      howToRun: 'install util-linux for the script command to run it',
      missing: 'no script command',
    },
    body,
  );
}

describeWithScript('replay on a real terminal (a pseudo-terminal from script)', () => {
  afterEach(cleanup);

  it('draws a bar with percent, rate and ETA that moves, then prints the summary', async () => {
    const receiver = await startReceiver();
    const events = Array.from({ length: 12 }, () => JSON.stringify(createTestEvent('webhook.test')));
    const file = join(tempFolder({ 'twelve.jsonl': events.join('\n') }), 'twelve.jsonl');
    // At eight a second, twelve events take about 1.4 s: the bar is redrawn several times.
    const cli = [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'replay', file, '--url', receiver.url, '--rate', '8'];
    const child = spawn('script', ['-q', '-e', '-f', '-c', cli.map(quote).join(' '), '/dev/null'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const frames = output.split('\r\u001b[2K').filter((frame) => frame.startsWith('['));
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.some((frame) => /^\[█*░+\] +\d{1,2}% \d+\/12 · [\d.]+\/s · ETA \d+ s/.test(frame))).toBe(true);
    expect(frames.at(-1)).toMatch(/^\[█{24}\] 100% 12\/12 · [\d.]+\/s · ETA 0 s/);
    expect(output).toContain('12 processed');
    expect(receiver.events).toHaveLength(12);
  }, 30_000);
});
