/**
 * `npm run demo`: starts examples/basic.ts on a free loopback port, replays sample events at it the
 * way Converc sends them (each type, a duplicate, an invalid body, a future type), prints each
 * answer, then a summary of the receiver's metrics (converc-webhooks/prometheus), and exits.
 */
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { EVENT_TYPES } from 'converc-webhooks';
import { collectMetrics } from 'converc-webhooks/prometheus';
import { createApp } from '../examples/basic';
import { fixtures, futureEvent } from '../__tests__/fixtures/events';

interface Delivery {
  readonly label: string;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const asJson = (event: { id: string }) => ({ body: JSON.stringify(event), headers: { 'X-IC-Id': event.id } });

function withoutCallId(event: (typeof fixtures)['call.ended']): unknown {
  const call: Record<string, unknown> = { ...event.data.call };
  delete call.id;
  return { ...event, id: 'evt-bad', data: { ...event.data, call } };
}

const deliveries: Delivery[] = [
  ...EVENT_TYPES.map((type) => ({ label: type, ...asJson(fixtures[type]) })),
  { label: 'call.ended again (duplicate)', ...asJson(fixtures['call.ended']) },
  { label: 'a body that is not JSON', body: '{"id": "evt-broken", "type": ' },
  { label: 'an event missing data.call.id', body: JSON.stringify(withoutCallId(fixtures['call.ended'])) },
  { label: `a future type (${futureEvent.type})`, ...asJson(futureEvent) },
];

async function main(): Promise<void> {
  const { app, webhooks } = createApp((line) => {
    console.log(`    app: ${line}`);
  });
  const registry = new Registry();
  collectMetrics(webhooks, { registry });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/webhooks/converc`;
  console.log(`demo receiver listening on ${url}\n`);

  try {
    for (const delivery of deliveries) {
      console.log(`POST ${delivery.label}`);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...delivery.headers },
        body: delivery.body,
        signal: AbortSignal.timeout(8000),
      });
      console.log(`  -> ${response.status} ${await response.text()}`);
    }
    await webhooks.drain();
  } finally {
    server.closeAllConnections();
    server.close();
  }
  console.log(`\n${await metricsSummary(registry)}\ndone`);
}

/** Deliveries by outcome, and p50/p99 handler time estimated from the histogram's buckets as Prometheus would. */
async function metricsSummary(registry: Registry): Promise<string> {
  const metrics = await registry.getMetricsAsJSON();
  const valuesOf = (name: string) => metrics.find((metric) => metric.name === name)?.values ?? [];
  const byOutcome = new Map<string, number>();
  for (const { labels, value } of valuesOf('converc_webhook_deliveries_total')) {
    const outcome = String(labels['outcome']);
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + value);
  }
  // Cumulative counts per upper bound, over every type and outcome.
  const buckets = new Map<number, number>();
  // Histogram values carry the name of their series (prom-client types them without it).
  for (const { labels, value, metricName } of valuesOf('converc_webhook_handler_duration_seconds') as { labels: Record<string, unknown>; value: number; metricName?: string }[]) {
    if (metricName !== 'converc_webhook_handler_duration_seconds_bucket') continue;
    const le = labels['le'] === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels['le']);
    buckets.set(le, (buckets.get(le) ?? 0) + value);
  }
  const bounds = [...buckets.entries()].sort(([a], [b]) => a - b);
  const quantile = (q: number): string => {
    const total = bounds.at(-1)?.[1] ?? 0;
    if (total === 0) return 'n/a';
    let [lower, below] = [0, 0];
    for (const [le, count] of bounds) {
      if (count >= q * total) {
        const upper = Number.isFinite(le) ? le : lower;
        const within = count === below ? 0 : (q * total - below) / (count - below);
        return `${((lower + (upper - lower) * within) * 1000).toFixed(2)} ms`;
      }
      [lower, below] = [le, count];
    }
    return 'n/a';
  };
  const outcomes = [...byOutcome.entries()].map(([outcome, count]) => `${outcome} ${count}`).join(', ');
  return `metrics: deliveries by outcome: ${outcomes}\nmetrics: handler time p50 ${quantile(0.5)}, p99 ${quantile(0.99)} (from histogram buckets)`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
