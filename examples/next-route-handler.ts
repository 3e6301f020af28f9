/**
 * A Next.js App Router route handler: save as `app/api/webhooks/converc/route.ts`.
 *
 * Next.js serves this module itself, so it does not listen when run directly. The handler is typed
 * against the Fetch API only (`Request` in, `Response` out) and imports nothing from Next.js.
 *
 * Serverless functions may be frozen once they have answered, so by default the answer waits for the
 * handlers. On Vercel, pass `waitUntil` from `@vercel/functions` to answer by `ackTimeoutMs` and
 * let slow handlers finish in the background:
 *
 *   import { waitUntil } from '@vercel/functions';
 *   export const POST = createFetchHandler(webhooks, { waitUntil });
 */
import { convercWebhooks, createFetchHandler, type ConvercWebhooks, type FetchHandler } from 'converc-webhooks';

export function createApp(log: (line: string) => void = console.log): { POST: FetchHandler; webhooks: ConvercWebhooks } {
  const webhooks = convercWebhooks()
    .on('call.ended', async (event) => {
      await Promise.resolve(); // a CRM call would go here
      log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
    })
    .onError((error) => {
      log(`rejected or failed (${error.code})`);
    });
  return { POST: createFetchHandler(webhooks), webhooks };
}

/** What Next.js calls for a POST to this route. */
export const { POST } = createApp();
