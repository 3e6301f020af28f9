import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';
import { z } from 'zod';
import { errorOf, type DeliveryOutcome } from '../core/outcome';
import { receiverOf } from '../core/receivers';
import { isKnownEventType } from '../events/event-types';
import type { DeliveryWatcher } from '../observability/watchers';
import { checkOptions, objectWith, optionsObject, wholeNumber } from '../options/check-options';
import type { ConvercWebhooks } from '../webhooks';

/** Options of {@link collectMetrics}. */
export interface CollectMetricsOptions {
  /**
   * The prom-client registry the metrics are registered in. A metric already there under the same
   * name (a second receiver's) is shared: its series add up.
   * @default prom-client's global `register`
   */
  registry?: Registry;
  /**
   * How many event types this version does not know (types the provider added later) get a `type`
   * label of their own; the next ones count under `other`. A sender chooses the type: without a
   * cap, each new name would be a new series.
   * @default 20
   */
  maxUnknownTypes?: number;
}

const optionsSchema = optionsObject({
  registry: objectWith<Registry>(['registerMetric'], 'must be a prom-client Registry').optional(),
  maxUnknownTypes: wholeNumber(0).default(20),
} satisfies Record<keyof CollectMetricsOptions, z.ZodType>);

/** The `type` label of a delivery refused before its event was valid. */
export const NO_TYPE = 'none';
/** The `type` label of unknown event types past `maxUnknownTypes`. */
export const OTHER_TYPE = 'other';
/** The `code` label of a delivery that did not fail. */
export const NO_CODE = 'none';

/** Seconds, from a millisecond up to the provider's 8 s timeout. */
const DELIVERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8];
/** Handlers may run on after the answer (with retries, a minute and more). */
const HANDLER_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * Registers the receiver's metrics in a prom-client registry and keeps them up to date
 * (docs/observability.md lists them):
 * - `converc_webhook_deliveries_total{type,outcome,code}`
 * - `converc_webhook_delivery_duration_seconds{outcome}` (arrival to answer)
 * - `converc_webhook_handler_duration_seconds{type,outcome}` (each run of each handler)
 * - `converc_webhook_dedupe_total{result}` (`new`, `duplicate`, `unavailable`)
 * - `converc_webhook_store_duration_seconds{operation}` (`is_processed`, `claim`, `enqueue`)
 * - `converc_webhook_handlers_in_flight`
 * - `converc_webhook_retries_total`, `converc_webhook_dead_letters_total`
 *
 * Label values are bounded: `type` is a documented type, an unknown type up to `maxUnknownTypes`,
 * `other` past it, or `none`; `outcome` and `code` are the package's own.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { collectMetrics } from 'converc-webhooks/prometheus';
 *
 * const registry = new Registry();
 * collectMetrics(webhooks, { registry });
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 * ```
 */
export function collectMetrics(webhooks: ConvercWebhooks, options: CollectMetricsOptions = {}): void {
  const receiver = receiverOf(webhooks);
  const checked = checkOptions(optionsSchema, options, 'collectMetrics(webhooks, options)');
  const registry = checked.registry ?? register;
  const typeLabel = boundedTypes(checked.maxUnknownTypes);
  const metric = <M>(name: string, make: (registers: Registry[]) => M): M =>
    (registry.getSingleMetric(name) as M | undefined) ?? make([registry]);

  const deliveries = metric('converc_webhook_deliveries_total', (registers) => new Counter({
    name: 'converc_webhook_deliveries_total',
    help: 'Deliveries received, by event type, outcome and error code',
    labelNames: ['type', 'outcome', 'code'] as const,
    registers,
  }));
  const deliveryDuration = metric('converc_webhook_delivery_duration_seconds', (registers) => new Histogram({
    name: 'converc_webhook_delivery_duration_seconds',
    help: 'Time from a delivery\'s arrival to its answer, by outcome',
    labelNames: ['outcome'] as const,
    buckets: DELIVERY_BUCKETS,
    registers,
  }));
  const handlerDuration = metric('converc_webhook_handler_duration_seconds', (registers) => new Histogram({
    name: 'converc_webhook_handler_duration_seconds',
    help: 'Time each run of a handler took, by event type and outcome (processed or failed)',
    labelNames: ['type', 'outcome'] as const,
    buckets: HANDLER_BUCKETS,
    registers,
  }));
  const dedupe = metric('converc_webhook_dedupe_total', (registers) => new Counter({
    name: 'converc_webhook_dedupe_total',
    help: 'Deduplication results: new, duplicate, or unavailable (the store failed)',
    labelNames: ['result'] as const,
    registers,
  }));
  const storeDuration = metric('converc_webhook_store_duration_seconds', (registers) => new Histogram({
    name: 'converc_webhook_store_duration_seconds',
    help: 'Time of each dedupe store or queue call on a delivery\'s path, by operation',
    labelNames: ['operation'] as const,
    buckets: STORE_BUCKETS,
    registers,
  }));
  const inFlight = metric('converc_webhook_handlers_in_flight', (registers) => new Gauge({
    name: 'converc_webhook_handlers_in_flight',
    help: 'Handler runs in progress',
    registers,
  }));
  const retries = metric('converc_webhook_retries_total', (registers) => new Counter({
    name: 'converc_webhook_retries_total',
    help: 'Handler runs that were retries (attempt 2 or more)',
    registers,
  }));
  const deadLetters = metric('converc_webhook_dead_letters_total', (registers) => new Counter({
    name: 'converc_webhook_dead_letters_total',
    help: 'Events whose handler failed every attempt (of retry, or of an inbox worker)',
    registers,
  }));

  const watcher: DeliveryWatcher = {
    delivered(outcome) {
      const type = outcome.type === undefined ? NO_TYPE : typeLabel(outcome.type);
      deliveries.inc({ type, outcome: outcome.kind, code: errorOf(outcome)?.code ?? NO_CODE });
      deliveryDuration.observe({ outcome: outcome.kind }, outcome.timings.totalMs / 1000);
      const result = dedupeResult(outcome);
      if (result !== undefined) dedupe.inc({ result });
    },
    storeCalled(operation, ms) {
      storeDuration.observe({ operation }, ms / 1000);
    },
    handlerStarted(run) {
      inFlight.inc();
      if (run.attempt > 1) retries.inc();
    },
    handlerEnded(run, failed, ms) {
      inFlight.dec();
      handlerDuration.observe({ type: typeLabel(run.type), outcome: failed ? 'failed' : 'processed' }, ms / 1000);
    },
    deadLettered() {
      deadLetters.inc();
    },
  };
  receiver.watchers.add(watcher);
}

/** What the store made of a delivery, where it was asked: a duplicate, a new event, or nothing it could say. */
function dedupeResult(outcome: DeliveryOutcome): 'new' | 'duplicate' | 'unavailable' | undefined {
  if (outcome.kind === 'duplicate') return 'duplicate';
  if (outcome.kind === 'refused') return outcome.error.code === 'store_unavailable' ? 'unavailable' : undefined;
  // Handled without the store (`onStoreError: 'process'`), which could not say.
  if (outcome.storeError !== undefined) return 'unavailable';
  // A store (or a handoff queue) was asked about this event and took it.
  return outcome.timings.storeMs === undefined ? undefined : 'new';
}

/** The `type` label of an event type: known types as they are, unknown ones up to `max`, then `other`. */
function boundedTypes(max: number): (type: string) => string {
  const unknown = new Set<string>();
  return (type) => {
    if (isKnownEventType(type) || unknown.has(type)) return type;
    // A type name is the sender's: a long one is no one's future type.
    if (unknown.size >= max || type.length > MAX_TYPE_LENGTH) return OTHER_TYPE;
    unknown.add(type);
    return type;
  };
}

/** An unknown type longer than this counts as `other`. */
const MAX_TYPE_LENGTH = 64;
