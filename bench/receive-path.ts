/**
 * `npm run bench:receive`: what one delivery costs inside the receiver, with no HTTP and no sockets,
 * stage by stage. In-process figures are steadier than the HTTP benchmark's on a shared machine, so
 * they tell which change moved what; the HTTP benchmark (`npm run bench`) remains the judge.
 *
 *   npx tsx bench/receive-path.ts [--deliveries 20000] [--batches 15]
 *
 * Each stage runs in batches of fresh deliveries (new ids, so dedupe stores every one); the fastest
 * batch is kept, since a slower one measured the machine, not the code. One more batch per stage
 * counts the bytes it allocates: garbage is paid for in scavenges that a server's busy heap makes
 * dearer than they are here, and unlike time, the count does not drift with the machine.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ROOT, ensureBuilt, loadBuiltPackage, loadBuiltPrometheus } from './built-package';
import { machineLine, sourceLine, table, writeSection } from './results-file';
import type { Delivery, Receiver } from '../src/core/receiver';
import type { ConvercWebhooks } from 'converc-webhooks';

interface Stage {
  readonly name: string;
  readonly what: string;
  /** Runs the stage once per body; resolves when all have been handled. */
  readonly run: (bodies: readonly string[], ids: readonly string[]) => Promise<void> | void;
  /** Untimed work before `run`, on the same deliveries. */
  readonly prepare?: (bodies: readonly string[], ids: readonly string[]) => Promise<void>;
}

const SAMPLE = JSON.parse(readFileSync(join(ROOT, '__tests__', 'fixtures', 'call.ended.json'), 'utf8')) as { id: string };

function freshBatch(count: number): { bodies: string[]; ids: string[] } {
  const bodies: string[] = [];
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = randomUUID();
    ids.push(id);
    bodies.push(JSON.stringify({ ...SAMPLE, id }));
  }
  return { bodies, ids };
}

function deliveryOf(body: string, id: string): Delivery {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ic-id': id },
    readBody: () => Promise.resolve({ text: body, bytes: Buffer.byteLength(body) }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { deliveries: { type: 'string', default: '20000' }, batches: { type: 'string', default: '15' } },
  });
  const count = Number(values.deliveries);
  const batches = Number(values.batches);
  ensureBuilt();
  const built = loadBuiltPackage();
  const { convercWebhooks, parseEvent } = built;
  const { receiverOf } = createRequire(__filename)(join(ROOT, 'dist', 'core', 'receivers.js')) as {
    receiverOf: (webhooks: ConvercWebhooks) => Receiver;
  };
  const noop = (): void => undefined;
  // The receiver the duplicate stage prepares (processing each delivery once) and then measures.
  let duplicates = convercWebhooks();
  const receiving = (webhooks: () => ConvercWebhooks, expected: string) => async (bodies: readonly string[], ids: readonly string[]) => {
    const receiver = receiverOf(webhooks());
    for (let index = 0; index < bodies.length; index++) {
      const outcome = await receiver.receive(deliveryOf(bodies[index] ?? '', ids[index] ?? ''));
      if (outcome.kind !== expected) throw new Error(`unexpected outcome ${outcome.kind}`);
    }
  };
  const stages: readonly Stage[] = [
    {
      name: 'JSON.parse',
      what: 'the body to a value; the floor (variant 1) does this and nothing more',
      run: (bodies) => {
        for (const body of bodies) JSON.parse(body);
      },
    },
    {
      name: 'JSON.parse + parseEvent',
      what: 'plus validation against the call.ended schema',
      run: (bodies) => {
        for (const body of bodies) parseEvent(JSON.parse(body));
      },
    },
    {
      name: 'receive, no dedupe, no handler',
      what: 'the core: screen, parse, validate, answer `ignored`',
      run: receiving(() => convercWebhooks({ dedupe: false }), 'ignored'),
    },
    {
      name: 'receive, no dedupe, one handler',
      what: 'plus dispatch to a no-op handler',
      run: receiving(() => convercWebhooks({ dedupe: false }).on('call.ended', noop), 'processed'),
    },
    {
      name: 'receive, memory dedupe, one handler',
      what: 'plus X-IC-Id lookup, claim and complete: what variants 4 and 5 run',
      run: receiving(() => convercWebhooks({ dedupe: { max: count } }).on('call.ended', noop), 'processed'),
    },
    {
      name: 'receive, a known duplicate',
      what: 'an X-IC-Id already processed, answered before the body is read (variant 6)',
      prepare: (bodies, ids) => {
        duplicates = convercWebhooks({ dedupe: { max: count } }).on('call.ended', noop);
        return receiving(() => duplicates, 'processed')(bodies, ids);
      },
      run: receiving(() => duplicates, 'duplicate'),
    },
    // Issue 18, only in a build that has them (not an earlier one given by CONVERC_BENCH_DIST).
    ...('consoleLogger' in built ? observedStages() : []),
  ];

  /** The full path again with pino writing to /dev/null, and with prom-client metrics. */
  function observedStages(): Stage[] {
    const logger = pino(pino.destination({ dest: '/dev/null', sync: false }));
    const { collectMetrics } = loadBuiltPrometheus();
    return [
      {
        name: 'receive, memory dedupe, one handler, pino to /dev/null',
        what: 'plus the `logger` option: one line per delivery',
        run: receiving(() => convercWebhooks({ dedupe: { max: count }, logger }).on('call.ended', noop), 'processed'),
      },
      {
        name: 'receive, memory dedupe, one handler, collectMetrics',
        what: 'plus `converc-webhooks/prometheus`: eight metric updates per delivery',
        run: receiving(() => {
          const webhooks = convercWebhooks({ dedupe: { max: count } }).on('call.ended', noop);
          collectMetrics(webhooks, { registry: new Registry() });
          return webhooks;
        }, 'processed'),
      },
    ];
  }

  const best = new Map<string, number>();
  for (let batch = 0; batch < batches; batch++) {
    for (const stage of stages) {
      const { bodies, ids } = freshBatch(count);
      await stage.prepare?.(bodies, ids);
      const started = process.hrtime.bigint();
      await stage.run(bodies, ids);
      const nanos = Number(process.hrtime.bigint() - started) / count;
      best.set(stage.name, Math.min(best.get(stage.name) ?? Number.POSITIVE_INFINITY, nanos));
    }
  }

  const allocated = new Map<string, number>();
  for (const stage of stages) {
    const { bodies, ids } = freshBatch(count);
    await stage.prepare?.(bodies, ids);
    allocated.set(stage.name, (await bytesAllocatedBy(() => stage.run(bodies, ids))) / count);
  }

  const full = best.get('receive, memory dedupe, one handler') ?? Number.NaN;
  const markdown = [
    '## The receive path in-process (`npm run bench:receive`)',
    `${machineLine()} · ${sourceLine()}.`,
    `\`npx tsx bench/receive-path.ts --deliveries ${String(count)} --batches ${String(batches)}\`: each stage handles ` +
      `${String(count)} fresh \`call.ended\` deliveries per batch, body already read (no HTTP, no sockets); the fastest of ` +
      `${String(batches)} batches is kept. "KB allocated" is what one more batch allocated on the heap, per delivery ` +
      '(the harness\'s own delivery object, about what an adapter builds, included).',
    table(
      ['stage', 'µs per delivery', 'share of the full path', 'KB allocated', 'what it adds'],
      stages.map((stage) => {
        const nanos = best.get(stage.name) ?? Number.NaN;
        const bytes = allocated.get(stage.name) ?? Number.NaN;
        return [stage.name, (nanos / 1000).toFixed(2), `${((100 * nanos) / full).toFixed(0)}%`, (bytes / 1024).toFixed(2), stage.what];
      }),
    ),
  ].join('\n\n');
  console.log(markdown);
  writeSection('receive path', markdown);
}

/**
 * Bytes allocated on the heap while `run` runs: the growth of the used heap between collections, summed
 * (V8 counts no total of its own that Node exposes).
 */
async function bytesAllocatedBy(run: () => Promise<void> | void): Promise<number> {
  const profiler = new GCProfiler();
  profiler.start();
  const before = getHeapStatistics().used_heap_size;
  await run();
  const after = getHeapStatistics().used_heap_size;
  const collections = profiler.stop().statistics;
  let total = 0;
  let from = before;
  for (const collection of collections) {
    total += collection.beforeGC.heapStatistics.usedHeapSize - from;
    from = collection.afterGC.heapStatistics.usedHeapSize;
  }
  return total + after - from;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
