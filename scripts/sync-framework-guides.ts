/**
 * Copies each code example of the framework guides (docs/frameworks/*.md) from the tested example it
 * names, so that a guide cannot drift from code the tests run:
 *
 *   <!-- example: examples/frameworks/nestjs/app.ts#main -->
 *   ```ts
 *   (the lines between `// #region main` and `// #endregion` in that file, dedented)
 *   ```
 *
 *   npx tsx scripts/sync-framework-guides.ts     # rewrites the guides; __tests__/docs checks them
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GUIDES_DIR = 'docs/frameworks';

const MARKER = /^<!-- example: (\S+)#(\S+) -->\n```ts\n[\s\S]*?^```$/gm;

/** The guide with each marked code block replaced by the region it names, read with `read(path)`. */
export function syncGuide(markdown: string, read: (path: string) => string): string {
  return markdown.replace(MARKER, (_, file: string, region: string) => {
    return `<!-- example: ${file}#${region} -->\n\`\`\`ts\n${regionOf(read(file), region, file)}\n\`\`\``;
  });
}

/** The paths and regions a guide quotes, in order. */
export function quotedRegions(markdown: string): string[] {
  return [...markdown.matchAll(MARKER)].map((match) => `${match[1] ?? ''}#${match[2] ?? ''}`);
}

/** The lines between `// #region <name>` and the next `// #endregion`, without their common indent. */
export function regionOf(source: string, name: string, file = 'the file'): string {
  const lines = source.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.trim() === '// #endregion');
  if (start === -1 || end === -1) throw new Error(`${file} has no region "${name}"`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((line) => line.trim() !== '').map((line) => line.length - line.trimStart().length));
  return body.map((line) => line.slice(indent)).join('\n');
}

/** Every guide, by path. */
export function guidePaths(root: string): string[] {
  return readdirSync(join(root, GUIDES_DIR))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(GUIDES_DIR, name));
}

if (require.main === module) {
  const root = join(__dirname, '..');
  const read = (path: string): string => readFileSync(join(root, path), 'utf8');
  for (const guide of guidePaths(root)) {
    const before = read(guide);
    const after = syncGuide(before, read);
    if (after !== before) {
      writeFileSync(join(root, guide), after);
      console.log(`updated ${guide}`);
    }
  }
}
