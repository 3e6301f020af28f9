/**
 * The receiver in a Fastify 5 app, mounted each way the guide shows (docs/frameworks/fastify.md); the
 * contract suite runs through each.
 *
 *   npx tsx examples/frameworks/fastify.ts        # listens on PORT (default 3000)
 */
import fastifyExpress from '@fastify/express';
import middie from '@fastify/middie';
import Fastify, { type FastifyInstance } from 'fastify';
import { convercWebhooks, createNodeHandler, type ConvercWebhooks } from 'converc-webhooks';

/**
 * Natively: in a plugin of its own, whose content-type parser leaves the stream unread, so that the
 * receiver reads the body itself (its limit, its answers, onError) while the rest of the app keeps
 * Fastify's JSON parser.
 */
export async function mountNative(webhooks: ConvercWebhooks): Promise<FastifyInstance> {
  // #region native
  const handle = createNodeHandler(webhooks); // the receiver as a plain Node handler, for any path
  const app = Fastify();
  await app.register((scope, _options, done) => {
    // Only in this plugin: every body is left unread for the receiver.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _body, done) => {
      done(null);
    });
    // `all`, so that other methods get the receiver's 405 rather than Fastify's 404.
    scope.all('/webhooks/converc', (request, reply) => {
      reply.hijack(); // the receiver writes the answer on the Node response itself
      handle(request.raw, reply.raw);
    });
    done();
  });
  // #endregion
  return app;
}

/** Natively in an onRequest hook, which runs before Fastify reads the body, for the receiver's path only. */
export function mountInOnRequestHook(webhooks: ConvercWebhooks): FastifyInstance {
  // #region on-request
  const handle = createNodeHandler(webhooks);
  const app = Fastify();
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.split('?')[0] !== '/webhooks/converc') {
      done();
      return;
    }
    reply.hijack(); // the receiver answers, and Fastify goes no further with this request
    handle(request.raw, reply.raw);
  });
  // #endregion
  return app;
}

/** As Connect-style middleware through @fastify/middie: it runs before Fastify parses anything. */
export async function mountWithMiddie(webhooks: ConvercWebhooks): Promise<FastifyInstance> {
  // #region middie
  const app = Fastify();
  await app.register(middie);
  app.use('/webhooks/converc', webhooks);
  // #endregion
  return app;
}

/** As Express middleware through @fastify/express, as an app moving from Express would. */
export async function mountWithFastifyExpress(webhooks: ConvercWebhooks): Promise<FastifyInstance> {
  // #region fastify-express
  const app = Fastify();
  await app.register(fastifyExpress);
  app.use('/webhooks/converc', webhooks);
  // #endregion
  return app;
}

/** The obvious route, which does not work: Fastify has read the body before the handler runs. */
export function mountOnParsedRoute(webhooks: ConvercWebhooks): FastifyInstance {
  // #region wrong
  const handle = createNodeHandler(webhooks);
  const app = Fastify();
  app.post('/webhooks/converc', (request, reply) => {
    reply.hijack();
    handle(request.raw, reply.raw); // 400 body_unavailable: Fastify's JSON parser has read the stream
  });
  // #endregion
  return app;
}

/** The guide's app: the native mount. */
export async function createApp(log: (line: string) => void = console.log): Promise<{ app: FastifyInstance; webhooks: ConvercWebhooks }> {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  return { app: await mountNative(webhooks), webhooks };
}

if (require.main === module) {
  void createApp().then(async ({ app }) => {
    const port = Number(process.env.PORT ?? 3000);
    await app.listen({ port, host: '127.0.0.1' });
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
  });
}
