import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The Markdown we write: README.md and every page under docs/, but not docs/api (TypeDoc's output). */
export function docPages(root: string): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && path !== join(root, 'docs', 'api')) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) found.push(relative(root, path));
    }
  };
  walk(join(root, 'docs'));
  return found;
}
