import { STATUS_CODES } from 'node:http';
import type { DeliveryResult } from '../testing/deliver';
import type { Colors } from './colors';

/** Connection failures after which sending more to the same URL is pointless. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The `code` of a Node network error; Node 20 wraps a failure on every address in an AggregateError. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const first: unknown = (error as { errors?: unknown[] }).errors?.[0];
  return first === undefined ? undefined : errorCode(first);
}

/** Whether the host could not be reached at all, so that every further delivery would fail the same way. */
export function isUnreachable(error: unknown): boolean {
  return UNREACHABLE.has(errorCode(error) ?? '');
}

/** A failed delivery in words that say what to do about it. */
export function describeNetworkError(error: unknown, url: URL): string {
  const code = errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${url.host}: is the receiver running?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${url.hostname}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable: ${url.hostname}`;
    case 'ECONNRESET':
      return `${url.host} closed the connection before answering`;
    case 'ETIMEDOUT':
      return `${(error as Error).message} (the provider would record a failed delivery)`;
    default: {
      const message = error instanceof Error && error.message !== '' ? error.message : String(error);
      return code === undefined || message.includes(code) ? message : `${message} (${code})`;
    }
  }
}

/** Whether an answer counts as a successful delivery: any 2xx, as for the provider. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * An answer in a few words: `200 processed`, `200 duplicate`, `422 invalid_event: data.call.id: …` for
 * this package's receivers; the status text and the start of the body for any other.
 */
export function describeResult(result: DeliveryResult, color: Colors): string {
  const paint = isSuccess(result.status) ? color.green : color.red;
  const status = paint(String(result.status));
  const body = result.body as { status?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  if (typeof body === 'object' && body !== null) {
    if (typeof body.status === 'string') return `${status} ${body.status}`;
    if (typeof body.error?.code === 'string') {
      const message = typeof body.error.message === 'string' ? `: ${body.error.message}` : '';
      return `${status} ${body.error.code}${message}`;
    }
  }
  const text = result.text.trim().replace(/\s+/g, ' ');
  const snippet = text === '' ? '' : `: ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`;
  return `${status} ${STATUS_CODES[result.status] ?? ''}${snippet}`.trimEnd();
}
