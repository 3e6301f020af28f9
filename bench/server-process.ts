import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './built-package';
import { processCpuMicros } from './proc-stat';
import type { ServerKind } from './variants';

/** A benchmark server running in a child process. */
export interface ServerProcess {
  readonly pid: number;
  readonly port: number;
  /** CPU time the process has used so far (user + system, all threads), in microseconds. */
  cpuMicros(): number;
  /** Ends the process (gracefully, so a --cpu-prof profile is written) and resolves once it has exited. */
  stop(): Promise<void>;
}

const SERVE_VARIANT = join(__dirname, 'serve-variant.ts');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

const running = new Set<ChildProcess>();
let cleanupInstalled = false;

/**
 * Starts `bench/serve-variant.ts <kind>` under `node [nodeFlags] --import tsx` and resolves once it
 * listens. tsx only compiles the small server file at start-up; the package comes from dist/ (another
 * build's when `env` sets CONVERC_BENCH_DIST: see built-package.ts). `env` adds to this process's.
 */
export function startServer(
  kind: ServerKind,
  nodeFlags: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> {
  installCleanup();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', SERVE_VARIANT, kind], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      running.delete(child);
      resolve();
    });
  });

  return new Promise((resolve, reject) => {
    let listening = false;
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`server ${kind}: ${reason}`));
    };
    const timer = setTimeout(() => {
      fail(`did not listen within ${String(START_TIMEOUT_MS)} ms`);
    }, START_TIMEOUT_MS);
    child.once('error', (error) => {
      fail(error.message);
    });
    child.once('exit', (code, signal) => {
      if (!listening) fail(`exited before listening (${String(signal ?? code)})`);
    });
    child.once('message', (message: { port?: unknown }) => {
      const { pid } = child;
      if (typeof message.port !== 'number' || pid === undefined) {
        fail('reported no port');
        return;
      }
      listening = true;
      clearTimeout(timer);
      resolve({
        pid,
        port: message.port,
        cpuMicros: () => processCpuMicros(pid),
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
            child.kill('SIGTERM');
            await exited;
            clearTimeout(killer);
          }
        },
      });
    });
  });
}

/** However the harness ends (done, thrown, Ctrl-C), no server outlives it. */
function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the servers`);
      process.exit(130);
    });
  }
}
