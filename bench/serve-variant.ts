/**
 * One benchmark server, run by the harness in a child process of its own:
 * `node --import tsx bench/serve-variant.ts <server kind>`. It listens on a free port of 127.0.0.1
 * and sends `{ port }` to the parent over IPC.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { loadBuiltPackage, loadBuiltPrometheus } from './built-package';
import { CONVERC_PATH, GITHUB_PATH, GITHUB_SECRET } from './deliveries';
import { isServerKind, type ServerKind } from './variants';

const RECEIVED = '{"received":true}';
// With a length: without one Node sends the answer chunked, which costs the server (and autocannon) more.
const RECEIVED_HEADERS = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(RECEIVED) };

// Handlers do nothing: the benchmark measures what a receiver costs before the user's code runs.
const noop = (): void => undefined;

const listeners: Record<ServerKind, () => Promise<RequestListener>> = {
  // The floor: read the body, parse it, answer.
  'node-json': () =>
    Promise.resolve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(200, RECEIVED_HEADERS).end(RECEIVED);
      });
    }),

  'express-json': () => {
    const app = express();
    app.use(express.json());
    app.post(CONVERC_PATH, (_req, res) => {
      res.json({ received: true });
    });
    return Promise.resolve(app);
  },

  // Express's own cost: a middleware that answers at once, leaving the body for Node to discard.
  'express-answer': () => {
    const app = express();
    app.use(CONVERC_PATH, (_req, res) => {
      res.writeHead(200, RECEIVED_HEADERS).end(RECEIVED);
    });
    return Promise.resolve(app);
  },

  // What users write today without the package.
  'express-zod': () => {
    const envelope = z.object({
      id: z.string().min(1),
      type: z.string(),
      createdAt: z.string(),
      organizationId: z.string(),
      data: z.record(z.string(), z.unknown()),
    });
    const seen = new Map<string, number>();
    const app = express();
    app.use(express.json());
    app.post(CONVERC_PATH, (req, res) => {
      const parsed = envelope.safeParse(req.body);
      if (!parsed.success) {
        res.status(422).json({ error: parsed.error.issues });
        return;
      }
      const event = parsed.data;
      const id = req.get('x-ic-id') ?? event.id;
      if (seen.has(id)) {
        res.json({ received: true, duplicate: true });
        return;
      }
      seen.set(id, Date.now());
      switch (event.type) {
        case 'call.ended':
        case 'call.transcript_ready':
          noop();
          break;
        default:
          break;
      }
      res.json({ received: true });
    });
    return Promise.resolve(app);
  },

  // Mounted before express.json(), as the README says.
  'converc-express': () => {
    const { convercWebhooks } = loadBuiltPackage();
    const app = express();
    app.use(CONVERC_PATH, convercWebhooks().on(['call.ended', 'call.transcript_ready'], noop));
    app.use(express.json());
    return Promise.resolve(app);
  },

  'converc-node': () => {
    const { convercWebhooks, createNodeHandler } = loadBuiltPackage();
    const webhooks = convercWebhooks().on(['call.ended', 'call.transcript_ready'], noop);
    return Promise.resolve(createNodeHandler(webhooks, { path: CONVERC_PATH }));
  },

  'converc-node-channels': () => {
    const { convercWebhooks, createNodeHandler, DELIVERY_CHANNEL, HANDLER_CHANNEL } = loadBuiltPackage();
    const subscriber = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
    tracingChannel(DELIVERY_CHANNEL).subscribe(subscriber);
    tracingChannel(HANDLER_CHANNEL).subscribe(subscriber);
    const webhooks = convercWebhooks().on(['call.ended', 'call.transcript_ready'], noop);
    return Promise.resolve(createNodeHandler(webhooks, { path: CONVERC_PATH }));
  },

  'converc-node-observed': () => {
    const { convercWebhooks, createNodeHandler } = loadBuiltPackage();
    const logger = pino(pino.destination({ dest: '/dev/null', sync: false }));
    const webhooks = convercWebhooks({ logger }).on(['call.ended', 'call.transcript_ready'], noop);
    loadBuiltPrometheus().collectMetrics(webhooks, { registry: new Registry() });
    return Promise.resolve(createNodeHandler(webhooks, { path: CONVERC_PATH }));
  },

  'octokit-express': async () => {
    const middleware = await octokitMiddleware();
    const app = express();
    app.use((req, res, next) => {
      void middleware(req, res, next);
    });
    app.use(express.json());
    return app;
  },

  'octokit-node': async () => {
    const middleware = await octokitMiddleware();
    return (req, res) => {
      void middleware(req, res);
    };
  },
};

async function octokitMiddleware() {
  // @octokit/webhooks 14 is ESM only.
  const { Webhooks, createNodeMiddleware } = await import('@octokit/webhooks');
  const webhooks = new Webhooks({ secret: GITHUB_SECRET });
  webhooks.on('push', noop);
  return createNodeMiddleware(webhooks, { path: GITHUB_PATH });
}

async function main(): Promise<void> {
  const kind = process.argv[2];
  if (!isServerKind(kind)) throw new TypeError(`unknown server kind: ${String(kind)}`);
  // An orphan would serve on after a crashed harness: leave with it. Leaving through process.exit
  // also lets --cpu-prof write its profile, which a plain SIGTERM would lose.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  const server = createServer(await listeners[kind]());
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ port });
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
