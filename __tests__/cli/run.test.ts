import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../src/cli/run';
import { createTestEvent } from 'converc-webhooks/testing';
import { cleanup, runCli, tempFolder } from './helpers';

afterEach(cleanup);

// Built from a string: the escape character is a control character, which lint forbids in a regex literal.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`);

describe('converc-webhooks (the dispatcher)', () => {
  it('prints the version from package.json with --version or -v, and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runCli(['-v'])).stdout).toBe(`${version}\n`);
  });

  it('lists every command with --help, and shows a command help with help <command>', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const command of ['send', 'replay', 'validate', 'listen']) expect(stdout).toContain(`  ${command} `);
    expect(stdout).toContain('Exit codes: 0 ok; 1 a delivery or a validation failed; 2 bad usage.');
    expect((await runCli(['help', 'replay'])).stdout).toContain('Usage: converc-webhooks replay');
    expect((await runCli(['help'])).stdout).toBe(stdout);
  });

  it('prints the usage to standard error and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: converc-webhooks <command>');
  });

  it.each([
    [['sned'], /unknown command "sned"\. Did you mean send\? Commands: send, replay, validate, listen/],
    [['lisen'], /Did you mean listen\?/],
    [['replay-faild'], /Did you mean replay-failed\?/],
    [['zzz'], /unknown command "zzz"\. Commands: send/],
    [['--verbose'], /Unknown option '--verbose'/],
    [['help', 'sned'], /no help for "sned"/],
  ])('exits 2 for bad usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain("Run 'converc-webhooks --help' for usage.");
  });

  it('colours its output on a terminal only, and never with NO_COLOR or TERM=dumb', async () => {
    const file = join(tempFolder({ 'ok.json': JSON.stringify(createTestEvent('call.ended')) }), 'ok.json');
    expect((await runCli(['validate', file], { isTTY: true })).stdout).toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: false })).stdout).not.toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { NO_COLOR: '' } })).stdout).toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { TERM: 'dumb' } })).stdout).not.toMatch(ANSI);
  });

  it('follows FORCE_COLOR over the terminal check, NO_COLOR and TERM, as Node does', async () => {
    const file = join(tempFolder({ 'ok.json': JSON.stringify(createTestEvent('call.ended')) }), 'ok.json');
    for (const force of ['1', '', 'true', '3']) {
      expect((await runCli(['validate', file], { isTTY: false, env: { FORCE_COLOR: force } })).stdout).toMatch(ANSI);
    }
    expect((await runCli(['validate', file], { isTTY: false, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { FORCE_COLOR: '0' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { FORCE_COLOR: 'false' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['validate', file], { isTTY: true, env: { NODE_DISABLE_COLORS: '1' } })).stdout).not.toMatch(ANSI);
  });

  it('colours errors by whether standard error is a terminal', async () => {
    expect((await runCli(['nope'], { isTTY: false, stderrIsTTY: true })).stderr).toMatch(ANSI);
    expect((await runCli(['nope'], { isTTY: true, stderrIsTTY: false })).stderr).not.toMatch(ANSI);
  });

  it('reports an unexpected failure with its stack and exits 1, without throwing', async () => {
    let stderr = '';
    const code = await run(['--version'], {
      stdout: () => {
        throw new Error('EPIPE: the reader went away');
      },
      stderr: (text) => {
        stderr += text;
      },
      env: {},
      isTTY: false,
    });
    expect(code).toBe(1);
    expect(stderr).toContain('unexpected error: Error: EPIPE: the reader went away');
  });
});
