import { parseArgs } from 'node:util';
import { deliver } from '../../testing/deliver';
import { CliError, usageError } from '../cli-error';
import type { Command, CommandContext } from '../command';
import { describeNetworkError, describeResult, errorCode, isSuccess, isUnreachable } from '../describe-delivery';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes';
import { headerOptions, integerOption, parseOptions, positiveNumberOption } from '../parse-options';
import { answerOutcome, countOutcomes, noAnswerOutcome, type AnswerOutcome } from '../answer-outcome';
import { rateGate } from '../rate-gate';
import { replayProgress } from '../replay-progress';
import { describeUnparsable, readEvents, type EventRecord } from '../read-events';
import { urlOption } from '../url-option';

const HELP = `Usage: converc-webhooks replay <file.jsonl | file.json | folder> --url <url> [options]

Delivers stored events again, such as the raw bodies an app saved from onError. Each is sent exactly
as stored, with its id in X-IC-Id. A .jsonl file holds one event per line; a .json file one event or
an array of them; a folder, such files (read in name order).

Options:
  --url <url>              where to send them, http or https (required)
  --concurrency <n>        deliveries in flight at once (default: 1, one after the other, in order)
  --rate <n>               start at most n deliveries a second, decimals allowed (default: no limit)
  --header <'Name: value'> add a request header, repeatable
  --token <secret>         send Authorization: Bearer <secret>
  --timeout <ms>           how long to wait for each answer (default: 8000, as the provider)
  --json                   print the summary as one JSON object
  -h, --help               show this help

Nothing is sent when a stored event is not JSON (run validate to see every problem). The replay stops
early when the host cannot be reached, and on Ctrl-C; what was not sent is counted in the summary.
On a terminal, a progress bar (percent, rate, ETA) is drawn on standard error; elsewhere (a pipe, CI)
a progress line is written there every five seconds. The summary counts outcomes as the receiver's
answers name them (processed, duplicate, ignored, accepted, refused by code, failed); --json also
counts HTTP statuses.

Exit codes: 0 every event was answered 2xx; 1 one was not, the host could not be reached, or the
replay was interrupted; 2 bad usage, or an input that cannot be read or is not JSON.

Examples:
  converc-webhooks replay dead-letters.jsonl --url http://localhost:3000/webhooks/converc
  converc-webhooks replay ./saved-events --url https://staging.example.com/webhooks/converc --concurrency 4 --rate 10
`;

const options = {
  url: { type: 'string' },
  concurrency: { type: 'string' },
  rate: { type: 'string' },
  header: { type: 'string', multiple: true },
  token: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface Settings {
  readonly url: URL;
  readonly concurrency: number;
  readonly rate: number | undefined;
  readonly headers: Record<string, string>;
  readonly token: string | undefined;
  readonly timeoutMs: number | undefined;
}

/** The fate of one stored event. */
type Outcome = { readonly source: string; readonly id: string | null; readonly outcome: AnswerOutcome } & (
  | { readonly ok: boolean; readonly status: number; readonly body: unknown; readonly summary: string }
  | { readonly ok: false; readonly error: { readonly code: string | undefined; readonly message: string } }
);

/** `replay`: delivers stored events, with a progress line and a summary by status. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'deliver stored events again (a .jsonl file, a .json file or a folder)',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('replay', () =>
      parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    );
    const [path, ...extra] = positionals;
    if (path === undefined) throw usageError('give the file or folder of events to replay', 'replay');
    if (extra.length > 0) throw usageError(`replay takes one file or folder, got ${positionals.join(' ')}`, 'replay');
    const settings: Settings = {
      url: urlOption(values.url, 'replay'),
      concurrency:
        values.concurrency === undefined ? 1 : integerOption(values.concurrency, '--concurrency', 'replay', 1, 256),
      rate: values.rate === undefined ? undefined : positiveNumberOption(values.rate, '--rate', 'replay'),
      headers: headerOptions(values.header, 'replay'),
      token: values.token,
      timeoutMs: values.timeout === undefined ? undefined : integerOption(values.timeout, '--timeout', 'replay', 1),
    };
    const records = await readEvents(path, context.io, 'replay');
    const unparsable = describeUnparsable(records);
    if (unparsable !== undefined) throw new CliError(unparsable, EXIT_USAGE);

    const started = context.clock.now();
    const { outcomes, stopped } = await replayAll(records, settings, context);
    const report = summarize(records.length, outcomes, stopped, context.clock.now() - started);
    if (values.json === true) context.out(JSON.stringify({ url: settings.url.href, ...report }));
    else printSummary(report, settings.url, context);
    return report.ok ? EXIT_OK : EXIT_FAILED;
  },
};

async function replayAll(records: readonly EventRecord[], settings: Settings, context: CommandContext) {
  const { signal } = context.io;
  const outcomes: Outcome[] = [];
  const progress = replayProgress(context);
  let failed = 0;
  const gate = rateGate(settings.rate, context.clock, signal);
  let next = 0;
  let stopped: string | undefined;

  const sendOne = async (record: EventRecord): Promise<Outcome> => {
    const event = record.parsed.ok ? record.parsed.value : undefined;
    const id = idOf(event);
    try {
      const result = await deliver(settings.url, event, {
        body: record.text,
        headers: settings.headers,
        ...(settings.token === undefined ? {} : { token: settings.token }),
        ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      });
      const summary = describeResult(result, context.color);
      const { status, body } = result;
      return { source: record.source, id, outcome: answerOutcome(status, body), ok: isSuccess(status), status, body, summary };
    } catch (error) {
      // Once the host cannot be reached, every later delivery would fail the same way: stop sending.
      if (isUnreachable(error)) stopped ??= describeNetworkError(error, settings.url);
      const message = describeNetworkError(error, settings.url);
      const code = errorCode(error);
      return { source: record.source, id, outcome: noAnswerOutcome(code), ok: false, error: { code, message } };
    }
  };

  const worker = async () => {
    for (;;) {
      if (signal?.aborted === true) stopped ??= 'interrupted';
      const record = stopped === undefined ? records[next] : undefined;
      if (record === undefined) return;
      next++;
      await gate();
      if (signal?.aborted === true) {
        stopped ??= 'interrupted';
        return;
      }
      const outcome = await sendOne(record);
      outcomes.push(outcome);
      if (!outcome.ok) failed++;
      progress.update({ done: outcomes.length, total: records.length, failed });
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, records.length) }, worker));
  progress.clear();
  return { outcomes, stopped };
}

function summarize(total: number, outcomes: readonly Outcome[], stopped: string | undefined, durationMs: number) {
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = 'status' in outcome ? String(outcome.status) : (outcome.error.code ?? 'error');
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const failures = outcomes
    .filter((outcome) => !outcome.ok)
    .map((outcome) => {
      const { source, id } = outcome;
      if ('status' in outcome) {
        const { status, body, summary } = outcome;
        return { source, id, status, body, summary };
      }
      return { source, id, error: outcome.error };
    })
    .sort((a, b) => a.source.localeCompare(b.source, 'en', { numeric: true }));
  const delivered = outcomes.length - failures.length;
  return {
    ok: failures.length === 0 && outcomes.length === total,
    total,
    sent: outcomes.length,
    delivered,
    failed: failures.length,
    notSent: total - outcomes.length,
    stopped: stopped ?? null,
    durationMs,
    outcomes: countOutcomes(outcomes.map((outcome) => outcome.outcome)),
    statuses,
    failures,
  };
}

/** At most this many failures are listed on screen; `--json` lists them all. */
const MAX_LISTED_FAILURES = 20;

function printSummary(report: ReturnType<typeof summarize>, url: URL, context: CommandContext): void {
  const { out, err, color, errColor } = context;
  if (report.total === 0) {
    out('No events to replay.');
    return;
  }
  const seconds = (report.durationMs / 1000).toFixed(1);
  out(`Replayed ${report.sent} of ${report.total} events to ${url.href} in ${seconds} s`);
  const { delivered, refused, failed } = report.outcomes;
  const rows = [
    ...Object.entries(delivered)
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([status, count]) => ({ count, label: color.green(status) })),
    ...Object.entries(refused).map(([code, count]) => ({ count, label: `${color.red('refused')} ${code}` })),
    ...Object.entries(failed).map(([code, count]) => ({ count, label: `${color.red('failed')} ${code}` })),
  ];
  const width = Math.max(...rows.map((row) => String(row.count).length));
  for (const row of rows) out(`  ${String(row.count).padStart(width)} ${row.label}`);
  if (report.failures.length > 0) {
    out(color.bold('Failed:'));
    for (const failure of report.failures.slice(0, MAX_LISTED_FAILURES)) {
      const what = 'summary' in failure ? failure.summary : color.red(failure.error.message);
      out(`  ${failure.source}  ${failure.id ?? '(no id)'}  ${what}`);
    }
    if (report.failures.length > MAX_LISTED_FAILURES) {
      out(`  … and ${report.failures.length - MAX_LISTED_FAILURES} more (--json lists them all)`);
    }
  }
  if (report.stopped !== null) {
    err(`${errColor.red('stopped:')} ${report.stopped}; ${report.notSent} of ${report.total} events not sent`);
  }
}

/** The order of a 2xx outcome in the summary: the receiver's four first, then anything else. */
const DELIVERED_ORDER = ['processed', 'accepted', 'duplicate', 'ignored'];
const rank = (status: string) => {
  const index = DELIVERED_ORDER.indexOf(status);
  return index < 0 ? DELIVERED_ORDER.length : index;
};

function idOf(event: unknown): string | null {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}
