/**
 * Production visibility: pino logs one line per delivery (no body, no contact field), Prometheus
 * scrapes /metrics next to the webhooks, and OpenTelemetry (when you pass a tracer provider, or set
 * TRACE=1 with an SDK registered) gets a span per delivery and per handler run.
 *
 *   npx tsx examples/observability.ts        # listens on PORT (default 3000); GET /metrics
 */
import express from 'express';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { TracerProvider } from '@opentelemetry/api';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';
import { enableTracing } from 'converc-webhooks/otel';
import { collectMetrics } from 'converc-webhooks/prometheus';

/** What {@link createApp} needs from its surroundings; every one has a default. */
export interface ObservabilityOptions {
  /** Where the log lines go. @default pino to standard output */
  logger?: pino.Logger;
  /** The registry /metrics serves. @default a new Registry, with Node's default metrics */
  registry?: Registry;
  /** Traces the receiver with this provider. @default no tracing */
  tracerProvider?: TracerProvider;
}

export function createApp(options: ObservabilityOptions = {}): {
  app: express.Express;
  webhooks: ConvercWebhooks;
  registry: Registry;
  stopTracing: () => void;
} {
  const logger = options.logger ?? pino();
  const registry = options.registry ?? new Registry();
  if (options.registry === undefined) collectDefaultMetrics({ register: registry });
  const stopTracing = options.tracerProvider === undefined ? () => undefined : enableTracing({ tracerProvider: options.tracerProvider });

  const webhooks = convercWebhooks({ logger })
    .on('call.ended', async (event) => {
      // A real app writes to its CRM here. Log what you need by name: never the whole event.
      await Promise.resolve();
      logger.info({ callId: event.data.call.id }, 'call logged');
    })
    .on('call.requested', () => undefined);
  collectMetrics(webhooks, { registry });

  const app = express();
  app.use('/webhooks/converc', webhooks);
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { app, webhooks, registry, stopTracing };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().app.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc, metrics on /metrics`);
  });
}
