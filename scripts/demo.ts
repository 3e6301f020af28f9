/**
 * `npm run demo`: starts examples/basic.ts on a free loopback port, replays sample events at it the
 * way Converc sends them (each type, a duplicate, an invalid body, a future type), prints each
 * answer, and exits.
 */
import type { AddressInfo } from 'node:net';
import { EVENT_TYPES } from 'converc-webhooks';
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
  console.log('\ndone');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
