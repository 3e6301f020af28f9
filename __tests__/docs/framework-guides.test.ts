import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { guidePaths, quotedRegions, regionOf, syncGuide } from '../../scripts/sync-framework-guides';

const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const guides = guidePaths(root);

describe('the framework guides (docs/frameworks)', () => {
  it('has one page per framework', () => {
    expect(guides.map((path) => path.split('/').at(-1)).sort()).toEqual(['express.md', 'fastify.md', 'hono.md', 'nestjs.md', 'nextjs.md']);
  });

  it.each(guides)('%s quotes its code from tested examples, as they are now (npx tsx scripts/sync-framework-guides.ts)', (guide) => {
    const markdown = read(guide);
    expect(quotedRegions(markdown).length).toBeGreaterThan(0);
    expect(syncGuide(markdown, read)).toBe(markdown);
  });

  it.each(guides)('%s has no code block that is not quoted from a tested example', (guide) => {
    const blocks = read(guide).match(/^```ts$/gm) ?? [];
    expect(blocks).toHaveLength(quotedRegions(read(guide)).length);
  });

  it('is linked from the README, page by page', () => {
    const readme = read('README.md');
    for (const guide of guides) expect(readme).toContain(`(${guide})`);
  });

  it('refuses a region that is not in the file, naming it', () => {
    expect(() => regionOf('// #region a\nx\n// #endregion', 'b', 'f.ts')).toThrow('f.ts has no region "b"');
    expect(regionOf('  // #region a\n    x\n      y\n  // #endregion', 'a')).toBe('x\n  y');
  });
});
