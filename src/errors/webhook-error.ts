/**
 * The HTTP status each error code answers with. The codes are the stable part of the contract:
 * tests, logs and `onError` branches should compare `error.code`, never the message.
 */
export const ERROR_STATUS = {
  /**
   * The request's path is not one this receiver handles, and there was no `next` to pass it to (a
   * `node:http` handler with a `path`, or middleware called with two arguments). `onError` hears of it,
   * with the body: a wrong mount must not lose events silently.
   */
  not_found: 404,
  /** The request method is not POST (405, with `Allow: POST`). */
  method_not_allowed: 405,
  /** With `auth`: no valid token, or `verify` refused (or threw). Answered before the body is read. */
  unauthorized: 401,
  /** With `auth.allowIps`: the client address is outside the allowlist. Answered before the body is read. */
  forbidden: 403,
  /**
   * A `Content-Type` that is not JSON, a charset other than UTF-8, or a `Content-Encoding` other than
   * identity. `onError` still gets the body as text, decoded as its headers say (gzip and deflate
   * inflated up to `limit`): most often it is a valid event sent with the wrong set-up.
   */
  unsupported_media_type: 415,
  /** The body is larger than the `limit` option. */
  payload_too_large: 413,
  /** Another body parser consumed the request stream and left nothing usable in `req.body`. */
  body_unavailable: 400,
  /** The client went away (or the stream failed) before the whole body arrived. */
  request_aborted: 400,
  /** The body did not arrive within `bodyTimeoutMs` (a client sending it slowly, on purpose or not). */
  request_timeout: 408,
  /** The receiver is closing (`close()` was called): answered with `Retry-After`. */
  shutting_down: 503,
  /** The body is not JSON. */
  invalid_json: 400,
  /** The body is JSON but not a valid event; `issues` lists the first problems (the check stops at the first). */
  invalid_event: 422,
  /** The `X-IC-Id` header and the body's `id` differ. */
  id_mismatch: 400,
  /** With `maxEventAgeMs`: the event's `createdAt` is older than that (a replay, or a very late event). */
  event_too_old: 400,
  /** A handler threw or rejected; the thrown value is the error's `cause`. */
  handler_failed: 500,
  /**
   * The dedupe store failed. The delivery is still processed (a possible duplicate is better than a
   * certain loss when the sender never retries); this code reaches `onError` only.
   */
  store_unavailable: 503,
} as const;

/** Every code a {@link WebhookError} can carry. */
export type WebhookErrorCode = keyof typeof ERROR_STATUS;

/** One validation problem, as reported for `invalid_event`. */
export interface ValidationIssue {
  /** Where the problem is, such as `data.call.id` or `data.qualificationAnswers[0].answer`; `''` for the root. */
  readonly path: string;
  /** What is wrong there, in plain words. */
  readonly message: string;
}

/** What a {@link WebhookError} can carry besides its code. */
export interface WebhookErrorDetails {
  /** The error or thrown value that caused this one; its message is never rewritten. */
  readonly cause?: unknown;
  /** For `invalid_event`: the problems found before the check stopped, at the first. */
  readonly issues?: readonly ValidationIssue[] | undefined;
  /**
   * The body as text, wherever it was read. The provider never resends an event, so this is what an
   * app must keep to replay a rejected delivery later.
   */
  readonly rawBody?: string | undefined;
  /** The validated event, where validation got that far (handler failures always have it). */
  readonly event?: unknown;
  /** The dedupe key (`X-IC-Id`, else the body's `id`) where one was known. */
  readonly deliveryId?: string | undefined;
  /** For `handler_failed`: which run of the handler failed, 1 for the first. */
  readonly attempt?: number | undefined;
}

/**
 * The one error class of this package. Every rejected delivery and every handler failure is a
 * `WebhookError` whose `code` says what happened.
 *
 * @example
 * ```ts
 * webhooks.onError(async (error) => {
 *   if (error.rawBody !== undefined) await deadLetters.insert({ code: error.code, body: error.rawBody });
 * });
 * ```
 */
export class WebhookError extends Error {
  /** Always `'WebhookError'`: {@link isWebhookError} checks it, so the check works across duplicate installs. */
  override readonly name = 'WebhookError';
  /** Stable, machine-readable code. */
  readonly code: WebhookErrorCode;
  /** The HTTP status the delivery is answered with. */
  readonly status: number;
  /** For `invalid_event`: the validation problems found before the check stopped, at the first. */
  readonly issues: readonly ValidationIssue[] | undefined;
  /** The request body as text, where it was read. */
  readonly rawBody: string | undefined;
  /** The validated event, where there is one. */
  readonly event: unknown;
  /** The dedupe key of the delivery, where known. */
  readonly deliveryId: string | undefined;
  /** For `handler_failed`: which run of the handler failed, 1 for the first (retries follow with `retry`). */
  readonly attempt: number | undefined;

  constructor(code: WebhookErrorCode, message: string, details: WebhookErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.issues = details.issues;
    this.rawBody = details.rawBody;
    this.event = details.event;
    this.deliveryId = details.deliveryId;
    this.attempt = details.attempt;
  }

  /** A copy of this error with more details (the raw body, the delivery id) filled in. */
  with(details: WebhookErrorDetails): WebhookError {
    return new WebhookError(this.code, this.message, {
      cause: this.cause,
      issues: this.issues,
      rawBody: this.rawBody,
      event: this.event,
      deliveryId: this.deliveryId,
      attempt: this.attempt,
      ...details,
    });
  }
}

/**
 * Whether `value` is a {@link WebhookError}. Checks the name and code as well as the prototype chain,
 * so it holds across realms and when two copies of the package are installed.
 */
export function isWebhookError(value: unknown): value is WebhookError {
  if (value instanceof WebhookError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; code?: unknown };
  return (
    candidate.name === 'WebhookError' &&
    typeof candidate.code === 'string' &&
    Object.prototype.hasOwnProperty.call(ERROR_STATUS, candidate.code)
  );
}

/** The `payload_too_large` error for a body over `limit` bytes, wherever it is found out. */
export function payloadTooLarge(limit: number): WebhookError {
  return new WebhookError('payload_too_large', `The body is larger than the limit of ${limit} bytes`);
}
