/**
 * `npm run bench:bombs`: what the worst bodies we know cost to validate, per MB, beside what `JSON.parse`
 * of the same text costs (issue 16: any body within `limit`, of any shape, is answered within a small
 * multiple of that). Each shape is a JSON body a stranger could send; the receiver parses it, then
 * `parseEvent` validates it. Both are timed on the same text, the fastest of a few runs kept.
 *
 *   npx tsx bench/bombs.ts [--runs 5]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, ensureBuilt, loadBuiltPackage } from './built-package';
import { machineLine, sourceLine, table, writeSection } from './results-file';

const SAMPLE = JSON.parse(readFileSync(join(ROOT, '__tests__', 'fixtures', 'call.ended.json'), 'utf8')) as {
  data: { qualificationAnswers: { question: object }[] } & Record<string, unknown>;
} & Record<string, unknown>;
const ANSWER = SAMPLE.data.qualificationAnswers[0] ?? { question: {} };

/** Bodies that made zod collect an issue per element, or that a validator might walk: each about 2 to 8 MB. */
const SHAPES: readonly { readonly name: string; readonly body: () => unknown }[] = [
  {
    name: 'a million zeros in qualificationAnswers',
    body: () => ({ ...SAMPLE, data: { ...SAMPLE.data, qualificationAnswers: Array<number>(1_000_000).fill(0) } }),
  },
  {
    name: '300,000 {} in qualificationAnswers',
    body: () => ({ ...SAMPLE, data: { ...SAMPLE.data, qualificationAnswers: Array.from({ length: 300_000 }, () => ({})) } }),
  },
  {
    name: '20,000 answers, each with 20 bad options',
    body: () => ({
      ...SAMPLE,
      data: {
        ...SAMPLE.data,
        qualificationAnswers: Array.from({ length: 20_000 }, () => ({ ...ANSWER, question: { ...ANSWER.question, options: Array<number>(20).fill(1) } })),
      },
    }),
  },
  {
    name: 'an unknown type whose data is a million zeros',
    body: () => ({ ...SAMPLE, type: 'call.future', data: Array<number>(1_000_000).fill(0) }),
  },
  {
    name: '300,000 unknown keys in data (valid)',
    body: () => ({ ...SAMPLE, data: { ...SAMPLE.data, ...Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`k${String(i)}`, 0])) } }),
  },
  {
    name: '25,000 valid answers (valid)',
    body: () => ({ ...SAMPLE, data: { ...SAMPLE.data, qualificationAnswers: Array.from({ length: 25_000 }, () => ANSWER) } }),
  },
];

function fastestMs(runs: number, work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Number(values.runs);
  ensureBuilt();
  const { parseEvent, isWebhookError } = loadBuiltPackage();
  const rows = SHAPES.map(({ name, body }) => {
    const text = JSON.stringify(body());
    const megabytes = Buffer.byteLength(text) / 1024 / 1024;
    const parseMs = fastestMs(runs, () => {
      JSON.parse(text);
    });
    const value: unknown = JSON.parse(text);
    let verdict = 'valid';
    const validateMs = fastestMs(runs, () => {
      try {
        parseEvent(value);
      } catch (error) {
        verdict = isWebhookError(error) ? `${error.code}, ${String(error.issues?.length ?? 0)} issue(s)` : String(error);
      }
    });
    console.log(`${name}: JSON.parse ${parseMs.toFixed(1)} ms, parseEvent ${validateMs.toFixed(1)} ms`);
    return [
      name,
      megabytes.toFixed(2),
      (parseMs / megabytes).toFixed(1),
      (validateMs / megabytes).toFixed(1),
      (validateMs / parseMs).toFixed(2),
      verdict,
    ];
  });
  const markdown = [
    '## Validation of hostile bodies (`npm run bench:bombs`)',
    `${machineLine()} · ${sourceLine()}. The fastest of ${String(runs)} runs of each, in process.`,
    table(['body', 'MB', 'JSON.parse ms/MB', 'parseEvent ms/MB', 'parseEvent ÷ JSON.parse', 'verdict'], rows),
  ].join('\n\n');
  console.log(`\n${markdown}`);
  writeSection('validation bombs', markdown);
}

main();
