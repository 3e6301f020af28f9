import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as ConvercWebhooks from 'converc-webhooks';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');

const DIST_ENTRY = join(ROOT, 'dist', 'index.js');
/**
 * A folder holding another build's dist/ (an earlier commit's, say): when set, loadBuiltPackage loads
 * the package from it instead of this tree's dist/. `bench/run.ts --baseline <dir>` sets it for the
 * servers of variants 13 and 14 only; set for bench/run.ts itself, every server inherits it.
 */
export const DIST_ENV = 'CONVERC_BENCH_DIST';
const BUILD_INPUTS = [join(ROOT, 'src'), join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')];

/**
 * Runs `npm run build` unless dist/ is newer than everything it is built from. The servers load the
 * package from dist/, as users do: measuring through a TypeScript loader would measure the loader.
 */
export function ensureBuilt(): void {
  const built = mtimeOf(DIST_ENTRY);
  if (built !== undefined && BUILD_INPUTS.every((input) => newestMtime(input) <= built)) return;
  console.log('dist/ is missing or older than src/: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${String(build.status)})`);
}

/**
 * The package as published: dist/index.js (of the folder {@link DIST_ENV} names, when set), typed by this
 * tree's source.
 */
export function loadBuiltPackage(): typeof ConvercWebhooks {
  const other = otherBuild();
  const entry = other === undefined ? DIST_ENTRY : join(other, 'dist', 'index.js');
  return createRequire(__filename)(entry) as typeof ConvercWebhooks;
}

/** `converc-webhooks/prometheus` as published, from this tree's dist/ (only this build has it). */
export function loadBuiltPrometheus(): typeof import('converc-webhooks/prometheus') {
  return createRequire(__filename)(join(ROOT, 'dist', 'prometheus', 'index.js')) as typeof import('converc-webhooks/prometheus');
}

/** The folder named by {@link DIST_ENV}, made absolute; undefined when unset or empty. */
export function otherBuild(): string | undefined {
  const value = process.env[DIST_ENV];
  return value === undefined || value === '' ? undefined : resolve(value);
}

function mtimeOf(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}
