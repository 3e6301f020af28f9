import { usageError } from './cli-error';

/** One `--set path=value`: where, and what. */
export interface Assignment {
  /** The path as given, for messages. */
  readonly path: string;
  /** The path split into keys; numeric ones index arrays. */
  readonly keys: readonly string[];
  readonly value: unknown;
}

/** Keys that would reach an object's prototype instead of setting a field. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Parses `path=value`. The path is dotted (`data.contact.email`); an array item is `[0]` or `.0`
 * (`data.qualificationAnswers[0].answer.value`), the form `validate` prints. The value is parsed as
 * JSON when it parses (`null`, `42`, `true`, `{"a":1}`, `"42"` for the string), and is the text itself
 * otherwise.
 */
export function parseAssignment(text: string, command: string): Assignment {
  const equals = text.indexOf('=');
  const path = equals < 0 ? '' : text.slice(0, equals).trim();
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  if (path === '' || keys.some((key) => key === '')) {
    throw usageError(`--set must look like path=value (data.call.status=missed), got ${JSON.stringify(text)}`, command);
  }
  const forbidden = keys.find((key) => FORBIDDEN_KEYS.has(key));
  if (forbidden !== undefined) throw usageError(`--set cannot set ${forbidden} (in ${path})`, command);
  const raw = text.slice(equals + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { path, keys, value };
}

/**
 * Sets the value at the path in `target`, creating objects on the way. Fails (as bad usage) where the
 * path runs into a value that has no fields, such as `null` or a string.
 */
export function applyAssignment(target: unknown, assignment: Assignment, command: string): void {
  let node: unknown = target;
  assignment.keys.forEach((key, index) => {
    const walked = assignment.keys.slice(0, index).join('.');
    if (typeof node !== 'object' || node === null) {
      const what = node === null ? 'null' : typeof node;
      throw usageError(`--set ${assignment.path}: ${walked || 'the event'} is ${what}, not an object`, command);
    }
    if (Array.isArray(node) && !/^\d+$/.test(key)) {
      throw usageError(`--set ${assignment.path}: ${walked} is an array, so ${key} must be an index`, command);
    }
    const container = node as Record<string, unknown>;
    if (index === assignment.keys.length - 1) {
      container[key] = assignment.value;
      return;
    }
    if (container[key] === undefined) container[key] = {};
    node = container[key];
  });
}
