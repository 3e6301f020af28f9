import { tracingChannel } from 'node:diagnostics_channel';
import {
  convercWebhooks,
  DELIVERY_CHANNEL,
  HANDLER_CHANNEL,
  type DeliveryOutcome,
  type DeliveryTrace,
  type HandlerTrace,
} from 'converc-webhooks';
import { deliver } from 'converc-webhooks/testing';
import { deliveryChannel, handlerChannel } from '../../src/observability/channels';
import { eventWithId, fixtures } from '../fixtures/events';

/** Subscribes to every event of a tracing channel by name, recording [event, context]; returns the unsubscriber. */
function record(name: string, seen: [string, object][]): () => void {
  const channel = tracingChannel(name);
  const subscriber = {
    start: (message: object) => seen.push(['start', message]),
    end: (message: object) => seen.push(['end', message]),
    asyncStart: (message: object) => seen.push(['asyncStart', message]),
    asyncEnd: (message: object) => seen.push(['asyncEnd', message]),
    error: (message: object) => seen.push(['error', message]),
  };
  channel.subscribe(subscriber);
  return () => { channel.unsubscribe(subscriber); };
}

describe('the diagnostics channels', () => {
  it('publish each delivery with its outcome, and each handler run linked to its delivery', async () => {
    const deliveries: [string, DeliveryTrace][] = [];
    const handlers: [string, HandlerTrace][] = [];
    const stop = [record(DELIVERY_CHANNEL, deliveries), record(HANDLER_CHANNEL, handlers)];
    try {
      const webhooks = convercWebhooks().on('call.ended', () => undefined);
      await deliver(webhooks, fixtures['call.ended']);
      expect(deliveries.map(([event]) => event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
      const [, trace] = deliveries[0] ?? [];
      expect(trace?.method).toBe('POST');
      expect(trace?.headerId).toBe(fixtures['call.ended'].id);
      const outcome = trace?.result as DeliveryOutcome;
      expect(outcome.kind).toBe('processed');
      expect(outcome.id).toBe(fixtures['call.ended'].id);
      expect(handlers.map(([event]) => event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
      expect(handlers[0]?.[1]).toMatchObject({ id: fixtures['call.ended'].id, type: 'call.ended', attempt: 1 });
      expect(handlers[0]?.[1].delivery).toBe(trace);
    } finally {
      for (const unsubscribe of stop) unsubscribe();
    }
  });

  it('publish a handler that throws synchronously as error then end, and still answer 500', async () => {
    const handlers: [string, HandlerTrace][] = [];
    const stop = record(HANDLER_CHANNEL, handlers);
    try {
      const thrown = new Error('sync failure');
      const webhooks = convercWebhooks()
        .on('call.ended', () => {
          throw thrown;
        })
        .onError(() => undefined);
      expect((await deliver(webhooks, eventWithId('call.ended', 'evt-sync-throw'))).status).toBe(500);
      expect(handlers.map(([event]) => event)).toEqual(['start', 'error', 'end']);
      expect(handlers[1]?.[1].error).toBe(thrown);
    } finally {
      stop();
    }
  });

  it('are not traced at all when nobody subscribes: no tracePromise, no context object', async () => {
    const tracePromise = jest.spyOn(deliveryChannel, 'tracePromise');
    const handlerTrace = jest.spyOn(handlerChannel, 'tracePromise');
    try {
      const webhooks = convercWebhooks().on('call.ended', () => undefined);
      expect((await deliver(webhooks, fixtures['call.ended'])).status).toBe(200);
      expect(tracePromise).not.toHaveBeenCalled();
      expect(handlerTrace).not.toHaveBeenCalled();
      // The same spies see a subscribed delivery, so the assertions above can fail.
      const stop = record(DELIVERY_CHANNEL, []);
      await deliver(webhooks, eventWithId('call.ended', 'evt-subscribed'));
      stop();
      expect(tracePromise).toHaveBeenCalledTimes(1);
      expect(handlerTrace).not.toHaveBeenCalled();
    } finally {
      tracePromise.mockRestore();
      handlerTrace.mockRestore();
    }
  });
});
