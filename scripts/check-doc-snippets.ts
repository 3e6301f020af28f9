/**
 * `npm run check:snippets`: every TypeScript block of README.md and docs/ type-checks against the built
 * package, so that no snippet drifts from the API.
 *
 * Each fenced `ts` block is a module of its own (an ES module, so top-level `await` works), importing
 * `converc-webhooks` as a user would: the package's own exports, resolved to `dist/`. A snippet may use
 * names it does not define (`app`, `crm`, `webhooks`) when the page declares them in a hidden preamble,
 * an HTML comment that starts with `snippet-preamble`. It is put before each block that follows it, up
 * to the next preamble (so a page may start with one and change it before a block that needs another):
 *
 *     <!-- snippet-preamble
 *     declare const crm: { logCall(...args: unknown[]): Promise<void> };
 *     -->
 *
 * Errors are reported at the page's own line. Run `npm run build` first (CI does).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { docPages } from './doc-pages';

const ROOT = join(__dirname, '..');
/** Inside the package, so that `converc-webhooks` resolves to the package itself, as published. */
const OUT = join(ROOT, '.doc-snippets');

interface Snippet {
  readonly page: string;
  /** The page's line of the block's first line of code. */
  readonly line: number;
  readonly file: string;
  /** Lines put before the code (the page's preamble), to subtract when reporting. */
  readonly offset: number;
}

/** Writes each block of `page` as a module, after the preamble in effect there; returns where each came from. */
function extract(page: string, index: { next: number }): Snippet[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let preamble: string[] = [];
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at] ?? '';
    if (/^<!--\s*snippet-preamble\s*$/.test(line)) {
      const end = lines.indexOf('-->', at);
      if (end === -1) throw new Error(`${page}:${String(at + 1)}: a snippet-preamble comment is never closed by a line "-->"`);
      preamble = lines.slice(at + 1, end);
      at = end;
      continue;
    }
    if (!/^```(ts|typescript)\s*$/.test(line)) continue;
    const start = at + 1;
    let end = start;
    while (end < lines.length && !(lines[end] ?? '').startsWith('```')) end++;
    const file = join(OUT, `snippet-${String(index.next++)}.mts`);
    writeFileSync(file, [...preamble, ...lines.slice(start, end), 'export {};', ''].join('\n'));
    snippets.push({ page, line: start + 1, file, offset: preamble.length });
    at = end;
  }
  return snippets;
}

function main(): void {
  if (!existsSync(join(ROOT, 'dist', 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT);
  try {
    const index = { next: 1 };
    const snippets = docPages(ROOT).flatMap((page) => extract(page, index));
    const program = ts.createProgram(
      snippets.map((snippet) => snippet.file),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.Node16,
        moduleResolution: ts.ModuleResolutionKind.Node16,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: ['node', 'jest'],
        strict: true,
        // The NestJS guide's decorators are TypeScript's legacy ones, as in the repo's tsconfig.
        experimentalDecorators: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
      },
    );
    const diagnostics = ts.getPreEmitDiagnostics(program);
    for (const diagnostic of diagnostics) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const snippet = snippets.find((candidate) => candidate.file === diagnostic.file?.fileName);
      if (snippet === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
        console.error(`error: ${message}`);
        continue;
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const where = line < snippet.offset ? `${snippet.page} (its snippet-preamble)` : `${snippet.page}:${String(snippet.line + line - snippet.offset)}`;
      console.error(`${where}: ${message}`);
    }
    const pageCount = new Set(snippets.map((snippet) => snippet.page)).size;
    console.log(`${String(snippets.length)} TypeScript blocks in ${String(pageCount)} pages: ${String(diagnostics.length)} errors`);
    if (diagnostics.length > 0) process.exitCode = 1;
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}

main();
