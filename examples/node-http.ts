/**
 * The receiver on a bare `node:http` server: no framework at all.
 *
 *   npx tsx examples/node-http.ts    # listens on PORT (default 3000)
 */
import { createServer, type Server } from 'node:http';
import { convercWebhooks, createNodeHandler, type ConvercWebhooks } from 'converc-webhooks';

export function createApp(log: (line: string) => void = console.log): { server: Server; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  // Requests for any other path get a 404; in a Connect-style stack they would go to next().
  const server = createServer(createNodeHandler(webhooks, { path: '/webhooks/converc' }));
  return { server, webhooks };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  const { server, webhooks } = createApp();
  server.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
  });
  process.once('SIGTERM', () => {
    server.close(() => void webhooks.drain());
  });
}
