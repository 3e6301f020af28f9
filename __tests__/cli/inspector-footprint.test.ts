import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { INSPECTOR_PAGE_BYTES, inspectorPage } from '../../src/cli/listen/inspector-page';

const src = join(__dirname, '../../src');

/** Every source file `entry` imports, directly or not (relative imports only: the package's own). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const base = resolve(dirname(file), match[1] ?? '');
      const next = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (next !== undefined) visit(next);
    }
  };
  visit(entry);
  return seen;
}

describe('the inspector stays out of the middleware, and small', () => {
  it.each(['index.ts', 'testing/index.ts', 'redis/index.ts', 'bullmq/index.ts'])(
    'is not imported, however indirectly, by the package entry %s',
    (entry) => {
      const graph = [...importGraph(join(src, entry))];
      expect(graph.length).toBeGreaterThan(1);
      expect(graph.filter((file) => file.includes(`${join(src, 'cli')}/`))).toEqual([]);
    },
  );

  it('is one page of under 16 KiB (under 5 KiB gzipped), with nothing else to load', () => {
    const page = inspectorPage({ listenUrl: 'http://127.0.0.1:4000', forwardTo: 'http://127.0.0.1:3000/webhooks/converc' });
    expect(INSPECTOR_PAGE_BYTES).toBeLessThan(16 * 1024);
    expect(gzipSync(page).length).toBeLessThan(5 * 1024);
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import/);
  });

  it('fills its settings in as JSON that cannot close the script element', () => {
    const page = inspectorPage({ listenUrl: 'http://127.0.0.1:4000/</script><script>alert(1)</script>', forwardTo: null });
    expect(page).not.toContain('</script><script>alert(1)');
    expect(page).toContain('\\u003c/script>');
  });
});
