import { createHash } from 'node:crypto';
import { MAX_STORED_KEY_LENGTH } from '../dedupe/stored-key';

/**
 * The BullMQ job id of an event: its dedupe key (`ctx.id`, the `X-IC-Id` header or the event's `id`)
 * as it is, unless BullMQ would refuse it. BullMQ rejects a custom id that is an integer (`'42'`) or
 * holds a `:`; such an id becomes `~` followed by the id with `%` and `:` percent-encoded. Ids that
 * start with `~` are escaped too, so two different keys never share a job id. A key over 200
 * characters becomes `~sha256-` and its hex digest, as the dedupe stores keep it.
 *
 * @example
 * ```ts
 * const job = await queue.getJob(jobIdFor(event.id)); // where is this event now?
 * ```
 */
export function jobIdFor(key: string): string {
  // A sender chooses the id: one of megabytes would be a Redis key of megabytes. No escaped id has
  // this form, since an id starting with `~` is escaped to `~~…`.
  if (key.length > MAX_STORED_KEY_LENGTH) return `${ESCAPE}sha256-${createHash('sha256').update(key).digest('hex')}`;
  if (!INTEGER.test(key) && !key.includes(':') && !key.startsWith(ESCAPE) && key !== '') return key;
  return ESCAPE + key.replace(/[%:]/g, (char) => (char === '%' ? '%25' : '%3A'));
}

const ESCAPE = '~';

/**
 * What BullMQ's own check (`${parseInt(id, 10)}` === id) treats as an integer. Wider on purpose
 * (`'007'` is escaped though BullMQ would take it): escaping more is harmless, escaping less is not.
 */
const INTEGER = /^[-+]?\d+$/;
