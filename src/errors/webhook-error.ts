import { inspect, type InspectOptionsStylized } from 'node:util';

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
   * The dedupe store (or the `handoff` queue) failed, or did not answer within `storeTimeoutMs`. Under
   * `onStoreError: 'process'`, the default, the delivery is still processed (a possible duplicate is
   * better than a certain loss when the sender never retries) and this code reaches `onError` only;
   * under `'reject'`, the delivery is answered 503 with it.
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
 * Safe to log as it is: `rawBody` and `event` hold a contact's email, phone, name and location, so
 * they are not enumerable, and `JSON.stringify(error)` ({@link WebhookError.toJSON}), `util.inspect`
 * (and so `console.error(error)`) and pino's error serializer all leave them out. What an error
 * caused by another shows of that one is its name, message and stack, never its other properties.
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
  /**
   * The request body as text, where it was read. Not enumerable, and left out of `toJSON` and
   * `util.inspect`: it holds personal data.
   */
  declare readonly rawBody: string | undefined;
  /**
   * The validated event, where there is one. Not enumerable, and left out of `toJSON` and
   * `util.inspect`: it holds personal data.
   */
  declare readonly event: unknown;
  /** The dedupe key of the delivery, where known. */
  readonly deliveryId: string | undefined;
  /** For `handler_failed`: which run of the handler failed, 1 for the first (retries follow with `retry`). */
  readonly attempt: number | undefined;

  constructor(code: WebhookErrorCode, message: string, details: WebhookErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.issues = details.issues;
    // Kept for an app to store and replay, out of every log line by default.
    Object.defineProperty(this, 'rawBody', { value: details.rawBody, enumerable: false });
    Object.defineProperty(this, 'event', { value: details.event, enumerable: false });
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

  /**
   * What `JSON.stringify(error)` writes: the code, status, message, delivery id, attempt, issues and
   * the cause's name and message; never the raw body or the event.
   */
  toJSON(): WebhookErrorJson {
    const { name, message, cause } = this;
    if (cause === undefined) return { name, ...this.#facts(), message };
    const shown = describeCause(cause);
    // Name and message only: a stack in a JSON log line is noise, and util.inspect shows it.
    const summary = shown.message === undefined ? { name: shown.name } : { name: shown.name, message: shown.message };
    return { name, ...this.#facts(), message, cause: summary };
  }

  /** The code, status, delivery id, attempt and issues: what a log may show of the error besides its message and cause. */
  #facts(): Pick<WebhookErrorJson, 'code' | 'status' | 'deliveryId' | 'attempt' | 'issues'> {
    return {
      code: this.code,
      status: this.status,
      ...(this.deliveryId === undefined ? {} : { deliveryId: this.deliveryId }),
      ...(this.attempt === undefined ? {} : { attempt: this.attempt }),
      ...(this.issues === undefined ? {} : { issues: this.issues }),
    };
  }

  /** What `util.inspect` (and so `console.log(error)`) shows: the stack and {@link WebhookError.toJSON}'s fields, the cause as its stack. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, show: typeof inspect): string {
    // The stack already says the name and message; the cause follows, as its stack.
    const own = `${this.stack ?? `${this.name}: ${this.message}`} ${show(this.#facts(), { ...options, depth: Math.max(depth, 2) })}`;
    if (this.cause === undefined) return own;
    return `${own}\n  [cause]: ${causeText(this.cause).split('\n').join('\n  ')}`;
  }
}

/** What {@link WebhookError.toJSON} returns. */
export interface WebhookErrorJson {
  /** Always `'WebhookError'`. */
  readonly name: string;
  /** The stable code. */
  readonly code: WebhookErrorCode;
  /** The HTTP status the code answers with. */
  readonly status: number;
  /** What happened, in plain words. */
  readonly message: string;
  /** The dedupe key, where one was known. */
  readonly deliveryId?: string;
  /** For `handler_failed`: which run of the handler failed. */
  readonly attempt?: number;
  /** For `invalid_event`: the problems found before the check stopped. */
  readonly issues?: readonly ValidationIssue[];
  /** An `Error` cause's name and message; of any other thrown value, only its type (it may be an event). */
  readonly cause?: {
    /** The cause's `name`, or its type for a thrown value that is not an `Error`. */
    readonly name: string;
    /** The cause's `message`, for an `Error`. */
    readonly message?: string;
  };
}

/** What may be shown of a thrown value: its name, message and stack (its type alone for a non-error). */
export interface CauseSummary {
  readonly name: string;
  readonly message?: string;
  readonly stack?: string;
}

/**
 * What logs and `toJSON` may show of an error's cause: an `Error`'s name, message and stack, a
 * string as its message, or else only the type. Never its other properties: an error a handler
 * throws may carry the event, and a thrown object may be the event.
 */
export function describeCause(cause: unknown): CauseSummary {
  if (cause instanceof Error) {
    const { name, message, stack } = cause;
    return stack === undefined ? { name, message } : { name, message, stack };
  }
  if (typeof cause === 'string') return { name: 'string', message: cause };
  return { name: cause === null ? 'null' : typeof cause };
}

/** A cause as one text: its stack, else its name and message, else `a thrown <type>`. */
export function causeText(cause: unknown): string {
  const { name, message, stack } = describeCause(cause);
  return stack ?? (message === undefined ? `a thrown ${name}` : `${name}: ${message}`);
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
