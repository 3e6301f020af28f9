/**
 * `npm run bench:memory`: heap and RSS of the memory dedupe store remembering 10k, 100k and 1M ids.
 * Each count is measured in a fresh process run with --expose-gc, so no measurement inherits another's
 * garbage; a count of 0 measures the process itself. Prints a table and writes it to bench/RESULTS.md.
 *
 *   npx tsx bench/memory.ts
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { ROOT, ensureBuilt, loadBuiltPackage } from './built-package';
import { machineLine, sourceLine, table, writeSection } from './results-file';

const COUNTS = [0, 10_000, 100_000, 1_000_000];
/** The target for 1M remembered ids. */
const HEAP_LIMIT_MB = 150;
const CHILD_TIMEOUT_MS = 120_000;

interface Sample {
  readonly count: number;
  /** Bytes of V8 heap in use after a full GC. */
  readonly heapUsed: number;
  /** Bytes outside the V8 heap (ArrayBuffers: lru-cache keeps its index arrays there). */
  readonly external: number;
  readonly rss: number;
  /** What filling the store added to each, in bytes. */
  readonly heapAdded: number;
  readonly externalAdded: number;
  readonly rssAdded: number;
}

/** In the child: fill a store the way the receiver does (claim, then complete) with UUID-like ids. */
function measure(count: number): Sample {
  const { gc } = globalThis;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const { MemoryDedupeStore } = loadBuiltPackage();
  gc();
  const before = process.memoryUsage();
  const store = new MemoryDedupeStore({ max: Math.max(1, count) });
  for (let index = 0; index < count; index++) {
    const claim = store.claim(wireId());
    if (claim !== null) store.complete(claim);
  }
  gc();
  const after = process.memoryUsage();
  return {
    count: store.size,
    heapUsed: after.heapUsed,
    external: after.external,
    rss: after.rss,
    heapAdded: after.heapUsed - before.heapUsed,
    externalAdded: after.external - before.external,
    rssAdded: after.rss - before.rss,
  };
}

/**
 * A random UUID as the receiver gets an id: a flat string decoded from the request's bytes.
 * `randomUUID()` itself returns a rope of some twenty concatenated pieces, about 490 bytes of heap
 * where the id off the wire takes 56: stored as is, it would measure crypto, not the store.
 */
function wireId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1');
}

function measureInChild(count: number): Sample {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child', String(count)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: CHILD_TIMEOUT_MS,
  });
  if (child.status !== 0) throw new Error(`measuring ${String(count)} ids failed (exit ${String(child.status ?? child.signal)})`);
  return JSON.parse(child.stdout) as Sample;
}

// Rounded first, so that a few bytes freed print as 0.0 rather than -0.0.
const mb = (bytes: number): string => (Math.round(bytes / 104_857.6) / 10).toFixed(1);

function main(): void {
  ensureBuilt();
  const samples = COUNTS.map(measureInChild);
  const rows = samples.map((sample) => [
    sample.count.toLocaleString('en-US'),
    mb(sample.heapUsed),
    mb(sample.heapAdded),
    mb(sample.external),
    mb(sample.rss),
    mb(sample.rssAdded),
    sample.count === 0 ? '' : ((sample.heapAdded + sample.externalAdded) / sample.count).toFixed(0),
  ]);
  const million = samples.find((sample) => sample.count === 1_000_000);
  const verdict =
    million === undefined
      ? ''
      : `1M ids: ${mb(million.heapUsed)} MB of heap in use (${mb(million.heapAdded + million.externalAdded)} MB added by the store, ` +
        `ArrayBuffers included): target < ${String(HEAP_LIMIT_MB)} MB ${million.heapUsed / 1024 / 1024 < HEAP_LIMIT_MB ? 'met' : '**missed**'}.`;
  const markdown = [
    '## Memory of the dedupe store (`npm run bench:memory`)',
    `${machineLine()} · ${sourceLine()}`,
    '`npx tsx bench/memory.ts`: `new MemoryDedupeStore({ max: n })` (from dist/) filled with n random UUIDs ' +
      '(flat strings, as decoded off the wire) by `claim()` then `complete()`, measured after a full GC, each n ' +
      'in a fresh `node --expose-gc` process (which also loads tsx: the 0 row is that overhead). MB are MiB.',
    table(['ids', 'heap used MB', 'heap added MB', 'external MB', 'RSS MB', 'RSS added MB', 'bytes per id'], rows),
    verdict,
  ].join('\n\n');
  console.log(markdown);
  writeSection('memory', markdown);
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  try {
    process.stdout.write(JSON.stringify(measure(Number(process.argv[childAt + 1]))));
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
} else {
  try {
    main();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  }
}
