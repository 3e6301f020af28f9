import type { ValidationIssue, WebhookError, WebhookErrorCode } from '../errors/webhook-error';
import { errorOf, type DeliveryOutcome } from './outcome';

/** How a delivery that was received ended. */
export type DeliveryStatus = 'processed' | 'ignored' | 'duplicate' | 'accepted';

/** The body of a 2xx answer. */
export interface SuccessBody {
  /** Always `true`: the delivery was taken. */
  readonly received: true;
  /** The dedupe key of the delivery. */
  readonly id: string;
  /** How the delivery ended. */
  readonly status: DeliveryStatus;
}

/** The body of an error answer. `issues` is present, capped, for `invalid_event`. */
export interface ErrorBody {
  /** What went wrong. */
  readonly error: {
    /** The stable code of the {@link WebhookError}. */
    readonly code: WebhookErrorCode;
    /** A human-readable message; generic for `handler_failed`. */
    readonly message: string;
    /** For `invalid_event`: the validation problems, capped. */
    readonly issues?: readonly ValidationIssue[];
  };
}

/** What the core answers a delivery with; an adapter writes it as JSON. */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: SuccessBody | ErrorBody;
}

/** At most this many validation issues go into a response body (the check stops at the first problem, so it seldom finds more). */
export const MAX_REPLY_ISSUES = 20;

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The HTTP answer to a delivery that ended as `outcome`. */
export function toReply(outcome: DeliveryOutcome): Reply {
  switch (outcome.kind) {
    case 'refused':
    case 'failed':
      return errorReply(outcome.error);
    default:
      return { status: statusOf(outcome), headers: NO_HEADERS, body: { received: true, id: outcome.id, status: outcome.kind } };
  }
}

/** The status of the answer to `outcome`: the one place the contract's statuses come from (202 for `accepted`). */
export function statusOf(outcome: DeliveryOutcome): number {
  return errorOf(outcome)?.status ?? (outcome.kind === 'accepted' ? 202 : 200);
}

/**
 * The answer to a failure. A handler failure gets a generic message: what a handler threw may hold
 * anything, and it goes to `onError`, not to whoever sent the request.
 */
function errorReply(error: WebhookError): Reply {
  const message = error.code === 'handler_failed' ? 'A handler failed to process the event' : error.message;
  const issues = error.issues?.slice(0, MAX_REPLY_ISSUES);
  return {
    status: error.status,
    headers: HEADERS_BY_CODE[error.code] ?? NO_HEADERS,
    body: { error: issues === undefined ? { code: error.code, message } : { code: error.code, message, issues } },
  };
}

const HEADERS_BY_CODE: Partial<Record<WebhookErrorCode, Readonly<Record<string, string>>>> = {
  method_not_allowed: { allow: 'POST' },
  unauthorized: { 'www-authenticate': 'Bearer' },
  // The rest of an oversized or crawling body is not worth reading: close the connection once answered.
  payload_too_large: { connection: 'close' },
  request_timeout: { connection: 'close' },
  shutting_down: { 'retry-after': '5' },
};
