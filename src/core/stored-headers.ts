import { z } from 'zod';
import type { IncomingHeaders } from './handler-types';

const HEADER_NAMES = 'must be an array of header names';

/**
 * The `omitHeaders` option of a handoff that stores events (the BullMQ queue, the Postgres inbox): the
 * request headers left out of what it stores, credentials by default, since stored data outlives the
 * request and shows in every dashboard. Resolves to a set of lower-case names.
 */
export const omitHeadersOption = z
  .array(z.string({ error: HEADER_NAMES }), { error: HEADER_NAMES })
  .default(['authorization', 'proxy-authorization', 'cookie'])
  .transform((names) => new Set(names.map((name) => name.toLowerCase())));

/** The headers a handoff stores with an event: all but those `omit` names. */
export function keptHeaders(headers: IncomingHeaders, omit: ReadonlySet<string>): Record<string, string | readonly string[] | undefined> {
  const kept: Record<string, string | readonly string[] | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!omit.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}
