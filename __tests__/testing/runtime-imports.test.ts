import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** The modules a file loads at run time: `import type` and `export type` lines load nothing. */
function runtimeSpecifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const statements = source.match(/^(?:import|export)\s[^;]*?from\s+'[^']+';/gms) ?? [];
  return statements
    .filter((statement) => !/^(?:import|export)\s+type\s/.test(statement))
    .map((statement) => /from\s+'([^']+)'/.exec(statement)?.[1] ?? '');
}

/** Every package the entry loads, following relative imports through src/. */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(file)) {
      if (specifier.startsWith('.')) {
        const base = join(dirname(file), specifier);
        const candidates = [`${base}.ts`, join(base, 'index.ts')];
        const next = candidates.find((candidate) => {
          try {
            readFileSync(candidate);
            return true;
          } catch {
            return false;
          }
        });
        if (next === undefined) throw new Error(`cannot resolve ${specifier} from ${file}`);
        visit(next);
      } else packages.add(specifier);
    }
  };
  visit(entry);
  return packages;
}

describe('what the test kit and the CLI load at run time', () => {
  const allowed = (name: string) => name.startsWith('node:') || builtinModules.includes(name) || name === 'zod' || name === 'lru-cache';

  it.each(['src/testing/index.ts', 'src/cli/main.ts'])('%s loads only Node built-ins and the package dependencies', (entry) => {
    const packages = [...packagesLoadedBy(join(root, entry))];
    expect(packages.filter((name) => !allowed(name))).toEqual([]);
    expect(packages).not.toEqual(expect.arrayContaining(['jest']));
  });

  it('notices a runtime import of a test tool, so the check above can fail', () => {
    expect(runtimeSpecifiers(join(root, '__tests__/testing/runtime-imports.test.ts'))).toContain('node:fs');
    expect(allowed('supertest')).toBe(false);
    expect(allowed('express')).toBe(false);
  });
});
