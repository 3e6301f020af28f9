/**
 * The receiver inside a Hono app, through the Fetch handler. Hono runs on Bun, Deno, Cloudflare
 * Workers and Node (with @hono/node-server); there, `export default app` is the whole server, so this
 * module does not listen when run directly.
 */
import { Hono, type Context } from 'hono';
import { convercWebhooks, createFetchHandler, type ConvercWebhooks, type FetchContext } from 'converc-webhooks';

export function createApp(log: (line: string) => void = console.log): { app: Hono; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  const handle = createFetchHandler(webhooks);
  const app = new Hono();
  // c.req rather than c.req.raw: Hono keeps there a body that an earlier middleware read.
  app.all('/webhooks/converc', (c) => handle(c.req, executionContext(c)));
  return { app, webhooks };
}

/** Cloudflare Workers give each request an execution context with waitUntil; Node and Bun give none. */
function executionContext(c: Context): FetchContext | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

export default createApp().app;
