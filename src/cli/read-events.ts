import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { CliError, usageError } from './cli-error';
import type { CliIo } from './cli-io';
import { EXIT_USAGE } from './exit-codes';

/** One stored event, as read from a file or standard input. */
export interface EventRecord {
  /** Where it was read: `dead.jsonl:3`, `event.json`, `batch.json[2]`, `<stdin>:1`. */
  readonly source: string;
  /** The event's text exactly as stored: what `replay` sends, byte for byte. */
  readonly text: string;
  /** The parsed event, or why the text is not JSON. */
  readonly parsed: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };
}

const LINE_FORMATS = new Set(['.jsonl', '.ndjson']);
const EVENT_FILE = /\.(json|jsonl|ndjson)$/i;

/**
 * Reads the events at `path`: a `.jsonl` (or `.ndjson`) file of one event per line, a `.json` file of
 * one event or an array of events, a folder of such files (read in name order, not recursively), or
 * `-` for standard input (JSON or JSON Lines, whichever it is). A line or file that is not JSON is
 * returned with its parse error, for the caller to report; a path that cannot be read is bad usage.
 */
export async function readEvents(path: string, io: CliIo, command: string): Promise<EventRecord[]> {
  if (path === '-') {
    if (io.stdin === undefined) throw usageError('no standard input to read events from', command);
    return recordsOf('<stdin>', await readStream(io.stdin), undefined);
  }
  const info = await stat(path).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  if (!info.isDirectory()) return recordsOf(path, await readText(path), extname(path).toLowerCase());
  const names = (await readdir(path)).filter((name) => EVENT_FILE.test(name)).sort();
  const records: EventRecord[] = [];
  for (const name of names) {
    const file = join(path, name);
    records.push(...recordsOf(file, await readText(file), extname(name).toLowerCase()));
  }
  return records;
}

/** The records that could not be parsed, described for a one-line error; `undefined` when all parse. */
export function describeUnparsable(records: readonly EventRecord[]): string | undefined {
  const bad = records.flatMap((record) => (record.parsed.ok ? [] : [`${record.source}: ${record.parsed.error}`]));
  if (bad.length === 0) return undefined;
  const more = bad.length > 5 ? `\n  … and ${bad.length - 5} more` : '';
  const listed = bad.slice(0, 5).join('\n  ');
  return `${bad.length} of ${records.length} stored events are not JSON (nothing was sent):\n  ${listed}${more}`;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
}

async function readStream(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

function unreadable(path: string, error: unknown): CliError {
  const code = (error as { code?: unknown }).code;
  const reason =
    code === 'ENOENT'
      ? 'no such file or folder'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder'
          : (error as Error).message;
  return new CliError(`cannot read ${path}: ${reason}`, EXIT_USAGE, undefined, { cause: error });
}

function recordsOf(source: string, content: string, extension: string | undefined): EventRecord[] {
  const text = content.replace(/^\uFEFF/, '');
  if (extension !== undefined && LINE_FORMATS.has(extension)) return linesOf(source, text);
  const whole = parse(text);
  // Input of unknown format (stdin, a .txt) is JSON if it parses whole, else JSON Lines.
  if (extension !== '.json' && !whole.ok && text.trim().includes('\n')) return linesOf(source, text);
  if (whole.ok && Array.isArray(whole.value)) {
    return whole.value.map((value: unknown, index) => ({
      source: `${source}[${index}]`,
      text: JSON.stringify(value),
      parsed: { ok: true, value },
    }));
  }
  if (text.trim() === '') return [];
  return [{ source, text: text.trim(), parsed: whole }];
}

function linesOf(source: string, text: string): EventRecord[] {
  const records: EventRecord[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = rawLine.replace(/\r$/, '');
    if (line.trim() !== '') records.push({ source: `${source}:${index + 1}`, text: line, parsed: parse(line) });
  });
  return records;
}

function parse(text: string): EventRecord['parsed'] {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `not JSON (${(error as Error).message})` };
  }
}
