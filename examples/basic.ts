/**
 * An Express app that handles every Converc event type.
 *
 *   npx tsx examples/basic.ts        # listens on PORT (default 3000)
 *
 * Mount the receiver before `express.json()` (or on a router without it): it reads the body itself,
 * within its own limit, and answers in well under the provider's 8 s timeout.
 */
import express from 'express';
import { convercWebhooks, isKnownEventType, type ConvercWebhooks } from 'converc-webhooks';

/** What the app did with each event, for the demo and the tests to look at. */
export type Log = (line: string) => void;

export function createApp(log: Log = console.log): { app: express.Express; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks({ ackTimeoutMs: 5000 })
    .on('call.requested', (event) => {
      log(`visitor ${event.data.contact.name ?? 'unknown'} is waiting (call ${event.data.call.id})`);
    })
    .on('call.accepted', (event) => {
      log(`rep ${event.data.call.acceptedBy ?? '?'} accepted call ${event.data.call.id} at ${event.data.call.acceptedAt}`);
    })
    .on(['call.canceled', 'call.missed'], (event) => {
      log(`call ${event.data.call.id} left the queue: ${event.type}`);
    })
    .on('call.ended', async (event) => {
      // A real app would write to its CRM here; the await is what a slow CRM looks like.
      await Promise.resolve();
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt} with ${event.data.contact.email ?? 'no email'}`);
    })
    .on('call.transcript_ready', (event) => {
      log(`transcript ready for call ${event.data.call.id}`);
    })
    .on('call.recording_ready', (event) => {
      const { videoUrl, audioUrl, expiresInSeconds } = event.data.recording;
      log(`recording of call ${event.data.call.id}: ${videoUrl ?? audioUrl ?? 'none'} (expires in ${expiresInSeconds ?? '?'} s)`);
    })
    .on('webhook.test', () => {
      log('test delivery received');
    })
    .onAny((event) => {
      if (!isKnownEventType(event.type)) log(`an event type this version does not know yet: ${event.type}`);
    })
    .onError((error) => {
      // The provider never resends: keep what was rejected (error.rawBody) to replay it later.
      log(`rejected or failed (${error.code}): ${error.message}`);
    });

  const app = express();
  app.use('/webhooks/converc', webhooks);
  // Other routes may use express.json() freely, after the receiver.
  app.use(express.json());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, webhooks };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000);
  createApp().app.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}/webhooks/converc`);
  });
}
