import { z } from 'zod';
import { formatPath } from '../events/parse-event';
import { closestName } from './closest-name';

/**
 * Checks an options object against its schema and returns what the schema makes of it (defaults
 * filled in). A bad option throws a `TypeError` at construction, named by its path from `prefix`
 * (`ackTimeoutMs`, `auth.allowIps[0]`, `dedupe.max`), or by `subject` for the object itself. An
 * unknown key is told first: it usually explains the rest, since it is a misspelt known one.
 */
export function checkOptions<S extends z.ZodType>(schema: S, value: unknown, subject: string, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { issues } = result.error;
  const issue = issues.find(isUnknownKey) ?? issues[0];
  const path = formatPath(prefix === '' ? (issue?.path ?? []) : [prefix, ...(issue?.path ?? [])]);
  throw new TypeError(`${path === '' ? subject : path} ${issue?.message ?? 'is invalid'}`);
}

/** An unknown key, as zod words it, or as a nested check re-raised it (`params.unknownKey`). */
function isUnknownKey(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'unrecognized_keys' || (issue.code === 'custom' && issue.params?.['unknownKey'] === true);
}

/**
 * The schema of an options object: strict, so a misspelt key is refused, with the closest known key
 * as a hint. Ignoring it would be worse than a typo: from JavaScript, `auth: { allowIPs }` would turn
 * the allowlist off, and `ackTimeOutMs` would leave the default in force without a word.
 */
export function optionsObject<const T extends z.core.$ZodLooseShape>(shape: T) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeys(issue.keys, known) : 'must be an object'),
  });
}

function unknownKeys(keys: readonly string[], known: readonly string[]): string {
  const [key = ''] = keys;
  const near = closestName(key, known);
  const more = keys.length > 1 ? ` (and ${keys.length - 1} more unknown keys)` : '';
  const hint = near === undefined ? `; known keys are ${known.join(', ')}` : `; did you mean ${JSON.stringify(near)}?`;
  return `has an unknown key ${JSON.stringify(key)}${hint}${more}`;
}

/** An issue message `must be <what>, got <value>`, for options whose value is safe to show (never a secret). */
export function mustBe(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `must be ${what}, got ${show(issue.input)}`;
}

/** A number of milliseconds greater than zero. */
export function positiveMs() {
  const message = mustBe('a positive number of milliseconds');
  return z.number({ error: message }).positive({ error: message });
}

/** A whole number of at least `min`: a count, a size. */
export function wholeNumber(min: 0 | 1 = 1, what = min === 1 ? 'a positive integer' : 'a whole number, 0 or more') {
  const message = mustBe(what);
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
}

/** A whole, positive number of milliseconds: what a store keeps keys for (Redis and Postgres take no fractions). */
export function wholeMs() {
  return wholeNumber(1, 'a positive integer of milliseconds');
}

/** A function, typed as `T` (zod checks only that it is callable). */
export function fn<T>(message: string) {
  return z.custom<T>((value) => typeof value === 'function', { error: message });
}

/** Something with these methods, typed as `T` (zod checks only that each is callable): a client, a registry, a queue. */
export function objectWith<T>(methods: readonly (keyof T & string)[], message: string) {
  return z.custom<T>(
    (value) => methods.every((method) => typeof (value as Record<string, unknown> | null | undefined)?.[method] === 'function'),
    { error: message },
  );
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
