import type { z } from 'zod';
import { WebhookError, type ValidationIssue } from '../errors/webhook-error';
import { unknownEventSchema, type UnknownEvent } from './envelope';
import { eventSchemas, type ConvercEvent } from './event-schemas';
import { isKnownEventType } from './event-types';

/**
 * Validates a parsed JSON value as an event. A documented type is checked against its own schema (so
 * an issue points at `data.call.id`, not at a union); any other type only needs a valid envelope.
 * The event returned is `input` itself, checked and not copied: every field reaches the handler as it
 * was sent, unknown ones included, and a large transcript is never cloned. zod's `safeParse` decides
 * every event. Throws a {@link WebhookError} with code `invalid_event` and its `issues`.
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
  const result = schema.safeParse(input);
  // The schemas transform nothing, so the checked input is the event; zod's copy would only cost time.
  if (result.success) return input as ConvercEvent | UnknownEvent;
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
