import type { IncomingHeaders } from './handler-types';

/** A header's value, or its first when it came more than once (Node gives repeated headers as arrays). */
export function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** The `X-IC-Id` header, or undefined when absent or empty (the body's `id` then decides). */
export function deliveryIdHeader(headers: IncomingHeaders): string | undefined {
  const value = firstHeader(headers['x-ic-id']);
  return value === undefined || value === '' ? undefined : value;
}
