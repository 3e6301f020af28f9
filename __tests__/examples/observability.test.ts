import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { Registry } from 'prom-client';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createApp } from '../../examples/observability';
import { fixtures } from '../fixtures/events';

describe('examples/observability.ts', () => {
  it('logs each delivery with pino, serves /metrics, and traces when given a provider', async () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { app, webhooks, stopTracing } = createApp({ logger: pino(stream), registry: new Registry(), tracerProvider });
    try {
      expect((await request(app).post('/webhooks/converc').send(fixtures['call.ended'])).status).toBe(200);
      expect((await request(app).post('/webhooks/converc').send(fixtures['call.requested'])).status).toBe(200);
      await webhooks.drain();

      const metrics = await request(app).get('/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('converc_webhook_deliveries_total{type="call.ended",outcome="processed",code="none"} 1');
      expect(metrics.text).toContain('converc_webhook_deliveries_total{type="call.requested",outcome="processed",code="none"} 1');

      const lines = written.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.filter((line) => line['msg'] === 'converc-webhooks delivery').map((line) => line['type'])).toEqual(['call.ended', 'call.requested']);
      expect(lines.some((line) => line['msg'] === 'call logged' && line['callId'] === 'call-uuid')).toBe(true);
      expect(written).not.toContain(fixtures['call.ended'].data.contact.email);
      expect(exporter.getFinishedSpans().map((span) => span.name).sort()).toEqual(['converc.delivery', 'converc.delivery', 'converc.handler', 'converc.handler']);
    } finally {
      stopTracing();
    }
  });
});
