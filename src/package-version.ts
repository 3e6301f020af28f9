import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The package's version, read from its package.json at run time: one folder up from both `src` and
 * `dist`. Importing the JSON would put package.json outside the build's rootDir. For the CLI's
 * `--version` and the tracer's version; in neither's folder, so that the one loads nothing of the other.
 */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
