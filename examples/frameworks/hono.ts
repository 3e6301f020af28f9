/**
 * The receiver in a Hono app, on Node (with @hono/node-server) and on Cloudflare Workers, as the guide
 * shows (docs/frameworks/hono.md); the contract suite runs through both.
 *
 *   npx tsx examples/frameworks/hono.ts        # the Node app, listening on PORT (default 3000)
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { convercWebhooks, createFetchHandler, type ConvercWebhooks } from 'converc-webhooks';

/** On Node, Bun or Deno: a long-lived process, which outlives each answer. */
export function createNodeApp(webhooks: ConvercWebhooks): Hono {
  // #region node
  // A long-lived process outlives each answer: a waitUntil with nothing to keep alive lets the answer
  // leave by ackTimeoutMs, as on Express, while slow handlers run on (without one, it waits for them).
  const handle = createFetchHandler(webhooks, { waitUntil: () => undefined });
  const app = new Hono();
  // `all`, so that other methods get the receiver's 405 rather than Hono's 404; `c.req`, not
  // `c.req.raw`, so that a body an earlier middleware read (and Hono kept) is still the receiver's.
  app.all('/webhooks/converc', (c) => handle(c.req));
  // #endregion
  return app;
}

/** On Cloudflare Workers: the execution context's waitUntil keeps handlers running after the answer. */
export function createWorkersApp(webhooks: ConvercWebhooks): Hono {
  // #region workers
  const handle = createFetchHandler(webhooks);
  const app = new Hono();
  // With waitUntil, the answer leaves by ackTimeoutMs and slow handlers finish after it.
  app.all('/webhooks/converc', (c) => handle(c.req, c.executionCtx));
  // #endregion
  return app;
}

/** The guide's app, on Node. */
export function createApp(log: (line: string) => void = console.log): { app: Hono; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  return { app: createNodeApp(webhooks), webhooks };
}

if (require.main === module) {
  const { app } = createApp();
  const port = Number(process.env.PORT ?? 3000);
  // #region node-serve
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  // #endregion
  console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
}
