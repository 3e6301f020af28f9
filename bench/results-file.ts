import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const RESULTS = join(__dirname, 'RESULTS.md');

const HEADER = `# Benchmark results

Each section is rewritten by the script named in it; the figures are from one machine and one run, so
compare ratios within a section, not absolute figures across machines.
`;

/**
 * Replaces the section `name` of bench/RESULTS.md, or appends it: the throughput run and the memory
 * run each own one section, and neither erases the other's.
 */
export function writeSection(name: string, markdown: string): void {
  const begin = `<!-- ${name}: begin -->`;
  const end = `<!-- ${name}: end -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : HEADER;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS, next);
  console.log(`\nwrote the "${name}" section of ${RESULTS}`);
}

/** Date, Node version, cores and load: what a reader needs to judge the figures below it. */
export function machineLine(): string {
  const cores = cpus();
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  return `${new Date().toISOString()} · Node ${process.version} · ${String(cores.length)} cores (${cores[0]?.model.trim() ?? 'unknown CPU'}) · load average ${load}`;
}

/**
 * The code measured: the commit, and whether src/ had uncommitted changes (dist/ is built from the
 * working tree, which others may be editing); of the checkout `directory` when given (a baseline build's).
 */
export function sourceLine(directory?: string): string {
  try {
    const git = (...args: string[]): string =>
      execFileSync('git', args, { cwd: directory, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const changed = git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean).length;
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed > 0 ? ` with ${String(changed)} uncommitted change(s) under src/` : ''}`;
  } catch {
    return 'commit unknown (not a git checkout)';
  }
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
