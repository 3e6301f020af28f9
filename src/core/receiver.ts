import { authenticate } from '../auth/authenticate';
import type { ResolvedAuth } from '../auth/auth-options';
import type { DedupeClaim, DedupeStore } from '../dedupe/dedupe-store';
import { digestKey, MAX_STORED_KEY_LENGTH } from '../dedupe/stored-key';
import { WebhookError, isWebhookError, payloadTooLarge } from '../errors/webhook-error';
import { parseEvent } from '../events/parse-event';
import { ByteBudget } from './byte-budget';
import { beforeDeadline, isThenable, TIMED_OUT, withTimeout } from './deadline';
import { ErrorHooks } from './error-hooks';
import { HandlerRegistry } from './handler-registry';
import type { AnyEvent, EventHandler, HandlerContext, IncomingHeaders } from './handler-types';
import { InFlight } from './in-flight';
import { deliveryIdHeader, firstHeader } from './request-headers';
import { isIdentityEncoding, isJsonContentType } from './media-type';
import { decodeRefusedBody } from './refused-body';
import type { ResolvedOptions } from './options';
import { DeliveryRecord, type DeliveryOutcome } from './outcome';
import { backoffDelay } from './retry';
import { deliveryChannel, handlerChannel, isObserved, type DeliveryTrace, type HandlerTrace } from '../observability/channels';
import { Watchers, type StoreOperation } from '../observability/watchers';

/**
 * A request body as an adapter found it: text to parse (with its size in bytes), or a value another
 * parser already produced.
 */
export type DeliveryBody = { readonly text: string; readonly bytes: number } | { readonly parsed: unknown };

/** A body as it came (bytes), or as another parser left it (text), for a refusal to hand to `onError`. */
export type RawBody = Uint8Array | string;

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
   */
  readBody(limit: number, timeoutMs: number): Promise<DeliveryBody>;
  /**
   * Reads the body as it came, at most `limit` bytes, for a delivery refused for its media type: its
   * charset or encoding may not be UTF-8 JSON, and `onError` should get it all the same. Optional: an
   * adapter without it hands `onError` no raw body for such a refusal.
   */
  readRawBody?(limit: number, timeoutMs: number): Promise<RawBody>;
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
 * The framework-agnostic receiver: every adapter hands it a {@link Delivery}, and it resolves one
 * {@link DeliveryOutcome}, which the adapter turns into its answer with `toReply`. A delivery goes,
 * top to bottom through {@link Receiver.receive}:
 *
 * 1. the checks that need no body, cheapest first: method, auth, media type, declared size, shutdown;
 * 2. an `X-IC-Id` the store knows as processed is a duplicate, answered without reading the body;
 * 3. the body is read, parsed and validated (zod decides), and its id checked against `X-IC-Id`;
 * 4. the dedupe key is claimed in the store (a claim already held is a duplicate);
 * 5. the event is handed to the `handoff` queue, or its handlers run here, retried as `retry` says;
 * 6. the answer leaves when the handlers settle, or at `ackTimeoutMs` (or at once with
 *    `ack: 'immediate'`), and the claim is completed or released once every handler has settled.
 *
 * Every store and queue call is bounded by `storeTimeoutMs`; when one fails, `onStoreError` decides.
 * Refusals reach `onError` in one place, where the outcome leaves; so do the logger and the metrics
 * (`watchers`), and the `converc-webhooks:delivery` tracing channel is published around it. Each
 * handler run is published on `converc-webhooks:handler`. Both only while someone subscribes.
 */
export class Receiver {
  readonly registry = new HandlerRegistry();
  readonly errors = new ErrorHooks();
  /** The receiver's own logger and metrics (`logger`, `collectMetrics`). */
  readonly watchers = new Watchers();
  /** Tells the watchers how long a store or queue call took; one function for every delivery. */
  readonly #storeCalled = (operation: StoreOperation, ms: number): void => {
    this.watchers.storeCalled(operation, ms);
  };
  readonly #inFlight = new InFlight();
  readonly #options: ResolvedOptions;
  /** The room bodies being read and parsed share: `maxBytesInFlight`. */
  readonly #bodies: ByteBudget;
  /** Deliveries whose handlers have not all settled yet. */
  #running = 0;
  #closing = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#bodies = new ByteBudget(options.maxBytesInFlight);
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
    const outcome = await this.receive({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      readBody: () => Promise.resolve({ parsed: event }),
      holdUntilSettled: true,
      trusted: true,
    });
    switch (outcome.kind) {
      case 'refused':
        throw outcome.error;
      // Held until settled, a replay is accepted only by a handoff queue, which now has the event.
      case 'accepted':
        return 'processed';
      default:
        return outcome.kind;
    }
  }

  /**
   * Runs the handlers of an event taken from a queue (by a worker): all of them, concurrently, with no
   * dedupe (the queue did it) and no retries (the queue does them). Each failure reaches `onError` with
   * `attempt`; rejects with the first failure once all have settled, so the queue retries the job.
   */
  async runHandlers(event: AnyEvent, ctx: HandlerContext, attempt: number, traceparent?: string): Promise<void> {
    const results = await Promise.allSettled(
      this.registry.handlersFor(event.type).map(async (handler) => {
        await this.#call(handler, event, ctx, attempt, undefined, traceparent);
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

  /**
   * Tells `onDeadLetter` of an event whose handlers a worker ran for the last time, and failed (the
   * Postgres inbox's workers count attempts themselves). Never rejects.
   */
  deadLetter(event: AnyEvent, error: WebhookError): Promise<void> {
    return this.#deadLetter(event, error);
  }

  /**
   * Answers one delivery: the single exit every delivery leaves by, with its outcome. Never rejects:
   * every failure is an outcome, and a refusal is reported to `onError` here.
   */
  receive(delivery: Delivery): Promise<DeliveryOutcome> {
    const record = new DeliveryRecord();
    if (this.watchers.active) record.onStoreCall = this.#storeCalled;
    // With no subscriber, no context object and no tracing closure: a delivery costs what it did.
    if (!isObserved(deliveryChannel)) return this.#exit(delivery, this.#receive(delivery, record));
    record.trace = { method: delivery.method, headerId: deliveryIdHeader(delivery.headers) };
    return this.#exit(delivery, deliveryChannel.tracePromise(this.#receive, record.trace, this, delivery, record));
  }

  /**
   * Refuses a delivery with `error` (an adapter's refusal, such as `not_found`), after reading its body
   * into the error: the provider will not resend it, so `onError` should have it. Never rejects.
   */
  refuse(delivery: Delivery, error: WebhookError): Promise<DeliveryOutcome> {
    const record = new DeliveryRecord();
    record.id = deliveryIdHeader(delivery.headers);
    return this.#exit(delivery, this.#refuseWithBody(delivery, record, error));
  }

  /** Where every outcome leaves: a refusal is reported to `onError`, and `drain()` waits for it all. */
  #exit(delivery: Delivery, receiving: Promise<DeliveryOutcome>): Promise<DeliveryOutcome> {
    const outcome = receiving.then((ended) => {
      if (ended.kind === 'refused') this.#track(delivery, this.errors.report(ended.error, ended.error.event as AnyEvent | undefined));
      if (this.watchers.active) this.watchers.delivered(ended);
      return ended;
    });
    // Tracked on the outcome itself, so drain() resolves only after whoever awaits the answer has it.
    this.#inFlight.track(outcome);
    return outcome;
  }

  async #receive(delivery: Delivery, record: DeliveryRecord): Promise<DeliveryOutcome> {
    const { store, handoff, storeTimeoutMs, auth } = this.#options;
    const headerId = deliveryIdHeader(delivery.headers);
    record.id = headerId;

    // 1. The checks that need no body, cheapest and most telling first: a stranger costs as little as possible.
    const refusal =
      methodRefusal(delivery) ??
      (auth !== undefined && delivery.trusted !== true ? await this.#authenticate(delivery, auth) : undefined) ??
      this.#contentRefusal(delivery);
    if (refusal !== undefined) {
      // A body in the wrong media type is most often a sender's set-up, of an event sent only once: onError gets it.
      const rawBody = refusal.code === 'unsupported_media_type' ? await this.#refusedBody(delivery) : undefined;
      return record.refuse(refusal.with({ deliveryId: headerId, rawBody }));
    }
    if (this.#closing) return this.#refuseWithBody(delivery, record, new WebhookError('shutting_down', 'The receiver is shutting down'));
    // Authentication may wait on a user's check, which is none of the stages; the other checks take no time.
    if (auth !== undefined) record.lap();

    // 2. The header names the event before the body is read: an id already processed costs no read
    // and no parse. Only a finished id counts: one still being received may yet fail and be released.
    // A store that failed once in this delivery is not asked again: each call could cost storeTimeoutMs.
    let storeDown: { readonly cause: unknown } | undefined;
    if (headerId !== undefined && store?.isProcessed !== undefined) {
      const storedKey = headerId.length > MAX_STORED_KEY_LENGTH ? await digestKey(headerId) : headerId;
      try {
        const processed = await withTimeout(store.isProcessed(storedKey), storeTimeoutMs);
        record.lap('store', 'is_processed');
        if (processed) return record.end('duplicate', headerId);
      } catch (cause) {
        record.lap('store', 'is_processed');
        storeDown = { cause };
        // Under 'reject', the refusal waits for the body, so that onError can keep it: it is not resent.
        if (this.#options.onStoreError === 'process') this.#storeFailed(delivery, record, storeUnavailable(cause, headerId));
      }
    }

    // 3. Read, parse and validate, in the room a large body takes of `maxBytesInFlight` (it waits,
    // unread, for it: the sender's TCP window then fills and the sender waits too). What #inBodyRoom
    // does, written out: here it would cost every delivery a closure and a promise.
    let rawBody: string | undefined;
    let event: AnyEvent;
    const share = this.#bodyShare(delivery);
    try {
      const waiting = share === 0 ? undefined : this.#bodies.take(share);
      if (waiting !== undefined) await waiting;
      const body = await this.#readBody(delivery);
      record.lap('read');
      if ('text' in body) {
        rawBody = body.text;
        record.bytes = body.bytes;
      } else {
        rawBody = stringifyForReplay(body.parsed);
      }
      event = this.#validate(delivery, body, headerId, record.receivedAt);
      record.lap('validate');
    } catch (error) {
      const refused = isWebhookError(error)
        ? error
        : new WebhookError('request_aborted', 'The request body could not be read', { cause: error });
      return record.refuse(refused.with({ rawBody, deliveryId: headerId }));
    } finally {
      if (share !== 0) this.#bodies.give(share);
    }
    const key = headerId ?? event.id;
    record.id = key;
    record.type = event.type;
    if (storeDown !== undefined && this.#options.onStoreError === 'reject') {
      return record.refuse(storeUnavailable(storeDown.cause, key, event, rawBody));
    }

    // 4. Claim the key. A claim that lands after the store timed out is settled like any other:
    // completed or released with the handlers' outcome, or released at once when the delivery is refused.
    // A store that is down is not asked to claim, but is told once the event is processed (lateClaim).
    let claim: Claim;
    // A store keeps a digest of a long id rather than the id (dedupe/stored-key.ts).
    const storedKey = store === undefined || key.length <= MAX_STORED_KEY_LENGTH ? key : await digestKey(key);
    if (store !== undefined && storeDown !== undefined) claim = { key: storedKey, token: UNCLAIMED };
    else if (store !== undefined) {
      let claiming: ReturnType<DedupeStore['claim']> | undefined;
      try {
        claiming = store.claim(storedKey);
        const held = await withTimeout(claiming, storeTimeoutMs);
        record.lap('store', 'claim');
        if (held === null) return record.end('duplicate', key);
        claim = held;
      } catch (cause) {
        record.lap('store', 'claim');
        claim = lateClaim(claiming, storedKey, storeTimeoutMs);
        const refused = this.#storeFailed(delivery, record, storeUnavailable(cause, key, event, rawBody));
        if (refused !== undefined) {
          this.#settle(delivery, claim, 'release');
          return record.refuse(refused);
        }
      }
    }

    // 5. Hand off to a queue, or run the handlers here.
    const ctx: HandlerContext = Object.freeze({ id: key, receivedAt: record.receivedAt, headers: delivery.headers });
    if (handoff !== undefined) {
      try {
        // A traced delivery hands its trace on to the worker that runs the job.
        const enqueuing = record.trace === undefined ? handoff.enqueue(event, ctx) : handoff.enqueue(event, ctx, { traceparent: record.trace.traceparent });
        const queued = await withTimeout(enqueuing, storeTimeoutMs);
        record.lap('store', 'enqueue');
        this.#settle(delivery, claim, 'complete');
        return record.end(queued === 'duplicate' ? 'duplicate' : 'accepted', key);
      } catch (cause) {
        record.lap('store', 'enqueue');
        const refused = this.#storeFailed(delivery, record, storeUnavailable(cause, key, event, rawBody));
        if (refused !== undefined) {
          this.#settle(delivery, claim, 'release');
          return record.refuse(refused);
        }
        // Not queued, so never lost: the handlers run here instead, and onError has heard why. (A job
        // that lands after the timeout runs twice: hence the handoff's `enableOfflineQueue: false` advice.)
      }
    }

    // 6. Run the handlers, and answer when they settle, or as `ack` and `ackTimeoutMs` say. Each is
    // called once here (the registry's list read once: a handler that adds another does not run it
    // in this delivery), and what it returned or threw is its first attempt.
    const handlers = this.registry.handlersFor(event.type);
    const firstAttempts = handlers.map((handler) => this.#call(handler, event, ctx, 1, record.trace, undefined));
    const held = delivery.holdUntilSettled === true;
    const { ack, ackTimeoutMs } = this.#options;
    // A handler that returned without a promise has finished. When all have (most handlers count, log
    // or enqueue), the delivery is answered at once, with no promise, timer or race per handler: they
    // cost about 4 KB of garbage per delivery and 4–5% of its CPU over node:http (bench/PROFILE.md).
    if (!firstAttempts.some(isThenable)) {
      this.#settle(delivery, claim, 'complete');
      record.lap('handlers');
      return record.end(handlers.length === 0 ? 'ignored' : !held && ack === 'immediate' ? 'accepted' : 'processed', key);
    }
    const answer = new HandlersAnswer(!held && this.#options.retry !== undefined);
    this.#track(delivery, this.#runHandlers(delivery, handlers, firstAttempts, event, ctx, rawBody, claim, answer, record.trace));
    if (!held && ack === 'immediate') return record.end('accepted', key);
    const answered = held
      ? await answer.promise
      : await beforeDeadline(answer.promise, record.receivedAt.getTime() + ackTimeoutMs);
    record.lap('handlers');
    if (answered === 'failed' && answer.lastFailure !== undefined) return record.fail(answer.lastFailure, key);
    return record.end(answered === TIMED_OUT || answered === 'failed' ? 'accepted' : answered, key);
  }

  /**
   * Runs one attempt of a handler: what it returned, or a rejected promise of what it threw. Watched
   * and traced only when someone listens; a handler that returns no promise then stays synchronous
   * unless the handler channel is traced (tracePromise makes a promise of every result).
   */
  #call(
    handler: EventHandler,
    event: AnyEvent,
    ctx: HandlerContext,
    attempt: number,
    delivery: DeliveryTrace | undefined,
    traceparent: string | undefined,
  ): unknown {
    const traced = isObserved(handlerChannel);
    const { watchers } = this;
    if (!traced && !watchers.active) return callHandler(handler, event, ctx);
    const run: HandlerTrace = { id: ctx.id, type: event.type, attempt, delivery, traceparent };
    if (watchers.active) watchers.handlerStarted(run);
    const startedAt = performance.now();
    let returned: unknown;
    try {
      // tracePromise turns a result that is not a promise into one, so any handler can be passed.
      returned = traced ? handlerChannel.tracePromise(handler as AsyncHandler, run, undefined, event, ctx) : handler(event, ctx);
    } catch (error) {
      if (watchers.active) watchers.handlerEnded(run, true, performance.now() - startedAt);
      // Handled at once by the handler's run, which retries or reports it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      return Promise.reject(error);
    }
    if (!watchers.active) return returned;
    if (!isThenable(returned)) {
      watchers.handlerEnded(run, false, performance.now() - startedAt);
      return returned;
    }
    return Promise.resolve(returned).then(
      (value) => {
        watchers.handlerEnded(run, false, performance.now() - startedAt);
        return value;
      },
      (error: unknown) => {
        watchers.handlerEnded(run, true, performance.now() - startedAt);
        throw error;
      },
    );
  }

  /**
   * Refuses with 401 or 403 when `auth` says so: before the body is read or a key claimed. `verify`,
   * the user's own check, has `storeTimeoutMs` to answer, as every other call on the request path.
   */
  #authenticate(delivery: Delivery, auth: ResolvedAuth): Promise<WebhookError | undefined> {
    const credentials = {
      url: delivery.url,
      authorization: firstHeader(delivery.headers.authorization),
      remoteAddress: auth.ranges === undefined ? undefined : delivery.remoteAddress?.(),
      request: delivery.request,
    };
    return authenticate(auth, credentials, this.#options.storeTimeoutMs);
  }

  /** Refuses a body that is not JSON in UTF-8, or that says it is larger than `limit`. */
  #contentRefusal({ headers }: Delivery): WebhookError | undefined {
    const contentEncoding = firstHeader(headers['content-encoding']);
    if (!isIdentityEncoding(contentEncoding)) {
      const message = `Content-Encoding ${contentEncoding ?? ''} is not supported; send the body unencoded`;
      return new WebhookError('unsupported_media_type', message);
    }
    const contentType = firstHeader(headers['content-type']);
    if (!isJsonContentType(contentType)) {
      return new WebhookError('unsupported_media_type', `Content-Type ${contentType ?? ''} is not JSON (UTF-8)`);
    }
    const { limit } = this.#options;
    if (Number(firstHeader(headers['content-length'])) > limit) return payloadTooLarge(limit);
    return undefined;
  }

  /** The text of a body refused for its media type, decoded as its headers say (see refused-body.ts), or `undefined`. */
  async #refusedBody(delivery: Delivery): Promise<string | undefined> {
    const { limit, bodyTimeoutMs } = this.#options;
    return this.#inBodyRoom(delivery, async () => {
      const raw = await delivery.readRawBody?.(limit, bodyTimeoutMs);
      return raw === undefined ? undefined : await decodeRefusedBody(raw, delivery.headers, limit);
    }).catch(() => undefined);
  }

  /**
   * The share of `maxBytesInFlight` a delivery's body takes while it is read and parsed: its declared
   * size (or `limit` when none is declared), but nothing for a small one (most events are a few KB:
   * a flood of them costs no more than their connections) or for one the app hands over itself.
   */
  #bodyShare(delivery: Delivery): number {
    if (delivery.trusted === true) return 0;
    const { limit } = this.#options;
    const declared = Number(firstHeader(delivery.headers['content-length']) ?? Number.NaN);
    if (Number.isNaN(declared)) return limit;
    return declared <= SMALL_BODY_BYTES ? 0 : Math.min(declared, limit);
  }

  /** Runs `read` in the room the delivery's body takes of `maxBytesInFlight`, once there is room. */
  async #inBodyRoom<T>(delivery: Delivery, read: () => Promise<T>): Promise<T> {
    const share = this.#bodyShare(delivery);
    if (share === 0) return read();
    await this.#bodies.take(share);
    try {
      return await read();
    } finally {
      this.#bodies.give(share);
    }
  }

  /** Refuses with `error`, once what arrives anyway is read into it: the provider will not resend it. */
  async #refuseWithBody(delivery: Delivery, record: DeliveryRecord, error: WebhookError): Promise<DeliveryOutcome> {
    const body = await this.#inBodyRoom(delivery, () => this.#readBody(delivery)).catch(() => undefined);
    record.lap('read');
    if (body !== undefined && 'text' in body) record.bytes = body.bytes;
    const rawBody = body === undefined ? undefined : 'text' in body ? body.text : stringifyForReplay(body.parsed);
    return record.refuse(error.with({ rawBody, deliveryId: record.id }));
  }

  /** Parses the body and validates the event, its id against `X-IC-Id` and its age; throws a `WebhookError`. */
  #validate(delivery: Delivery, body: DeliveryBody, headerId: string | undefined, receivedAt: Date): AnyEvent {
    const event = parseEvent('text' in body ? parseJson(body.text) : body.parsed);
    if (headerId !== undefined && headerId !== event.id) {
      throw new WebhookError('id_mismatch', 'The X-IC-Id header and the body id differ', { event });
    }
    const { maxEventAgeMs } = this.#options;
    if (maxEventAgeMs !== undefined && delivery.trusted !== true && isOlderThan(event.createdAt, maxEventAgeMs, receivedAt.getTime())) {
      throw new WebhookError('event_too_old', `The event was created more than ${maxEventAgeMs} ms ago`, { event });
    }
    return event;
  }

  /**
   * Runs every handler of a claimed event, each retried on its own as `retry` says, then settles the
   * claim: it is kept while any handler runs or waits to retry, so a resend meanwhile is a duplicate,
   * and completed or released once all have settled, so a resend never runs beside one at work.
   */
  async #runHandlers(
    delivery: Delivery,
    handlers: readonly EventHandler[],
    firstAttempts: readonly unknown[],
    event: AnyEvent,
    ctx: HandlerContext,
    rawBody: string | undefined,
    claim: Claim,
    answer: HandlersAnswer,
    trace: DeliveryTrace | undefined,
  ): Promise<void> {
    this.#running += 1;
    const results = await Promise.all(
      handlers.map((handler, index) => this.#runHandler(delivery, handler, firstAttempts[index], event, ctx, rawBody, answer, trace)),
    );
    this.#running -= 1;
    const succeeded = results.every(Boolean);
    answer.settle(succeeded ? 'processed' : 'failed');
    if (!succeeded && this.#options.retry !== undefined && answer.lastFailure !== undefined) {
      await this.#deadLetter(event, answer.lastFailure);
    }
    this.#settle(delivery, claim, succeeded ? 'complete' : 'release');
  }

  /**
   * Waits for one handler's first attempt, and retries it after a failure while `retry` allows, so
   * that one that succeeded never runs twice. Resolves whether it succeeded; never rejects.
   */
  async #runHandler(
    delivery: Delivery,
    handler: EventHandler,
    firstAttempt: unknown,
    event: AnyEvent,
    ctx: HandlerContext,
    rawBody: string | undefined,
    answer: HandlersAnswer,
    trace: DeliveryTrace | undefined,
  ): Promise<boolean> {
    const { retry } = this.#options;
    const attempts = retry?.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      try {
        await (attempt === 1 ? firstAttempt : this.#call(handler, event, ctx, attempt, trace, undefined));
        return true;
      } catch (cause) {
        const which = attempts > 1 ? ` (attempt ${attempt} of ${attempts})` : '';
        const error = new WebhookError('handler_failed', `A handler for ${event.type} failed${which}`, {
          cause,
          event,
          rawBody,
          deliveryId: ctx.id,
          attempt,
        });
        this.#track(delivery, this.errors.report(error, event));
        const retrying = retry !== undefined && attempt < attempts;
        answer.failed(error, retrying);
        if (!retrying) return false;
        await sleep(backoffDelay(attempt, retry));
      }
    }
  }

  /**
   * Reports a store (or queue) failure, and resolves the refusal when `onStoreError` is `'reject'`;
   * `undefined` means "go on without it".
   */
  #storeFailed(delivery: Delivery, record: DeliveryRecord, error: WebhookError): WebhookError | undefined {
    if (this.#options.onStoreError === 'reject') return error;
    record.storeError = error;
    this.#track(delivery, this.errors.report(error, error.event as AnyEvent | undefined));
    return undefined;
  }

  /**
   * Completes or releases a claim, in the background: `drain()` waits for what is left to do. A claim
   * held at a store that answers at once (the memory store) is settled at once, with no promise: an
   * async settle cost 0.8 KB of garbage and 2–4% of the CPU of every delivery (bench/PROFILE.md).
   */
  #settle(delivery: Delivery, claim: Claim, how: 'complete' | 'release'): void {
    if (claim === undefined) return;
    const settling = isThenable(claim) ? claim.then((held) => this.#settleHeld(held, how)) : this.#settleHeld(claim, how);
    if (settling !== undefined) this.#track(delivery, settling);
  }

  /** Completes or releases a held claim; resolves what is still to do, if anything. Never throws or rejects. */
  #settleHeld(held: DedupeClaim | null, how: 'complete' | 'release'): Promise<void> | undefined {
    const { store } = this.#options;
    // A claim nobody holds has nothing to release.
    if (held === null || store === undefined || (how === 'release' && held.token === UNCLAIMED)) return undefined;
    try {
      const done = how === 'complete' ? store.complete(held) : store.release(held);
      return isThenable(done) ? Promise.resolve(done).then(undefined, (cause: unknown) => this.#settleAgain(held, how, cause)) : undefined;
    } catch (cause) {
      return this.#settleAgain(held, how, cause);
    }
  }

  /**
   * Tries a completion or release that failed again while the store recovers: an event processed
   * during an outage must still be recorded, or its resend after recovery runs again. Up to
   * {@link SETTLE_RETRIES} more times, after `storeTimeoutMs`, then twice that, and so on (about a
   * minute at the default); `drain()` waits for it, and `onError` hears of a failure that outlasts them.
   */
  async #settleAgain(held: DedupeClaim, how: 'complete' | 'release', cause: unknown): Promise<void> {
    const { store, storeTimeoutMs } = this.#options;
    for (let retry = 0; retry < SETTLE_RETRIES && store !== undefined; retry++) {
      await sleep(storeTimeoutMs * 2 ** retry);
      try {
        await withTimeout(how === 'complete' ? store.complete(held) : store.release(held), storeTimeoutMs);
        return;
      } catch (again) {
        cause = again;
      }
    }
    const error = new WebhookError('store_unavailable', `The dedupe store failed to ${how} a claim`, { cause, deliveryId: held.key });
    await this.errors.report(error);
  }

  /**
   * Hands an event whose handler failed every attempt (here, or in an inbox worker) to `onDeadLetter`,
   * and counts it; never throws.
   */
  async #deadLetter(event: AnyEvent, error: WebhookError): Promise<void> {
    if (this.watchers.active) this.watchers.deadLettered(event.type);
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

  /** Work that outlives the answer: `drain()` waits for it, and so does the platform when it can. */
  #track(delivery: Delivery, work: Promise<unknown>): void {
    this.#inFlight.track(work);
    delivery.waitUntil?.(work);
  }
}

/**
 * The answer a delivery's handlers give, which the first to come decides: all settled (`processed`,
 * or `failed`); with `retry`, unless the answer is held, the first failure (`accepted`: the event is
 * ours now, and what is left of its attempts runs after the answer); else the first failure left
 * without a retry (`failed`: a 500 need not wait for the other handlers).
 */
class HandlersAnswer {
  readonly promise: Promise<'processed' | 'failed' | 'accepted'>;
  /** The last failure, for `onDeadLetter` and the `failed` outcome. */
  lastFailure: WebhookError | undefined;
  readonly #acceptOnFailure: boolean;
  #settle!: (kind: 'processed' | 'failed' | 'accepted') => void;

  constructor(acceptOnFailure: boolean) {
    this.#acceptOnFailure = acceptOnFailure;
    this.promise = new Promise((resolve) => (this.#settle = resolve));
  }

  /** Every handler has settled. */
  settle(kind: 'processed' | 'failed'): void {
    this.#settle(kind);
  }

  /** A handler failed; `retrying` when it runs again later. */
  failed(error: WebhookError, retrying: boolean): void {
    this.lastFailure = error;
    if (this.#acceptOnFailure) this.#settle('accepted');
    else if (!retrying) this.#settle('failed');
  }
}

/**
 * A claim held in the store, or on its way (a claim that lands after the store timed out), or
 * `undefined` when there is no store, or it was not asked.
 */
type Claim = DedupeClaim | Promise<DedupeClaim | null> | undefined;

/** How a `replay()` ended. */
export type ReplayStatus = 'processed' | 'ignored' | 'duplicate' | 'failed';

/** What `close()` resolves with. */
export interface CloseResult {
  /** Whether every delivery and handler settled within the timeout. */
  readonly drained: boolean;
  /** How many deliveries still had handlers running when it resolved (0 when drained). */
  readonly pending: number;
}

/** A handler as `tracePromise` types the function it traces. */
type AsyncHandler = (event: AnyEvent, ctx: HandlerContext) => Promise<unknown>;

/** Calls a handler: what it returns, or a rejected promise of what it throws. */
function callHandler(handler: EventHandler, event: AnyEvent, ctx: HandlerContext): unknown {
  try {
    return handler(event, ctx);
  } catch (error) {
    // Handled at once by the handler's run, which retries or reports it.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject(error);
  }
}

/**
 * The `store_unavailable` error, with the event and its raw body where they were read, so that
 * `onError` can keep an event answered 503: the provider will not resend it.
 */
function storeUnavailable(cause: unknown, key: string, event?: AnyEvent, rawBody?: string): WebhookError {
  const message = 'The dedupe store or the handoff queue failed, or did not answer in time';
  return new WebhookError('store_unavailable', message, { cause, deliveryId: key, event, rawBody });
}

/** A body declared at most this large takes no share of `maxBytesInFlight`. */
export const SMALL_BODY_BYTES = 64 * 1024;

/** How many more times a failed completion or release is tried, while the store recovers. */
const SETTLE_RETRIES = 6;

/** The token of a claim nobody holds: completing it records the id, releasing it frees nothing. */
const UNCLAIMED = 'unclaimed';

/**
 * The claim of a delivery whose store failed to claim in time: the store's own if it lands after all
 * (within `SETTLE_RETRIES` store timeouts), else one held by nobody, so that the event, if processed,
 * is still recorded once the store is back, and a resend after the outage is a duplicate.
 */
function lateClaim(claiming: ReturnType<DedupeStore['claim']> | undefined, key: string, storeTimeoutMs: number): Promise<DedupeClaim> {
  const unclaimed: DedupeClaim = { key, token: UNCLAIMED };
  if (claiming === undefined) return Promise.resolve(unclaimed);
  return Promise.resolve(withTimeout(claiming, storeTimeoutMs * SETTLE_RETRIES)).then(
    (held) => held ?? unclaimed,
    () => unclaimed,
  );
}

/** Refuses any method but POST. */
function methodRefusal({ method }: Delivery): WebhookError | undefined {
  return method === 'POST' ? undefined : new WebhookError('method_not_allowed', `Method ${method} is not allowed; use POST`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

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
