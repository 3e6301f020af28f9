import { z } from 'zod';
import { WebhookError, type ValidationIssue } from '../errors/webhook-error';
import { unknownEventSchema, type UnknownEvent } from './envelope';
import { eventSchemas, type ConvercEvent } from './event-schemas';
import { EVENT_TYPES, isKnownEventType, type ConvercEventType } from './event-types';

/**
 * Each schema compiled by zod itself (`z.compile`, public since zod 4.6): its `validate` answers
 * whether an event is valid with generated code that builds no output, a quarter of the time and a
 * tenth of the garbage of `safeParse` (bench/PROFILE.md). It is zod's own implementation of the
 * same schema, kept in step with it by zod; a schema it cannot compile runs on zod's runtime parser.
 */
const compiled = new Map<z.ZodType, z.ZodType>(
  [...EVENT_TYPES.map((type: ConvercEventType) => eventSchemas[type]), unknownEventSchema].map((schema) => [schema, z.compile(schema)]),
);

/**
 * Validates a parsed JSON value as an event. A documented type is checked against its own schema (so
 * an issue points at `data.call.id`, not at a union); any other type only needs a valid envelope.
 * The event returned is `input` itself, checked and not copied: every field reaches the handler as it
 * was sent, unknown ones included, and a large transcript is never cloned. zod decides every event:
 * its compiled `validate` passes a valid one, and `safeParse` words the issues of one that is not.
 * Throws a {@link WebhookError} with code `invalid_event` and its `issues`.
 *
 * @example
 * ```ts
 * const event = parseEvent(JSON.parse(text));
 * if (isEventOf(event, 'call.ended')) console.log(event.data.call.endedAt);
 * ```
 */
export function parseEvent(input: unknown): ConvercEvent | UnknownEvent {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const schema = typeof type === 'string' && isKnownEventType(type) ? eventSchemas[type] : unknownEventSchema;
  // The schemas transform nothing, so the checked input is the event; zod's copy would only cost time.
  if ((compiled.get(schema) ?? schema).validate(input)) return input as ConvercEvent | UnknownEvent;
  const result = schema.safeParse(input);
  if (result.success) return input;
  throw new WebhookError('invalid_event', describeIssues(result.error.issues), {
    issues: result.error.issues.map(toValidationIssue),
    cause: result.error,
  });
}

function toValidationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  return { path: formatPath(issue.path), message: issue.message };
}

/** `['data', 'qualificationAnswers', 0, 'id']` → `data.qualificationAnswers[0].id`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  const where = first === undefined ? '' : formatPath(first.path);
  const head = first === undefined ? 'invalid' : `${where === '' ? 'body' : where}: ${first.message}`;
  return issues.length > 1 ? `Invalid event: ${head} (and ${issues.length - 1} more)` : `Invalid event: ${head}`;
}
