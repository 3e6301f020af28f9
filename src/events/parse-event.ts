import { z } from 'zod';
import type { AnyEvent } from '../core/handler-types';
import { WebhookError, type ValidationIssue } from '../errors/webhook-error';
import { unknownEventSchema } from './envelope';
import { eventSchemas } from './event-schemas';
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
 * Tells zod to stop at the first problem, as its own `validate` does, when it words a refusal. Every
 * problem of a hostile body within `limit` (a million bad array items) took seconds with the event loop
 * blocked, and gigabytes of issues; the first costs a fraction of `JSON.parse`. zod types the flag as
 * internal (`ParseContextInternal`): should a release ignore it, the issues would be complete and the
 * answer slower, never wrong, and the bomb tests (hardening/validation-bombs.test.ts) would say so.
 */
const STOP_AT_FIRST_PROBLEM = { abortEarly: true } as z.core.ParseContext<z.core.$ZodIssue>;

/**
 * Validates a parsed JSON value as an event. A documented type is checked against its own schema (so
 * an issue points at `data.call.id`, not at a union); any other type only needs a valid envelope.
 * The event returned is `input` itself, checked and not copied: every field reaches the handler as it
 * was sent, unknown ones included, and a large transcript is never cloned. zod decides every event:
 * its compiled `validate` passes a valid one, and `safeParse` words the problems of one that is not,
 * stopping at the first, so that a hostile body costs no more to refuse than to accept.
 * Throws a {@link WebhookError} with code `invalid_event` and its `issues`.
 *
 * @example
 * ```ts
 * const event = parseEvent(JSON.parse(text));
 * if (isEventOf(event, 'call.ended')) console.log(event.data.call.endedAt);
 * ```
 */
export function parseEvent(input: unknown): AnyEvent {
  const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
  const schema = typeof type === 'string' && isKnownEventType(type) ? eventSchemas[type] : unknownEventSchema;
  // The schemas transform nothing, so the checked input is the event; zod's copy would only cost time.
  if ((compiled.get(schema) ?? schema).validate(input)) return input as AnyEvent;
  const result = schema.safeParse(input, STOP_AT_FIRST_PROBLEM);
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
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid event: ${head}${more}; the check stops at the first problem, so there may be more`;
}
