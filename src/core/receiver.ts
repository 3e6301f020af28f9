import { authenticate } from '../auth/authenticate';
import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { WebhookError, isWebhookError, payloadTooLarge } from '../errors/webhook-error';
import { parseEvent } from '../events/parse-event';
import { beforeDeadline, TIMED_OUT } from './deadline';
import { ErrorHooks } from './error-hooks';
import { HandlerRegistry } from './handler-registry';
import { HandlerRun } from './handler-run';
import type { Handoff } from './handoff';
import type { AnyEvent, EventHandler, HandlerContext, IncomingHeaders } from './handler-types';
import { InFlight } from './in-flight';
import { ignore, isPromiseLike } from './promise-like';
import { isIdentityEncoding, isJsonContentType } from './media-type';
import type { ResolvedOptions } from './options';
import { errorReply, successReply, type DeliveryStatus, type Reply } from './reply';

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
   * `request_aborted`, `body_unavailable`, and `request_timeout` when the body has not all arrived
   * within `timeoutMs`; it then stops reading and lets go of the stream). Called at most once, and only
   * once the request has passed the checks that need no body, so a known duplicate is never read.
   * The adapter owns the timer: an `AbortController` per delivery cost more than the read itself.
   */
  readBody(limit: number, timeoutMs: number): Promise<DeliveryBody>;
  /**
   * Answer only once the handlers have settled, however long they take: `ackTimeoutMs` and
   * `ack: 'immediate'` do not apply. For platforms that may freeze work left after the response.
   */
  readonly holdUntilSettled?: boolean;
  /** Keeps the platform alive for work that runs on after the answer (a serverless `waitUntil`). */
  readonly waitUntil?: (work: Promise<unknown>) => void;
  /** The request's path and query, for a `?token=`. */
  readonly url?: string | undefined;
  /**
   * The client address, as the framework determined it (Express honours `trust proxy`). A function:
   * only `auth.allowIps` needs it, and Express's `req.ip` parses `X-Forwarded-For` each time it is read.
   */
  readonly remoteAddress?: () => string | undefined;
  /** The framework's own request object, handed to `auth.verify`. */
  readonly request?: unknown;
  /** Comes from the app itself (`replay()`): no authentication, no age limit. */
  readonly trusted?: boolean;
}

/**
 * The framework-agnostic receiver: every adapter hands it a {@link Delivery} and writes back the
 * {@link Reply} it resolves with. A delivery goes, top to bottom:
 * method → media type → size → `X-IC-Id` already processed? → body → JSON → schema → ids agree →
 * claim the key → handlers → answer.
 */
export class Receiver {
  readonly registry = new HandlerRegistry();
  readonly errors = new ErrorHooks();
  readonly #inFlight = new InFlight();
  readonly #options: ResolvedOptions;
  /** Deliveries whose handlers have not all settled yet. */
  #running = 0;
  #closing = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  /** The path option, for adapters that route. */
  get path(): string | undefined {
    return this.#options.path;
  }

  /** Resolves once every delivery being received, every handler still running and the work after them has settled. */
  drain(): Promise<void> {
    return this.#inFlight.drain();
  }

  /**
   * Stops taking deliveries (new ones get `503 shutting_down`) and waits up to `timeoutMs` for those
   * still running. Resolves whether everything settled, and how many deliveries' handlers had not.
   */
  async close(timeoutMs: number): Promise<CloseResult> {
    this.#closing = true;
    const drained = await beforeDeadline(this.drain(), Date.now() + timeoutMs);
    return { drained: drained !== TIMED_OUT, pending: this.#running };
  }

  /**
   * Runs the handlers for a stored event again, as a delivery would (dedupe applies), and resolves
   * once they, retries included, have settled. Rejects with `invalid_event` for an invalid event.
   */
  async replay(input: unknown): Promise<ReplayStatus> {
    const event = parseEvent(input);
    const reply = await this.receive({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      readBody: () => Promise.resolve({ parsed: event }),
      holdUntilSettled: true,
      trusted: true,
    });
    if ('error' in reply.body) {
      if (reply.body.error.code === 'handler_failed') return 'failed';
      throw new WebhookError(reply.body.error.code, reply.body.error.message);
    }
    return reply.body.status === 'accepted' ? 'processed' : reply.body.status;
  }

  /**
   * Runs the handlers of an event taken from a queue (by a worker): all of them, concurrently, with no
   * dedupe (the queue did it) and no retries (the queue does them). Each failure reaches `onError` with
   * `attempt`; rejects with the first failure once all have settled, so the queue retries the job.
   */
  async runHandlers(event: AnyEvent, ctx: HandlerContext, attempt: number): Promise<void> {
    const results = await Promise.allSettled(
      this.registry.handlersFor(event.type).map(async (handler) => {
        await handler(event, ctx);
      }),
    );
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    await Promise.all(
      failures.map(({ reason }) =>
        this.errors.report(
          new WebhookError('handler_failed', `A handler for ${event.type} failed (attempt ${attempt})`, {
            cause: reason,
            event,
            deliveryId: ctx.id,
            attempt,
          }),
          event,
        ),
      ),
    );
    const [first] = failures;
    // The handler's own error, unchanged, so the queue records what really went wrong.
    if (first !== undefined) throw first.reason;
  }

  /** Answers one delivery. Never rejects: every failure becomes a reply and a report to `onError`. */
  receive(delivery: Delivery): Promise<Reply> {
    const reply = this.#receive(delivery);
    // Tracked on the reply itself, so drain() resolves only after whoever awaits the answer has it.
    this.#inFlight.track(reply);
    return reply;
  }

  // A step whose answer is already there (a store in memory, a handler that returned) is not awaited:
  // each await, and each async step, is garbage on every delivery.
  async #receive(delivery: Delivery): Promise<Reply> {
    const scope: Scope = { delivery, receivedAt: new Date(), headerId: deliveryIdHeader(delivery.headers) };
    const screening = this.#screen(scope);
    const screened = isPromiseLike(screening) ? await screening : screening;
    if (screened !== undefined) return screened;

    const { store } = this.#options;
    const { headerId } = scope;
    // A store that failed once in this delivery is not asked again: each call could cost storeTimeoutMs.
    let storeDown = false;
    // The header names the event before the body is read: an id already processed costs no read and
    // no parse. Only a finished id counts: one still being received may yet fail and be released.
    if (headerId !== undefined && store?.isProcessed !== undefined) {
      const asking = this.#storeCall(isProcessed, store, headerId);
      const processed = isPromiseLike(asking) ? await asking : asking;
      if (processed instanceof StoreFailure) {
        const refused = this.#storeFailed(scope, processed, headerId);
        if (refused !== undefined) return refused;
        storeDown = true;
      } else if (processed) {
        return successReply(headerId, 'duplicate');
      }
    }

    const read = await this.#readEvent(scope);
    if ('status' in read) return read;
    const { event, rawBody } = read;

    const key = headerId ?? event.id;
    let claim: Claim = UNSTORED;
    if (store !== undefined && !storeDown) {
      const claiming = this.#storeCall(claimKey, store, key);
      const claimed = isPromiseLike(claiming) ? await claiming : claiming;
      if (claimed === null) return successReply(key, 'duplicate');
      if (claimed instanceof StoreFailure) {
        // A claim that lands after all is settled like any other: completed or released with the
        // handlers' outcome, or released at once when the delivery is refused.
        const late: Claim = { store, claim: claimed.late?.catch(() => null) ?? Promise.resolve(null) };
        const refused = this.#storeFailed(scope, claimed, key, read);
        if (refused !== undefined) {
          this.#settle(late, 'release', scope);
          return refused;
        }
        claim = late;
      } else {
        claim = { store, claim: claimed };
      }
    }

    const ctx: HandlerContext = Object.freeze({ id: key, receivedAt: scope.receivedAt, headers: delivery.headers });
    const { handoff } = this.#options;
    if (handoff !== undefined) {
      const queued = await this.#storeCall(enqueue, handoff, [event, ctx] as const);
      if (!(queued instanceof StoreFailure)) {
        this.#settle(claim, 'complete', scope);
        return successReply(key, queued === 'duplicate' ? 'duplicate' : 'accepted');
      }
      const refused = this.#storeFailed(scope, queued, key, read);
      if (refused !== undefined) {
        this.#settle(claim, 'release', scope);
        return refused;
      }
      // Not queued, so never lost: the handlers run here instead, and onError has heard why.
    }
    return this.#dispatch(scope, event, ctx, claim, rawBody);
  }

  /**
   * The checks that need no body, cheapest and most telling first: method, authentication, media
   * type, declared size, shutdown. Resolves the refusal, or `undefined` to go on.
   */
  #screen(scope: Scope): Reply | undefined | Promise<Reply | undefined> {
    const { delivery } = scope;
    const { headers } = delivery;
    if (delivery.method !== 'POST') {
      const message = `Method ${delivery.method} is not allowed; use POST`;
      return this.#reject(scope, new WebhookError('method_not_allowed', message));
    }
    const { auth } = this.#options;
    if (auth !== undefined && delivery.trusted !== true) {
      // Before the body is read or a key claimed: a stranger costs as little as possible.
      return authenticate(auth, {
        url: delivery.url,
        authorization: firstHeader(headers.authorization),
        remoteAddress: auth.ranges === undefined ? undefined : delivery.remoteAddress?.(),
        request: delivery.request,
      }).then((refused) =>
        refused === undefined
          ? this.#screenContent(scope)
          : this.#reject(scope, refused.with({ deliveryId: scope.headerId })),
      );
    }
    return this.#screenContent(scope);
  }

  /** The checks of {@link #screen} after authentication. */
  #screenContent(scope: Scope): Reply | undefined | Promise<Reply | undefined> {
    const { delivery } = scope;
    const { headers } = delivery;
    const { limit } = this.#options;
    const contentEncoding = firstHeader(headers['content-encoding']);
    if (!isIdentityEncoding(contentEncoding)) {
      const message = `Content-Encoding ${contentEncoding ?? ''} is not supported; send the body unencoded`;
      return this.#reject(scope, new WebhookError('unsupported_media_type', message));
    }
    const contentType = firstHeader(headers['content-type']);
    if (!isJsonContentType(contentType)) {
      const message = `Content-Type ${contentType ?? ''} is not JSON (UTF-8)`;
      return this.#reject(scope, new WebhookError('unsupported_media_type', message));
    }
    if (Number(firstHeader(headers['content-length'])) > limit) {
      return this.#reject(scope, payloadTooLarge(limit).with({ deliveryId: scope.headerId }));
    }
    if (this.#closing) return this.#refuseWhileClosing(scope);
    return undefined;
  }

  /** Answers `503 shutting_down`, after reading what arrives anyway: the provider will not resend it. */
  async #refuseWhileClosing(scope: Scope): Promise<Reply> {
    const body = await this.#readBody(scope.delivery).catch(() => undefined);
    const rawBody = body === undefined ? undefined : 'text' in body ? body.text : stringifyForReplay(body.parsed);
    return this.#reject(
      scope,
      new WebhookError('shutting_down', 'The receiver is shutting down', { rawBody, deliveryId: scope.headerId }),
    );
  }

  /** Reads, parses and validates the event, or resolves the refusal (with the raw body for `onError`). */
  async #readEvent(scope: Scope): Promise<ReadEvent | Reply> {
    const { delivery, headerId } = scope;
    const { maxEventAgeMs } = this.#options;
    let rawBody: string | undefined;
    try {
      const body = await this.#readBody(delivery);
      let value: unknown;
      if ('text' in body) {
        rawBody = body.text;
        value = parseJson(body.text);
      } else {
        value = body.parsed;
        rawBody = stringifyForReplay(value);
      }
      const event = parseEvent(value);
      if (headerId !== undefined && headerId !== event.id) {
        throw new WebhookError('id_mismatch', 'The X-IC-Id header and the body id differ', { event });
      }
      if (
        maxEventAgeMs !== undefined &&
        delivery.trusted !== true &&
        isOlderThan(event.createdAt, maxEventAgeMs, scope.receivedAt.getTime())
      ) {
        throw new WebhookError('event_too_old', `The event was created more than ${maxEventAgeMs} ms ago`, { event });
      }
      return { event, rawBody };
    } catch (error) {
      return this.#reject(
        scope,
        isWebhookError(error)
          ? error.with({ rawBody, deliveryId: headerId })
          : new WebhookError('request_aborted', 'The request body could not be read', { cause: error }),
      );
    }
  }

  /**
   * Runs the handlers of a claimed event, retrying failures when `retry` says so, and answers by the
   * deadline (or as `ack` says), letting them run on after the answer. Handlers that all returned
   * without a promise have finished: the answer is then given at once, with no timer or race.
   */
  #dispatch(scope: Scope, event: AnyEvent, ctx: HandlerContext, claim: Claim, rawBody: string | undefined): Reply | Promise<Reply> {
    const handlers = this.registry.handlersFor(event.type);
    // Built at the first handler that did not finish at once (no closure here: that would be garbage
    // on every delivery).
    let run: HandlerRun | undefined;
    // The registry's own array: a handler that registers another must not run it in this delivery.
    const count = handlers.length;
    for (let index = 0; index < count; index++) {
      const handler = handlers[index] as EventHandler;
      try {
        const result = handler(event, ctx);
        if (isPromiseLike(result)) (run ??= this.#handlerRun(scope, event, ctx, rawBody)).pending(handler, result);
      } catch (cause) {
        (run ??= this.#handlerRun(scope, event, ctx, rawBody)).threw(handler, cause);
      }
    }
    const held = scope.delivery.holdUntilSettled === true;
    const status = count === 0 ? 'ignored' : !held && this.#options.ack === 'immediate' ? 'accepted' : 'processed';
    if (run === undefined) {
      this.#settle(claim, 'complete', scope);
      return successReply(ctx.id, status);
    }
    return this.#awaitHandlers(scope, run, claim, status);
  }

  #handlerRun(scope: Scope, event: AnyEvent, ctx: HandlerContext, rawBody: string | undefined): HandlerRun {
    return new HandlerRun(event, ctx, rawBody, this.#options.retry, (error) => {
      this.#track(scope, this.errors.report(error, event));
    });
  }

  /** The rest of {@link #dispatch} once some handler is still at work or has failed. */
  async #awaitHandlers(scope: Scope, run: HandlerRun, claim: Claim, status: DeliveryStatus): Promise<Reply> {
    const { retry } = this.#options;
    const { event } = run;
    const { id } = run.ctx;
    this.#running += 1;
    // The claim is kept while any handler runs or waits to retry, so a resend meanwhile is a
    // duplicate, and released only once all have settled, so a resend never runs beside one at work.
    this.#track(
      scope,
      Promise.allSettled(run.runs).then(async (results) => {
        this.#running -= 1;
        const failures = results.some((result) => result.status === 'rejected');
        if (failures && retry !== undefined && run.lastError !== undefined) await this.#deadLetter(event, run.lastError);
        this.#settle(claim, failures ? 'release' : 'complete', scope);
      }),
    );

    if (status === 'accepted') return successReply(id, status);
    // Without retries Promise.all rejects at the first failure, so a 500 need not wait for the
    // other handlers; with them, the first failure makes the answer a 202, the rest is ours.
    const outcome = Promise.all(run.runs).then(
      () => successReply(id, 'processed'),
      () => errorReply(new WebhookError('handler_failed', 'A handler failed')),
    );
    if (scope.delivery.holdUntilSettled === true) return outcome;
    const race: Promise<Reply>[] = [outcome];
    if (retry !== undefined) {
      if (run.lastError !== undefined) return successReply(id, 'accepted');
      race.push(run.nextFailure().then(() => successReply(id, 'accepted')));
    }
    const answer = await beforeDeadline(Promise.race(race), scope.receivedAt.getTime() + this.#options.ackTimeoutMs);
    return answer === TIMED_OUT ? successReply(id, 'accepted') : answer;
  }

  /**
   * Reports a store (or queue) failure, and answers `503` when `onStoreError` is `'reject'`;
   * `undefined` means "go on without it".
   */
  #storeFailed(scope: Scope, failure: StoreFailure, key: string, read?: ReadEvent): Reply | undefined {
    // With the event and its raw body, so that onError can keep an event answered 503: it is not resent.
    const error = new WebhookError('store_unavailable', 'The dedupe store failed or did not answer in time', {
      cause: failure.cause,
      deliveryId: key,
      event: read?.event,
      rawBody: read?.rawBody,
    });
    if (this.#options.onStoreError === 'reject') return this.#reject(scope, error);
    this.#track(scope, this.errors.report(error, read?.event));
    return undefined;
  }

  /** Hands an event whose handler failed every attempt to `onDeadLetter`; never throws. */
  async #deadLetter(event: AnyEvent, error: WebhookError): Promise<void> {
    const { onDeadLetter } = this.#options;
    if (onDeadLetter === undefined) return;
    try {
      await onDeadLetter(event, error);
    } catch (thrown) {
      console.error('converc-webhooks: onDeadLetter threw', thrown);
    }
  }

  /** Reads the body, giving up after `bodyTimeoutMs` with `request_timeout`. */
  #readBody(delivery: Delivery): Promise<DeliveryBody> {
    return delivery.readBody(this.#options.limit, this.#options.bodyTimeoutMs);
  }

  /**
   * Calls the store on the request path, bounded by `storeTimeoutMs`: a store that has lost its server
   * may hold a command until it reconnects. An answer given synchronously is returned as it is.
   * Gives a {@link StoreFailure} rather than throwing or rejecting.
   */
  #storeCall<S, A, T>(
    call: (subject: S, arg: A) => T | Promise<T>,
    subject: S,
    arg: A,
  ): T | StoreFailure<T> | Promise<T | StoreFailure<T>> {
    let answer: T | Promise<T>;
    try {
      // A function and its arguments rather than a closure: a closure per call is garbage per delivery.
      answer = call(subject, arg);
    } catch (cause) {
      return new StoreFailure(cause, undefined);
    }
    if (!isPromiseLike(answer)) return answer;
    const pending = Promise.resolve(answer);
    const { storeTimeoutMs } = this.#options;
    return beforeDeadline(pending, Date.now() + storeTimeoutMs).then(
      (result) =>
        result === TIMED_OUT
          ? new StoreFailure(new Error(`no answer within storeTimeoutMs (${storeTimeoutMs} ms)`), pending)
          : result,
      (cause: unknown) => new StoreFailure<T>(cause, undefined),
    );
  }

  /** Work that outlives the answer: `drain()` waits for it, and so does the platform when it can. */
  #track(scope: Scope, work: Promise<unknown>): void {
    this.#inFlight.track(work);
    scope.delivery.waitUntil?.(work);
  }

  /** Reports a refusal to `onError` and turns it into the answer. */
  #reject(scope: Scope, error: WebhookError): Reply {
    this.#track(scope, this.errors.report(error, error.event as AnyEvent | undefined));
    return errorReply(error);
  }

  /**
   * Completes or releases a claim. A store that answers synchronously is done at once; work still
   * pending is tracked for `drain()`. A store failure is reported, never thrown.
   */
  #settle(claim: Claim, how: 'complete' | 'release', scope: Scope): void {
    if (claim === UNSTORED) return;
    if (isPromiseLike(claim.claim)) {
      this.#settleLater(claim.store, claim.claim, how, scope);
      return;
    }
    const work = this.#finish(claim.store, claim.claim, how, scope);
    if (work !== undefined) this.#track(scope, work);
  }

  /** {@link #settle} for a claim still on its way. */
  #settleLater(store: DedupeStore, claim: Promise<DedupeClaim | null>, how: 'complete' | 'release', scope: Scope): void {
    this.#track(
      scope,
      claim.then((held) => this.#finish(store, held, how, scope)),
    );
  }

  /** Completes or releases a claim that is held; what is still pending is returned to be tracked. */
  #finish(store: DedupeStore, held: DedupeClaim | null, how: 'complete' | 'release', scope: Scope): Promise<void> | undefined {
    if (held === null) return undefined;
    try {
      const done = how === 'complete' ? store.complete(held) : store.release(held);
      if (isPromiseLike(done)) {
        return Promise.resolve(done).then(ignore, (cause: unknown) => {
          this.#settleFailed(cause, held.key, how, scope);
        });
      }
    } catch (cause) {
      this.#settleFailed(cause, held.key, how, scope);
    }
    return undefined;
  }

  #settleFailed(cause: unknown, key: string, how: 'complete' | 'release', scope: Scope): void {
    const error = new WebhookError('store_unavailable', `The dedupe store failed to ${how} a claim`, {
      cause,
      deliveryId: key,
    });
    this.#track(scope, this.errors.report(error, undefined));
  }

}

// The store and queue calls of a delivery, as functions of their arguments: see #storeCall.
const isProcessed = (store: DedupeStore, key: string): boolean | Promise<boolean> => store.isProcessed?.(key) ?? false;
const claimKey = (store: DedupeStore, key: string): DedupeClaim | null | Promise<DedupeClaim | null> => store.claim(key);
const enqueue = (handoff: Handoff, [event, ctx]: readonly [AnyEvent, HandlerContext]) => handoff.enqueue(event, ctx);

/** A valid event and the text it came as. */
interface ReadEvent {
  readonly event: AnyEvent;
  readonly rawBody: string | undefined;
}

/** One delivery on its way through the receiver. */
interface Scope {
  readonly delivery: Delivery;
  readonly receivedAt: Date;
  /** The `X-IC-Id` header, when present and non-empty: read once, used at every step. */
  readonly headerId: string | undefined;
}

/** How a `replay()` ended. */
export type ReplayStatus = 'processed' | 'ignored' | 'duplicate' | 'failed';

/** What `close()` resolves with. */
export interface CloseResult {
  /** Whether every delivery and handler settled within the timeout. */
  readonly drained: boolean;
  /** How many deliveries still had handlers running when it resolved (0 when drained). */
  readonly pending: number;
}

/** A store call that failed, or did not answer in time (then `late` is its answer, still to come). */
class StoreFailure<T = unknown> {
  constructor(
    readonly cause: unknown,
    readonly late: Promise<T> | undefined,
  ) {}
}

/**
 * A claim in a store, or a promise of one (a slow store's claim may arrive after the handlers
 * started), or `UNSTORED` when there is no store, or it failed, and nothing is held.
 */
type Claim =
  | { readonly store: DedupeStore; readonly claim: DedupeClaim | Promise<DedupeClaim | null> }
  | typeof UNSTORED;
const UNSTORED = Symbol('unstored');

/** Clock skew allowed between the provider and this machine when judging an event's age. */
const CLOCK_SKEW_MS = 60_000;

/** Whether `createdAt` is older than `maxAgeMs` (plus skew); an instant Date cannot read is not judged. */
function isOlderThan(createdAt: string, maxAgeMs: number, now: number): boolean {
  const created = Date.parse(createdAt);
  return Number.isFinite(created) && now - created > maxAgeMs + CLOCK_SKEW_MS;
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
