/**
 * Graceful shutdown: on SIGTERM, stop taking connections, answer late deliveries 503 (their raw
 * bodies still reach onError), and let running handlers finish before exiting.
 *
 *   npx tsx examples/graceful-shutdown.ts    # listens on PORT (default 3000); prints "ready <port>"
 */
import type { Server } from 'node:http';
import express from 'express';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';

/** How long a handler takes here, to show that shutdown waits for it. */
const HANDLER_MS = Number(process.env.HANDLER_MS ?? 200);

export function createApp(log: (line: string) => void = console.log): { app: express.Express; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks({ ack: 'immediate' })
    .on('call.ended', async (event) => {
      await new Promise((resolve) => setTimeout(resolve, HANDLER_MS));
      log(`finished ${event.id}`);
    })
    .onError((error) => {
      log(`rejected (${error.code}) ${error.deliveryId ?? ''}`);
    });
  const app = express();
  app.use('/webhooks/converc', webhooks);
  return { app, webhooks };
}

/** Wires SIGTERM to the HTTP server's own close and the receiver's, then exits. */
export function shutDownOnSigterm(server: Server, webhooks: ConvercWebhooks, log: (line: string) => void): void {
  process.once('SIGTERM', () => {
    // Stop accepting connections; requests already in the receiver carry on.
    server.close();
    server.closeIdleConnections();
    void webhooks.close({ timeoutMs: 10_000 }).then(({ drained, pending }) => {
      log(drained ? 'drained' : `abandoned ${pending}`);
      process.exit(drained ? 0 : 1);
    });
  });
}

if (require.main === module) {
  const log = (line: string): void => {
    console.log(line);
  };
  const { app, webhooks } = createApp(log);
  const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    const address = server.address();
    log(`ready ${typeof address === 'object' && address !== null ? address.port : ''}`);
  });
  shutDownOnSigterm(server, webhooks, log);
}
