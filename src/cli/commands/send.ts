import { parseArgs } from 'node:util';
import { EVENT_TYPES, type ConvercEventType } from '../../events/event-types';
import { createTestEvent } from '../../testing/create-test-event';
import { deliver, type DeliverOptions } from '../../testing/deliver';
import { CliError, usageError } from '../cli-error';
import type { Command, CommandContext } from '../command';
import { describeNetworkError, describeResult, errorCode, isSuccess, isUnreachable } from '../describe-delivery';
import { eventTypeArgument } from '../event-type-argument';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type ExitCode } from '../exit-codes';
import { headerOptions, integerOption, parseOptions } from '../parse-options';
import { callLifecycle, LIFECYCLE_PATHS, type LifecyclePath } from '../call-lifecycle';
import { readEvents } from '../read-events';
import { applyAssignment, parseAssignment } from '../set-option';
import { urlOption } from '../url-option';

const HELP = `Usage: converc-webhooks send <type> --url <url> [options]
       converc-webhooks send --file <event.json> --url <url> [options]
       converc-webhooks send --lifecycle [--path answered|missed|canceled] --url <url> [options]

Builds a realistic event of <type> (fresh ids, current timestamps), or reads one from a file, and
POSTs it the way Converc does: a JSON body, with the event's id in the X-IC-Id header. With
--lifecycle, sends one call's whole life in order instead: one call id, timestamps that agree.

Types: ${EVENT_TYPES.join(', ')}

Options:
  --url <url>              where to send it, http or https (required unless --dry-run)
  --file <path>            send the event in this file instead of building one (sent as stored)
  --id <id>                the event's id, and so its X-IC-Id (default: a fresh one)
  --set <path=value>       set a field, repeatable; the value is JSON when it parses, else text:
                           --set data.call.status=missed --set data.contact.phone=null
                           --set 'data.qualificationAnswers[0].answer.value=["a","b"]'
  --repeat <n>             send the same event, same id, n times, to see dedupe work (default: 1)
  --lifecycle              send a call's life: requested, accepted, ended, transcript_ready and
                           recording_ready (or requested then missed, or requested then canceled)
  --path <path>            with --lifecycle: answered, missed or canceled (default: answered)
  --gap <ms>               with --lifecycle: wait this long between steps (default: 0)
  --header <'Name: value'> add a request header, repeatable
  --token <secret>         send Authorization: Bearer <secret>
  --timeout <ms>           how long to wait for each answer (default: 8000, as the provider)
  --dry-run                print the event as JSON and send nothing
  --json                   print the result as one JSON object
  -h, --help               show this help

Exit codes: 0 every delivery was answered 2xx; 1 one was not, or the host could not be reached;
2 bad usage (an unknown type, a bad URL, a file that cannot be read or is not JSON).

Examples:
  converc-webhooks send call.ended --url http://localhost:3000/webhooks/converc
  converc-webhooks send call.missed --url http://localhost:3000/webhooks/converc --set data.contact.email=null
  converc-webhooks send call.ended --url http://localhost:3000/webhooks/converc --id evt_1 --repeat 2
  converc-webhooks send call.recording_ready --dry-run > event.json
  converc-webhooks send --lifecycle --url http://localhost:3000/webhooks/converc --gap 500
  converc-webhooks send --lifecycle --path missed --dry-run > missed-call.jsonl
`;

const options = {
  url: { type: 'string' },
  file: { type: 'string' },
  id: { type: 'string' },
  set: { type: 'string', multiple: true },
  repeat: { type: 'string' },
  lifecycle: { type: 'boolean' },
  path: { type: 'string' },
  gap: { type: 'string' },
  header: { type: 'string', multiple: true },
  token: { type: 'string' },
  timeout: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

const parseSendArgs = (args: readonly string[]) => parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
type SendValues = ReturnType<typeof parseSendArgs>['values'];

/** `send`: builds or reads one event and delivers it, `--repeat` times. */
export const sendCommand: Command = {
  name: 'send',
  summary: 'build an event of a type (or read one from a file) and deliver it',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('send', () => parseSendArgs(args));
    if (values.lifecycle === true) return sendLifecycle(context, positionals, values);
    if (values.path !== undefined || values.gap !== undefined) {
      throw usageError(`${values.path === undefined ? '--gap' : '--path'} goes with --lifecycle`, 'send');
    }
    const origin = originOf(positionals, values.file);
    const repeat = values.repeat === undefined ? 1 : integerOption(values.repeat, '--repeat', 'send', 1);
    const { assignments, url, options } = sendOptions(values);

    const read =
      origin.file === undefined
        ? { event: createTestEvent(origin.type) as unknown, storedBody: undefined }
        : await readOneEvent(origin.file, context);
    const { event } = read;
    let { storedBody } = read;
    if (values.id !== undefined || assignments.length > 0) {
      if (typeof event !== 'object' || event === null || Array.isArray(event)) {
        const what = values.file ?? 'the event';
        throw new CliError(`${what} is not a JSON object, so --id and --set cannot apply`, EXIT_USAGE);
      }
      if (values.id !== undefined) (event as { id?: unknown }).id = values.id;
      for (const assignment of assignments) applyAssignment(event, assignment, 'send');
      // The event changed: send it as JSON, not the file's text.
      storedBody = undefined;
    }
    if (url === undefined) {
      context.out(JSON.stringify(event, null, 2));
      return EXIT_OK;
    }
    const json = values.json === true;
    return sendRepeatedly(context, url, event, { repeat, options: storedBody === undefined ? options : { ...options, body: storedBody }, json });
  },
};

/**
 * The options every send takes, checked before anything is read or built (so a typo in the URL fails
 * at once): the `--set` assignments, the URL (none with `--dry-run`) and what `deliver` is given.
 */
function sendOptions(values: SendValues): { assignments: ReturnType<typeof parseAssignment>[]; url: URL | undefined; options: DeliverOptions } {
  const assignments = (values.set ?? []).map((text) => parseAssignment(text, 'send'));
  const timeoutMs = values.timeout === undefined ? undefined : integerOption(values.timeout, '--timeout', 'send', 1);
  const url = values['dry-run'] === true ? undefined : urlOption(values.url, 'send');
  const options: DeliverOptions = {
    headers: headerOptions(values.header, 'send'),
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
  return { assignments, url, options };
}

/** What to send: an event built from a type, or the one in a file. */
function originOf(
  positionals: readonly string[],
  file: string | undefined,
): { type: ConvercEventType; file?: undefined } | { file: string } {
  if (positionals.length > 1) throw usageError(`send takes one event type, got ${positionals.join(' ')}`, 'send');
  const [type] = positionals;
  if (type !== undefined && file !== undefined) throw usageError('give an event type or --file, not both', 'send');
  if (type !== undefined) return { type: eventTypeArgument(type, 'send') };
  if (file !== undefined) return { file };
  throw usageError(`give an event type (${EVENT_TYPES.join(', ')}) or --file`, 'send');
}

async function readOneEvent(
  file: string,
  context: CommandContext,
): Promise<{ event: unknown; storedBody: string | undefined }> {
  const records = await readEvents(file, context.io, 'send');
  const [record] = records;
  if (record === undefined || records.length > 1) {
    throw usageError(`${file} holds ${records.length} events; send sends one (replay sends many)`, 'send');
  }
  if (!record.parsed.ok) throw new CliError(`${record.source}: ${record.parsed.error}`, EXIT_USAGE);
  return { event: record.parsed.value, storedBody: record.text };
}

interface SendPlan {
  readonly repeat: number;
  readonly options: DeliverOptions;
  readonly json: boolean;
}

type Attempt =
  | { ok: boolean; status: number; body: unknown; durationMs: number }
  | { ok: false; error: { code: string | undefined; message: string }; durationMs: number };

async function sendRepeatedly(context: CommandContext, url: URL, event: unknown, plan: SendPlan): Promise<ExitCode> {
  const { out, color } = context;
  const { id, type } = describeEvent(event);
  if (!plan.json) out(`${color.bold(type)} ${id} → ${url.href}`);
  const attempts: Attempt[] = [];
  for (let i = 1; i <= plan.repeat; i++) {
    const prefix = plan.repeat > 1 ? `${i}/${plan.repeat} ` : '';
    const { attempt, unreachable } = await deliverOnce(context, url, event, plan.options, plan.json, prefix, prefix);
    attempts.push(attempt);
    // The same host will refuse the next attempt too.
    if (unreachable) break;
  }
  const ok = attempts.length === plan.repeat && attempts.every((attempt) => attempt.ok);
  if (plan.json) out(JSON.stringify({ ok, url: url.href, type, id, deliveries: attempts }));
  return ok ? EXIT_OK : EXIT_FAILED;
}

/**
 * Delivers `event` once and prints its answer after `label` (or its error after `errorLabel`):
 * resolves the attempt, and whether the host could not be reached at all.
 */
async function deliverOnce(
  context: CommandContext,
  url: URL,
  event: unknown,
  options: DeliverOptions,
  json: boolean,
  label: string,
  errorLabel: string,
): Promise<{ attempt: Attempt; unreachable: boolean }> {
  const { out, err, color, errColor, clock } = context;
  const started = clock.now();
  try {
    const result = await deliver(url, event, options);
    const durationMs = clock.now() - started;
    if (!json) out(`  ${label}${describeResult(result, color)} ${color.dim(`(${durationMs} ms)`)}`);
    return { attempt: { ok: isSuccess(result.status), status: result.status, body: result.body, durationMs }, unreachable: false };
  } catch (error) {
    const message = describeNetworkError(error, url);
    const attempt: Attempt = { ok: false, error: { code: errorCode(error), message }, durationMs: clock.now() - started };
    err(`${errColor.red('error:')} ${errorLabel}${message}`);
    return { attempt, unreachable: isUnreachable(error) };
  }
}

function describeEvent(event: unknown): { id: string; type: string } {
  const fields = typeof event === 'object' && event !== null ? (event as { id?: unknown; type?: unknown }) : {};
  return {
    id: typeof fields.id === 'string' ? fields.id : '(no id)',
    type: typeof fields.type === 'string' ? fields.type : '(no type)',
  };
}

/** `send --lifecycle`: every event of one call, in order, stopping at a host that cannot be reached. */
async function sendLifecycle(context: CommandContext, positionals: readonly string[], values: SendValues): Promise<ExitCode> {
  const clashes = [
    positionals.length > 0 ? `event type (${positionals.join(' ')})` : undefined,
    values.file === undefined ? undefined : '--file',
    values.id === undefined ? undefined : '--id',
    values.repeat === undefined ? undefined : '--repeat',
  ];
  const clash = clashes.find((name) => name !== undefined);
  if (clash !== undefined) throw usageError(`--lifecycle builds its own events: it takes no ${clash}`, 'send');
  const path = (values.path ?? 'answered') as LifecyclePath;
  if (!LIFECYCLE_PATHS.includes(path)) {
    throw usageError(`--path must be one of ${LIFECYCLE_PATHS.join(', ')}, got ${JSON.stringify(values.path)}`, 'send');
  }
  const gapMs = values.gap === undefined ? 0 : integerOption(values.gap, '--gap', 'send', 0);
  const { assignments, url, options } = sendOptions(values);

  const events = callLifecycle(path, context.clock.now());
  for (const event of events) for (const assignment of assignments) applyAssignment(event, assignment, 'send');
  // One event a line: the output of --dry-run is a .jsonl file that replay sends.
  if (url === undefined) {
    for (const event of events) context.out(JSON.stringify(event));
    return EXIT_OK;
  }
  const { out, color, clock } = context;
  const json = values.json === true;
  const callId = events[0]?.data.call.id ?? null;
  if (!json) out(`${color.bold(`call ${callId ?? ''}`)} (${path}, ${events.length} events) → ${url.href}`);
  const deliveries: (Attempt & { type: string; id: string })[] = [];
  for (const [index, event] of events.entries()) {
    if (index > 0 && gapMs > 0) await clock.sleep(gapMs);
    if (context.io.signal?.aborted === true) break;
    const label = `${event.type.padEnd(21)} ${event.id}  `;
    const { attempt, unreachable } = await deliverOnce(context, url, event, options, json, label, `${event.type} `);
    deliveries.push({ type: event.type, id: event.id, ...attempt });
    if (unreachable) break;
  }
  const ok = deliveries.length === events.length && deliveries.every((delivery) => delivery.ok);
  if (json) out(JSON.stringify({ ok, url: url.href, path, callId, deliveries }));
  return ok ? EXIT_OK : EXIT_FAILED;
}
