import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convercWebhooks, createNodeHandler, type AnyEvent } from 'converc-webhooks';
import { run, type CliIo } from '../../src/cli/run';

/** What a run of the CLI printed, and how it ended. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, with plain (non-terminal) output unless `io` says otherwise. */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<CliRun> {
  const started = startCli(argv, io);
  const code = await started.done;
  return { code, stdout: started.stdout(), stderr: started.stderr() };
}

/** Starts the CLI without waiting for it: for `listen`, which runs until aborted. */
export function startCli(argv: string[], io: Partial<CliIo> = {}) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  const done = run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    isTTY: false,
    signal: controller.signal,
    ...io,
  });
  return { done, stdout: () => stdout, stderr: () => stderr, abort: () => { controller.abort(); } };
}

const servers: Server[] = [];
const folders: string[] = [];

/** Closes every server and removes every folder a test made; call it in afterEach. */
export async function cleanup(): Promise<void> {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((server) => closeServer(server)));
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => { resolve(); });
  });
}

/** Serves `listener` on 127.0.0.1 on a free port until cleanup. */
export async function serve(listener: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A delivery as the receiver saw it. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * This package's receiver on loopback, recording every request (headers and raw body) and every event
 * its handlers saw.
 */
export async function startReceiver(path = '/webhooks/converc') {
  const received: Received[] = [];
  const events: AnyEvent[] = [];
  const webhooks = convercWebhooks().onAny((event) => {
    events.push(event);
  });
  const handle = createNodeHandler(webhooks, { path });
  const { url, server } = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body });
      // The stream is read now; the receiver takes the text as it would from express.text().
      Object.assign(req, { body });
      handle(req, res);
    });
  });
  return { url: `${url}${path}`, received, events, server };
}

/** A URL on 127.0.0.1 where nothing listens: a port that was just freed. */
export async function refusedUrl(): Promise<string> {
  const { url, server } = await serve(() => undefined);
  await closeServer(server);
  return `${url}/webhooks/converc`;
}

/** A fresh folder removed at cleanup, with `files` written in it. */
export function tempFolder(files: Record<string, string> = {}): string {
  const folder = mkdtempSync(join(tmpdir(), 'converc-cli-'));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  return folder;
}

/** Waits until `condition` holds, polling; fails after two seconds. */
export async function waitFor(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${what} not met within two seconds`);
}

/** Lines of JSON output, parsed. */
export function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

/**
 * Runs the CLI as a real process: `entry` is the node arguments that start it (the built
 * `dist/cli/main.js`, or `--import tsx src/cli/main.ts`), `args` the command line after it.
 */
export function spawnCli(entry: readonly string[], args: readonly string[]) {
  const child = spawn(process.execPath, [...entry, ...args], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}
