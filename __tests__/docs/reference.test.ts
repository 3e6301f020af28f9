import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ERROR_STATUS } from '../../src';

/**
 * The reference pages name every option, error code and export, each export in its entry point's
 * section; the options and error codes they list are all real. A name added to the API without a
 * line in docs/ fails here, as an undocumented export fails `npm run docs`.
 */
const root = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** Each entry point of the package (its `exports` map), as the source file that builds it. */
const ENTRY_POINTS = ['index', 'redis/index', 'bullmq/index', 'postgres/index', 'testing/index', 'otel/index', 'prometheus/index'];

const program = ts.createProgram(
  ENTRY_POINTS.map((entry) => join(root, 'src', `${entry}.ts`)),
  { strict: true, noEmit: true, skipLibCheck: true, esModuleInterop: true, module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
);
const checker = program.getTypeChecker();

function exportsOf(entry: string): ts.Symbol[] {
  const source = program.getSourceFile(join(root, 'src', `${entry}.ts`));
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`no module for src/${entry}.ts`);
  return checker.getExportsOfModule(module);
}

function optionNames(): string[] {
  const options = exportsOf('index').find((symbol) => symbol.getName() === 'ConvercWebhooksOptions');
  if (options === undefined) throw new Error('ConvercWebhooksOptions is not exported');
  return checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(options)).getProperties().map((property) => property.getName());
}

describe('docs/options.md', () => {
  const page = read('docs/options.md');
  const names = optionNames();

  it('finds the options', () => {
    expect(names).toEqual(expect.arrayContaining(['ack', 'limit', 'logger']));
  });

  it.each(names)('has a heading for `%s`, and a row in its table of options', (name) => {
    expect(page).toContain(`\n### \`${name}\`\n`);
    expect(page).toContain(`| [\`${name}\`](#${name.toLowerCase()}) |`);
  });

  it('has no heading for an option that does not exist', () => {
    const headings = [...page.matchAll(/^### `(\w+)`$/gm)].map((match) => match[1]);
    expect(headings.sort()).toEqual([...names].sort());
  });
});

describe('docs/http-contract.md', () => {
  const page = read('docs/http-contract.md');

  it.each(Object.entries(ERROR_STATUS))('lists `%s` with its status, %d, in the error codes', (code, status) => {
    expect(page).toContain(`| \`${code}\` | ${status} |`);
  });

  it('lists no code that does not exist', () => {
    const listed = [...page.matchAll(/^\| `(\w+)` \| \d{3} \|/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });
});

describe('docs/exports.md', () => {
  const page = read('docs/exports.md');
  /** The section of an entry point: `## \`converc-webhooks\`` or `## \`converc-webhooks/redis\``, to the next heading. */
  const sectionOf = (entry: string): string => {
    const name = entry === 'index' ? 'converc-webhooks' : `converc-webhooks/${entry.replace('/index', '')}`;
    const start = page.indexOf(`\n## \`${name}\`\n`);
    if (start === -1) throw new Error(`docs/exports.md has no section for ${name}`);
    const end = page.indexOf('\n## ', start + 1);
    return page.slice(start, end === -1 ? undefined : end);
  };

  it.each(ENTRY_POINTS.flatMap((entry) => exportsOf(entry).map((symbol) => ({ entry, name: symbol.getName() }))))(
    "names $name in the section of src/$entry.ts's entry point",
    ({ entry, name }) => {
      expect(sectionOf(entry)).toMatch(new RegExp(`\`${name}[\`(<\\[]`));
    },
  );
});
