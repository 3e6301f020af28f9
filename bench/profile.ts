/**
 * `npm run bench:profile`: a CPU profile (`node --cpu-prof`) of one variant's server under the
 * benchmark's load, summarised as the functions with the most self time, overall and in our dist/.
 * The .cpuprofile file is kept (open it in Chrome DevTools or speedscope) and its path printed.
 *
 *   npx tsx bench/profile.ts [--variant 4] [--duration 10] [--connections 50]
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureBuilt } from './built-package';
import { runLoad } from './load';
import { table } from './results-file';
import { startServer } from './server-process';
import { VARIANTS } from './variants';

/** The parts of V8's .cpuprofile format read here. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

interface FunctionTime {
  readonly name: string;
  readonly where: string;
  self: number;
  total: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', default: '4' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
    },
  });
  // Variants 13 and 14 need bench/run.ts --baseline: here they would profile this tree's build.
  const profilable = VARIANTS.filter((candidate) => candidate.baselineBuild !== true);
  const variant = profilable.find((candidate) => candidate.id === Number(values.variant));
  if (variant === undefined) throw new TypeError(`--variant must be one of ${profilable.map((v) => v.id).join(', ')}`);
  ensureBuilt();

  const directory = mkdtempSync(join(tmpdir(), 'converc-webhooks-profile-'));
  const server = await startServer(variant.server, ['--cpu-prof', `--cpu-prof-dir=${directory}`]);
  try {
    const deliveries = variant.deliveries();
    const load = { server, path: variant.path, deliveries, connections: Number(values.connections) };
    // Start-up and the first, unoptimised requests would crowd the profile: they run before it counts.
    await runLoad({ ...load, duration: 2 });
    const measured = await runLoad({ ...load, duration: Number(values.duration) });
    console.log(`variant ${String(variant.id)} (${variant.title}): ${measured.requestsPerSecond.toFixed(0)} req/s, ` +
      `${measured.cpuMicrosPerRequest.toFixed(1)} µs CPU/req, others ${measured.otherCores.toFixed(2)} cores`);
  } finally {
    await server.stop();
  }

  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${directory}`);
  const path = join(directory, file);
  console.log(`profile: ${path}\n`);
  console.log(summarise(JSON.parse(readFileSync(path, 'utf8')) as CpuProfile));
}

/** Self and total time per function, in % of the samples the process was not idle. */
function summarise(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);

  const functions = new Map<string, FunctionTime>();
  let busy = 0;
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    busy += count;
    // Total time counts a function once per sample, however deep it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame === undefined) break;
      const key = `${frame.functionName} ${frame.url}:${String(frame.lineNumber)}`;
      let time = functions.get(key);
      if (time === undefined) {
        time = { name: frame.functionName || '(anonymous)', where: whereOf(frame.url, frame.lineNumber), self: 0, total: 0 };
        functions.set(key, time);
      }
      if (at === id) time.self += count;
      if (!seen.has(key)) time.total += count;
      seen.add(key);
    }
  }

  const millisPerSample = (profile.endTime - profile.startTime) / 1000 / profile.samples.length;
  const percent = (count: number): string => `${((100 * count) / busy).toFixed(1)}%`;
  const rows = (list: readonly FunctionTime[]) =>
    list.map((time) => [time.name, time.where, percent(time.self), percent(time.total)]);
  const all = [...functions.values()];
  const ours = all.filter((time) => time.where.startsWith('dist/'));
  const byArea = new Map<string, number>();
  for (const time of all) byArea.set(areaOf(time.where), (byArea.get(areaOf(time.where)) ?? 0) + time.self);

  return [
    `${String(busy)} busy samples (≈${(busy * millisPerSample).toFixed(0)} ms of CPU on the main thread)`,
    '### Self time by area',
    table(
      ['area', 'self'],
      [...byArea]
        .filter(([, count]) => count / busy >= 0.001)
        .sort((a, b) => b[1] - a[1])
        .map(([area, count]) => [area, percent(count)]),
    ),
    '### Top 25 functions by self time',
    table(['function', 'where', 'self', 'total'], rows(all.sort((a, b) => b.self - a.self).slice(0, 25))),
    '### Our code (dist/), by total time',
    table(['function', 'where', 'self', 'total'], rows(ours.sort((a, b) => b.total - a.total).slice(0, 20))),
  ].join('\n\n');
}

function whereOf(url: string, line: number): string {
  if (url === '') return '';
  const path = url.startsWith('file://') ? relative(ROOT, new URL(url).pathname) : url;
  return `${path}:${String(line + 1)}`;
}

/** `dist/…` is ours; a node_modules path is its package; `node:` is Node; the rest is V8 itself. */
function areaOf(where: string): string {
  if (where.startsWith('dist/')) return 'converc-webhooks (dist/)';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  if (where.startsWith('node:')) return 'Node.js (node:*)';
  return where === '' ? 'V8 / native (GC, program, builtins)' : 'other';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
