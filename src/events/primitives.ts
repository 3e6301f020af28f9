import { z } from 'zod';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An opaque, non-empty identifier. The provider's samples (`event-uuid`) are not UUIDs and nothing
 * promises that an id is one, so no format is checked.
 */
export const idSchema = z.string().min(1, 'must be a non-empty string');

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Whether `value` is an ISO-8601 date-time in extended format: `2024-01-02T00:00:00.000Z`, with or
 * without seconds, fractions or offset, the offset as `Z`, `+01:00`, `+0100` or `+01`. Lenient on
 * purpose: the provider never resends, so a format variant must not cost an event.
 */
export function isIsoDateTime(value: string): boolean {
  if (!ISO_DATE_TIME.test(value)) return false;
  // The pattern fixed where each field sits (YYYY-MM-DDTHH:MM[:SS]); reading the digits in place
  // costs no capture groups or arrays, and a delivery carries half a dozen timestamps.
  const second = value.charCodeAt(16) === COLON ? twoDigits(value, 17) : 0;
  return (
    inRange(twoDigits(value, 5), 1, 12) &&
    inRange(twoDigits(value, 8), 1, 31) &&
    inRange(twoDigits(value, 11), 0, 24) &&
    inRange(twoDigits(value, 14), 0, 59) &&
    inRange(second, 0, 60)
  );
}

const COLON = 0x3a;
const ZERO = 0x30;

function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - ZERO) * 10 + value.charCodeAt(at + 1) - ZERO;
}

function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

/**
 * An ISO-8601 date-time, such as `2024-01-02T00:00:00.000Z`. Kept as the string the provider sent,
 * so a handler sees exactly what was delivered.
 */
export const timestampSchema = z.string().refine(isIsoDateTime, 'must be an ISO-8601 date-time');

/**
 * A string whose documented values are `values`, but which may take others at any time.
 * The type keeps the known literals for autocompletion (`'ended' | (string & {})`), and any string
 * is accepted: a new enum value must never cost an event.
 */
export function openEnum<const T extends readonly string[]>(values: T): z.ZodType<T[number] | (string & {})> {
  const schema: z.ZodType<T[number] | (string & {})> = z.string();
  return schema.describe(`known values: ${values.join(', ')}; others are accepted`);
}

/**
 * A value that came out of `JSON.parse` and is passed on untouched. It is not walked: a 256 KB
 * transcript costs nothing to validate.
 */
export const jsonValueSchema = z.custom<JsonValue>((value) => value !== undefined, 'is required');
