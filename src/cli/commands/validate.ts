import { parseArgs } from 'node:util';
import { isWebhookError, type ValidationIssue } from '../../errors/webhook-error';
import { isKnownEventType } from '../../events/event-types';
import { parseEvent } from '../../events/parse-event';
import { usageError } from '../cli-error';
import type { Command } from '../command';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { parseOptions } from '../parse-options';
import { readEvents, type EventRecord } from '../read-events';

const HELP = `Usage: converc-webhooks validate <file.json | file.jsonl | folder | -> [options]

Checks stored events against the package's schemas, as a receiver would, and prints each problem
with its JSON path. "-" reads standard input (JSON, or JSON Lines).

Options:
  --json       print every result as one JSON object
  -h, --help   show this help

A valid envelope of a type this version does not know is valid (a receiver passes it to onAny); it
is noted, not counted as a problem.

Exit codes: 0 every event is valid; 1 one is not, or is not JSON; 2 bad usage, or an input that
cannot be read.

Examples:
  converc-webhooks validate dead-letters.jsonl
  curl -s https://example.com/sample-event.json | converc-webhooks validate -
`;

const options = {
  json: { type: 'boolean' },
} as const;

interface Verdict {
  readonly source: string;
  readonly valid: boolean;
  readonly id: string | null;
  readonly type: string | null;
  /** Whether the type is one this version documents; an unknown one is valid as an UnknownEvent. */
  readonly knownType: boolean;
  readonly issues: readonly ValidationIssue[];
}

/** `validate`: checks stored events against the schemas. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check stored events against the schemas, with the JSON path of each problem',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('validate', () =>
      parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    );
    const [path, ...extra] = positionals;
    if (path === undefined) throw usageError('give a file, a folder, or - for standard input', 'validate');
    if (extra.length > 0) {
      throw usageError(`validate takes one file or folder, got ${positionals.join(' ')}`, 'validate');
    }

    const verdicts = (await readEvents(path, context.io, 'validate')).map(verdictOf);
    const invalid = verdicts.filter((verdict) => !verdict.valid).length;
    if (values.json === true) {
      context.out(JSON.stringify({ valid: verdicts.length - invalid, invalid, results: verdicts }));
    } else {
      const { out, color } = context;
      for (const verdict of verdicts) {
        const label = `${verdict.source}  ${verdict.type ?? '(no type)'}  ${verdict.id ?? '(no id)'}`;
        if (!verdict.valid) {
          out(`${color.red('✗')} ${label}`);
          for (const issue of verdict.issues) {
            out(`    ${issue.path === '' ? '(the event)' : color.bold(issue.path)}: ${issue.message}`);
          }
        } else if (!verdict.knownType) {
          out(`${color.yellow('!')} ${label}: a type this version does not know (valid, for onAny)`);
        }
      }
      const summary = `${verdicts.length - invalid} valid, ${invalid} invalid`;
      out(invalid === 0 ? color.green(summary) : color.red(summary));
    }
    return invalid === 0 ? EXIT_OK : EXIT_FAILED;
  },
};

function verdictOf(record: EventRecord): Verdict {
  if (!record.parsed.ok) {
    const issues = [{ path: '', message: record.parsed.error }];
    return { source: record.source, valid: false, id: null, type: null, knownType: false, issues };
  }
  const value = record.parsed.value;
  const fields = typeof value === 'object' && value !== null ? (value as { id?: unknown; type?: unknown }) : {};
  const id = typeof fields.id === 'string' ? fields.id : null;
  const type = typeof fields.type === 'string' ? fields.type : null;
  const base = { source: record.source, id, type, knownType: type !== null && isKnownEventType(type) };
  try {
    parseEvent(value);
    return { ...base, valid: true, issues: [] };
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { ...base, valid: false, issues: error.issues ?? [{ path: '', message: error.message }] };
  }
}
