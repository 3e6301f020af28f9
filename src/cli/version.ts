import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The package's version, read from its package.json at run time: two folders up from both
 * `src/cli` and `dist/cli`. Importing the JSON would put package.json outside the build's rootDir.
 */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
