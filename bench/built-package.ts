import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type * as ConvercWebhooks from 'converc-webhooks';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');

const DIST_ENTRY = join(ROOT, 'dist', 'index.js');
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

/** The package as published: dist/index.js, typed by its source. */
export function loadBuiltPackage(): typeof ConvercWebhooks {
  return createRequire(__filename)(DIST_ENTRY) as typeof ConvercWebhooks;
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
