import { z } from 'zod';

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * An opaque, non-empty identifier. The provider's samples (`event-uuid`) are not UUIDs and nothing
 * promises that an id is one, so no format is checked.
 */
export const idSchema = z.string().min(1, 'must be a non-empty string');

/**
 * An ISO-8601 date-time, such as `2024-01-02T00:00:00.000Z`. Kept as the string the provider sent,
 * so a handler sees exactly what was delivered; offsets and any sub-second precision are accepted.
 */
export const timestampSchema = z.iso.datetime({ offset: true, local: true, error: 'must be an ISO-8601 date-time' });

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
