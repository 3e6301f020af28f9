/**
 * The receiver in an Express 4 or 5 app, mounted each way the guide shows (docs/frameworks/express.md);
 * the contract suite runs through each, on both majors.
 *
 *   npx tsx examples/frameworks/express.ts        # listens on PORT (default 3000)
 */
import defaultExpress from 'express';
import { convercWebhooks, type ConvercWebhooks } from 'converc-webhooks';

/** Express 5 by default; the tests pass Express 4 too (the same code runs on both). */
type ExpressModule = typeof defaultExpress;

/** The right mount: first, before any body parser. */
export function mountFirst(webhooks: ConvercWebhooks, express: ExpressModule = defaultExpress): defaultExpress.Express {
  // #region first
  const app = express();
  // First: the receiver reads the body itself, within its own limit, and every refusal reaches onError.
  app.use('/webhooks/converc', webhooks);
  // The rest of the app parses bodies as it likes, after the receiver.
  app.use(express.json());
  // #endregion
  return app;
}

/** On a route of its own: other methods get Express's 404 rather than the receiver's 405. */
export function mountOnRoute(webhooks: ConvercWebhooks, express: ExpressModule = defaultExpress): defaultExpress.Express {
  // #region route
  const app = express();
  app.post('/webhooks/converc', webhooks); // app.all(...) answers other methods 405, app.post leaves them to Express
  app.use(express.json());
  // #endregion
  return app;
}

/** The costly mount: after express.json(), whose limit and error answers come before the receiver's. */
export function mountAfterParser(webhooks: ConvercWebhooks, express: ExpressModule = defaultExpress): defaultExpress.Express {
  // #region after-parser
  const app = express();
  app.use(express.json()); // reads every JSON body first, with its 100 kB limit
  app.use('/webhooks/converc', webhooks); // works, but what express.json() refuses never reaches onError
  // #endregion
  return app;
}

/** The guide's app: the receiver mounted first. */
export function createApp(log: (line: string) => void = console.log): { app: defaultExpress.Express; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks()
    .on('call.ended', (event) => {
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  return { app: mountFirst(webhooks), webhooks };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().app.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
  });
}
