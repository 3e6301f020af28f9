import { z } from 'zod';
import { errorOf, type DeliveryOutcome, type OutcomeKind } from '../core/outcome';
import { statusOf } from '../core/reply';
import { describeCause, type WebhookError, type WebhookErrorCode } from '../errors/webhook-error';
import { checkOptions, mustBe, optionsObject } from '../options/check-options';
import type { DeliveryWatcher, HandlerRunFacts } from './watchers';

/**
 * A logger as the `logger` option takes it: pino's (or any with its `(fields, message)` methods),
 * or the console through {@link consoleLogger}. `child`, where present, is called once with
 * `{ component: 'converc-webhooks' }`.
 */
export interface Logger {
  /** Writes a line at `debug` (duplicates), pino's argument order: the fields first, then the message. */
  debug(fields: object, message: string): void;
  /** Writes a line at `info` (processed, accepted, ignored). */
  info(fields: object, message: string): void;
  /** Writes a line at `warn` (refusals, retries). */
  warn(fields: object, message: string): void;
  /** Writes a line at `error` (failures, 5xx refusals, failures nobody else heard of). */
  error(fields: object, message: string): void;
  /** Makes a logger that adds `bindings` to every line; called once per receiver, where present. */
  child?(bindings: Record<string, unknown>): Logger;
}

/** A level of {@link Logger}, lowest first. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The levels of {@link Logger}, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The fields of the line logged for each delivery, at its answer (message `converc-webhooks
 * delivery`), and for each retry of a handler (message `converc-webhooks retry`). A stable schema:
 * fields are added, never renamed or removed. No body, event or contact field is ever among them.
 */
export interface DeliveryLogFields {
  /** The dedupe key (`X-IC-Id`, else the event's `id`); absent when a refusal came before it was known. */
  readonly id?: string;
  /** The event's type; absent when the event was never valid. */
  readonly type?: string;
  /** How it ended: a {@link DeliveryOutcome} kind; on a retry line `processed` or `failed`. */
  readonly outcome: OutcomeKind;
  /** The HTTP status the delivery was answered with (not on retry lines: they come after the answer). */
  readonly status?: number;
  /** The error code, on `failed` and `refused` (and a failed retry: `handler_failed`). */
  readonly code?: WebhookErrorCode;
  /** From arrival to answer (a retry line: the run of the handler), in milliseconds. */
  readonly durationMs: number;
  /** The body's size in bytes, when it was read. */
  readonly bytes?: number;
  /** On retry lines: which run of the handler, 2 or more. */
  readonly attempt?: number;
}

/** The message of the line logged per delivery. */
export const DELIVERY_MESSAGE = 'converc-webhooks delivery';
/** The message of the line logged per retry of a handler. */
export const RETRY_MESSAGE = 'converc-webhooks retry';

/**
 * Writes one line per delivery to `logger`: failures and 5xx refusals at `error`, other refusals at
 * `warn`, duplicates at `debug`, the rest at `info`; and one per retry of a handler, at `warn` when
 * it failed again.
 */
export function deliveryLog(logger: Logger): DeliveryWatcher {
  return {
    delivered(outcome) {
      const fields = deliveryFields(outcome);
      logger[levelOf(outcome)](fields, DELIVERY_MESSAGE);
    },
    handlerEnded(run: HandlerRunFacts, failed, ms) {
      if (run.attempt < 2) return;
      const fields: DeliveryLogFields = {
        id: run.id,
        type: run.type,
        outcome: failed ? 'failed' : 'processed',
        ...(failed ? { code: 'handler_failed' as const } : {}),
        durationMs: roundMs(ms),
        attempt: run.attempt,
      };
      logger[failed ? 'warn' : 'info'](fields, RETRY_MESSAGE);
    },
  };
}

/** The line's fields for one outcome: named facts only, never the body, the event or the error's cause. */
export function deliveryFields(outcome: DeliveryOutcome): DeliveryLogFields {
  const failure = errorOf(outcome);
  return {
    ...(outcome.id === undefined ? {} : { id: outcome.id }),
    ...(outcome.type === undefined ? {} : { type: outcome.type }),
    outcome: outcome.kind,
    status: statusOf(outcome),
    ...(failure === undefined ? {} : { code: failure.code }),
    durationMs: roundMs(outcome.timings.totalMs),
    ...(outcome.bytes === undefined ? {} : { bytes: outcome.bytes }),
  };
}

function levelOf(outcome: DeliveryOutcome): LogLevel {
  switch (outcome.kind) {
    case 'failed':
      return 'error';
    case 'refused':
      return outcome.error.status >= 500 ? 'error' : 'warn';
    case 'duplicate':
      return 'debug';
    default:
      return 'info';
  }
}

/** Milliseconds to the hundredth: the rest is noise in a log line. */
function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * The line for an error nobody handles (no `onError`), written to the logger at `error`: the code,
 * the delivery id, the type, the attempt and the cause's name, message and stack; never the body or
 * the event, nor the cause's other properties (a thrown error may carry the event).
 */
export function logUnhandled(logger: Logger, error: WebhookError, type: string | undefined): void {
  const { cause } = error;
  const fields = {
    code: error.code,
    ...(error.deliveryId === undefined ? {} : { id: error.deliveryId }),
    ...(type === undefined ? {} : { type }),
    ...(error.attempt === undefined ? {} : { attempt: error.attempt }),
    ...(cause === undefined ? {} : { cause: describeCause(cause) }),
  };
  logger.error(fields, error.message);
}

/** The logger the receiver writes to: a child of `logger` where it can make one. */
export function receiverLogger(logger: Logger): Logger {
  return logger.child?.({ component: 'converc-webhooks' }) ?? logger;
}

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /**
   * The lowest level written: `'debug'` adds a line per duplicate.
   * @default 'info'
   */
  level?: LogLevel;
}

const consoleLoggerOptionsSchema = optionsObject({
  level: z.enum(LOG_LEVELS, { error: mustBe("'debug', 'info', 'warn' or 'error'") }).default('info'),
} satisfies Record<keyof ConsoleLoggerOptions, z.ZodType>);

/**
 * A {@link Logger} that writes each line to the console as one JSON object (`level`, `msg` and the
 * fields): `warn` and `error` to `console.error`, the others to `console.log`.
 *
 * @example
 * ```ts
 * const webhooks = convercWebhooks({ logger: consoleLogger({ level: 'debug' }) });
 * ```
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger {
  const { level } = checkOptions(consoleLoggerOptionsSchema, options, 'consoleLogger(options)');
  const lowest = LOG_LEVELS.indexOf(level);
  const write =
    (at: LogLevel) =>
    (fields: object, message: string): void => {
      if (LOG_LEVELS.indexOf(at) < lowest) return;
      const line = JSON.stringify({ level: at, msg: message, ...fields });
      if (at === 'warn' || at === 'error') console.error(line);
      else console.log(line);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
