/**
 * A Next.js App Router route handler, as the guide shows it (docs/frameworks/nextjs.md): this module is
 * `app/api/webhooks/converc/route.ts`. Next.js serves it itself, so it does not listen when run
 * directly; the tests call its `POST` with real `Request` objects, as Next.js does. It exports nothing
 * else (no createApp()): `next build` refuses a route module's other exports.
 */
// #region route
// app/api/webhooks/converc/route.ts
import { convercWebhooks, createFetchHandler } from 'converc-webhooks';

const webhooks = convercWebhooks()
  .on('call.ended', async (event) => {
    await Promise.resolve(); // your CRM call
    console.log(`call ${event.data.call.id} ended at ${event.data.call.endedAt}`);
  })
  .onError((error) => {
    // The provider never resends: keep error.rawBody to replay it.
    console.error(`rejected or failed (${error.code})`);
  });

// Next.js calls POST(request, { params }); the handler ignores what it does not know. Next.js
// routes by export, so a GET, PUT, ... to this path gets its own 405.
export const POST = createFetchHandler(webhooks);
// #endregion
