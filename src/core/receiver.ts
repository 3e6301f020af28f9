import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { WebhookError, isWebhookError } from '../errors/webhook-error';
import { parseEvent } from '../events/parse-event';
import { ErrorHooks } from './error-hooks';
import { HandlerRegistry } from './handler-registry';
import type { AnyEvent, EventHandler, HandlerContext, IncomingHeaders } from './handler-types';
import { InFlight } from './in-flight';
import { isIdentityEncoding, isJsonContentType } from './media-type';
import type { ResolvedOptions } from './options';
import { errorReply, successReply, type Reply } from './reply';

/** A request body as an adapter found it: text to parse, or a value another parser already produced. */
export type DeliveryBody = { readonly text: string } | { readonly parsed: unknown };

/** One HTTP request, as any adapter sees it. */
export interface Delivery {
  /** The request method, such as `POST`. */
  readonly method: string;
  /** The request headers, with lower-case names. */
  readonly headers: IncomingHeaders;
  /**
   * Reads the body, at most `limit` bytes. Rejects with a `WebhookError` (`payload_too_large`,
   * `request_aborted`, `body_unavailable`). Called at most once, and only once the request has passed
   * the checks that need no body, so a known duplicate is never read.
   */
  readBody(limit: number): Promise<DeliveryBody>;
  /**
   * Answer only once the handlers have settled, however long they take: `ackTimeoutMs` and
   * `ack: 'immediate'` do not apply. For platforms that may freeze work left after the response.
   */
  readonly holdUntilSettled?: boolean;
  /** Keeps the platform alive for work that runs on after the answer (a serverless `waitUntil`). */
  readonly waitUntil?: (work: Promise<unknown>) => void;
}

/**
 * The framework-agnostic receiver: every adapter hands it a {@link Delivery} and writes back the
 * {@link Reply} it resolves with. A delivery goes, top to bottom:
 * method → media type → size → dedupe on `X-IC-Id` → body → JSON → schema → ids agree →
 * dedupe on `id` → handlers → answer.
 */
export class Receiver {
  readonly registry = new HandlerRegistry();
  readonly errors = new ErrorHooks();
  readonly #inFlight = new InFlight();
  readonly #options: ResolvedOptions;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** The path option, for adapters that route. */
  get path(): string | undefined {
    return this.#options.path;
  }

  /** Resolves once every handler still running, and the work after it, has settled. */
  drain(): Promise<void> {
    return this.#inFlight.drain();
  }

  /** Answers one delivery. Never rejects: every failure becomes a reply and a report to `onError`. */
  async receive(delivery: Delivery): Promise<Reply> {
    const receivedAt = new Date();
    const { headers } = delivery;
    // Work that outlives the answer: drain() waits for it, and so does the platform when it can.
    const track = (work: Promise<unknown>): void => {
      this.#inFlight.track(work);
      delivery.waitUntil?.(work);
    };
    const reject = (error: WebhookError): Reply => {
      track(this.errors.report(error, undefined));
      return errorReply(error);
    };

    if (delivery.method !== 'POST') {
      return reject(new WebhookError('method_not_allowed', `Method ${delivery.method} is not allowed; use POST`));
    }
    const contentType = firstHeader(headers['content-type']);
    const contentEncoding = firstHeader(headers['content-encoding']);
    if (!isIdentityEncoding(contentEncoding)) {
      return reject(
        new WebhookError('unsupported_media_type', `Content-Encoding ${contentEncoding ?? ''} is not supported; send the body unencoded`),
      );
    }
    if (!isJsonContentType(contentType)) {
      return reject(new WebhookError('unsupported_media_type', `Content-Type ${contentType ?? ''} is not JSON (UTF-8)`));
    }
    const headerId = deliveryIdHeader(headers);
    const { limit } = this.#options;
    if (Number(firstHeader(headers['content-length'])) > limit) {
      return reject(
        new WebhookError('payload_too_large', `The body is larger than the limit of ${limit} bytes`, {
          deliveryId: headerId,
        }),
      );
    }

    // The header names the event before the body is read: a known duplicate costs no parsing.
    let claim: Claim | undefined;
    if (headerId !== undefined) {
      const held = await this.#claim(headerId, track);
      if (held === null) return successReply(headerId, 'duplicate');
      claim = held;
    }

    let rawBody: string | undefined;
    let event: AnyEvent;
    try {
      const body = await delivery.readBody(limit);
      let value: unknown;
      if ('text' in body) {
        rawBody = body.text;
        value = parseJson(body.text);
      } else {
        value = body.parsed;
        rawBody = stringifyForReplay(value);
      }
      event = parseEvent(value);
      if (headerId !== undefined && headerId !== event.id) {
        throw new WebhookError('id_mismatch', 'The X-IC-Id header and the body id differ', { event });
      }
    } catch (error) {
      if (claim !== undefined) track(this.#settle(claim, 'release', track));
      return reject(
        isWebhookError(error)
          ? error.with({ rawBody, deliveryId: headerId })
          : new WebhookError('request_aborted', 'The request body could not be read', { cause: error }),
      );
    }

    const key = headerId ?? event.id;
    if (claim === undefined) {
      const held = await this.#claim(key, track);
      if (held === null) return successReply(key, 'duplicate');
      claim = held;
    }
    const ctx: HandlerContext = Object.freeze({ id: key, receivedAt, headers });
    const handlers = this.registry.handlersFor(event.type);
    if (handlers.length === 0) {
      track(this.#settle(claim, 'complete', track));
      return successReply(key, 'ignored');
    }
    return this.#dispatch(handlers, event, ctx, { claim, rawBody, delivery, track });
  }

  /** Runs the handlers of `event` and answers by the deadline, letting them run on after it. */
  #dispatch(
    handlers: readonly EventHandler[],
    event: AnyEvent,
    ctx: HandlerContext,
    { claim, rawBody, delivery, track }: DispatchState,
  ): Promise<Reply> {
    let failed = false;
    let onFirstFailure: () => void = noop;
    const firstFailure = new Promise<'failed'>((resolve) => {
      onFirstFailure = () => {
        resolve('failed');
      };
    });
    const runs = handlers.map((handler) =>
      invoke(handler, event, ctx).catch((cause: unknown) => {
        failed = true;
        onFirstFailure();
        const error = new WebhookError('handler_failed', `A handler for ${event.type} failed`, {
          cause,
          event,
          rawBody,
          deliveryId: ctx.id,
        });
        return this.errors.report(error, event);
      }),
    );
    // The claim is kept while any handler runs, so a resend meanwhile is a duplicate, and released
    // only once all have settled, so a resend never runs beside a handler still at work.
    const settled = Promise.all(runs).then(() => this.#settle(claim, failed ? 'release' : 'complete', track));
    track(settled);

    const outcome = settled.then(() => (failed ? 'failed' : 'processed'));
    const held = delivery.holdUntilSettled === true;
    if (!held && this.#options.ack === 'immediate') return Promise.resolve(successReply(ctx.id, 'accepted'));

    let timer: ReturnType<typeof setTimeout> | undefined;
    const race: Promise<'failed' | 'processed' | 'timeout'>[] = [outcome, firstFailure];
    if (!held) {
      const deadline = ctx.receivedAt.getTime() + this.#options.ackTimeoutMs;
      race.push(
        new Promise((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), 'timeout');
        }),
      );
    }
    return Promise.race(race).then((result) => {
      clearTimeout(timer);
      if (result === 'timeout') return successReply(ctx.id, 'accepted');
      if (result === 'failed') return errorReply(new WebhookError('handler_failed', 'A handler failed'));
      return successReply(ctx.id, 'processed');
    });
  }

  /** Claims `key`; `null` for a duplicate. A store failure is reported and the event processed anyway. */
  async #claim(key: string, track: Track): Promise<Claim | null> {
    const store = this.#options.store;
    if (store === undefined) return UNSTORED;
    try {
      const claim = await store.claim(key);
      return claim === null ? null : { store, claim };
    } catch (cause) {
      track(this.#storeFailed(cause, key));
      return UNSTORED;
    }
  }

  /** Completes or releases a claim; resolves when done, and a store failure is reported, never thrown. */
  async #settle(claim: Claim, how: 'complete' | 'release', track: Track): Promise<void> {
    if (claim === UNSTORED) return;
    const { store, claim: held } = claim;
    try {
      await (how === 'complete' ? store.complete(held) : store.release(held));
    } catch (cause) {
      track(this.#storeFailed(cause, held.key));
    }
  }

  #storeFailed(cause: unknown, key: string): Promise<void> {
    return this.errors.report(new WebhookError('store_unavailable', 'The dedupe store failed', { cause, deliveryId: key }));
  }
}

type Track = (work: Promise<unknown>) => void;

interface DispatchState {
  readonly claim: Claim;
  readonly rawBody: string | undefined;
  readonly delivery: Delivery;
  readonly track: Track;
}

/** A claim held in a store, or `UNSTORED` when there is no store (or it failed) and nothing is held. */
type Claim = { readonly store: DedupeStore; readonly claim: DedupeClaim } | typeof UNSTORED;
const UNSTORED = Symbol('unstored');

function noop(): void {}

/** Calls a handler, turning a synchronous throw into a rejection of the value thrown. */
async function invoke(handler: EventHandler, event: AnyEvent, ctx: HandlerContext): Promise<unknown> {
  return await handler(event, ctx);
}

function parseJson(text: string): unknown {
  // A UTF-8 byte order mark is legal in the wild and harmless; JSON.parse refuses it.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(json);
  } catch (cause) {
    // Includes a RangeError from JSON nested deep enough to exhaust the stack.
    throw new WebhookError('invalid_json', 'The body is not valid JSON', { cause });
  }
}

/** The text of a body another parser already turned into a value, kept so `onError` can replay it. */
function stringifyForReplay(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function firstHeader(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** The `X-IC-Id` header, or undefined when absent or empty (the body's `id` then decides). */
function deliveryIdHeader(headers: IncomingHeaders): string | undefined {
  const value = firstHeader(headers['x-ic-id']);
  return value === undefined || value === '' ? undefined : value;
}
