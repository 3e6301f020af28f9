import express from 'express';
import { convercWebhooks, type AnyEvent } from 'converc-webhooks';
import { serve, startCli, waitFor } from './helpers';

/** A real app built from the middleware, as a user writes it, on a free loopback port. */
export async function startApp() {
  const handled: AnyEvent[] = [];
  const requests: { body: string; id: string | undefined }[] = [];
  const webhooks = convercWebhooks().onAny((event) => {
    handled.push(event);
  });
  const app = express();
  // Records each request as it came; the receiver then takes the text, as from express.text().
  app.use((req, _res, next) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ body, id: req.headers['x-ic-id'] as string | undefined });
      Object.assign(req, { body });
      next();
    });
  });
  app.use('/webhooks/converc', webhooks);
  const { url, server } = await serve(app);
  return { url: `${url}/webhooks/converc`, handled, requests, server };
}

/** Starts `listen` relaying to `target`, on a free port, and waits until it says where. */
export async function startRelay(target: string, extra: string[] = []) {
  const cli = startCli(['listen', '--port', '0', '--forward-to', target, ...extra], { env: { NO_COLOR: '1' } });
  await waitFor(() => /Relaying to|"listening"/.test(cli.stdout()), 'listening');
  const url = /http:\/\/127\.0\.0\.1:\d+\/[^\s"]*/.exec(cli.stdout())?.[0] ?? '';
  return { cli, url, stop: async () => { cli.abort(); return cli.done; } };
}

