import type { IncomingMessage } from 'node:http';

/** The code of the warning {@link warnIfParsedFirst} emits, for `process.on('warning')` or `--disable-warning`. */
export const PARSED_FIRST_WARNING = 'CONVERC_WEBHOOKS_PARSED_FIRST';

const warned = new WeakSet();

/**
 * Warns once per receiver when a body parser (`express.json()`, NestJS's, Fastify's) read a request
 * before it. The receiver still works with what the parser left, but what comes before it is lost to
 * `onError`: the parser's size limit (100 kB by default: a 200 KB transcript is refused there, and gone)
 * and its own error answers. Said once, with a code, as lru-cache does.
 */
export function warnIfParsedFirst(receiver: object, req: IncomingMessage): void {
  if (warned.has(receiver)) return;
  // body-parser marks what it read with `_body`; any other reader leaves the stream read.
  const readBefore = (req as { _body?: unknown })._body === true || req.readableEnded || req.readableDidRead;
  if (!readBefore) return;
  warned.add(receiver);
  process.emitWarning(
    'converc-webhooks: a body parser read this delivery before the receiver. Its size limit and its error answers ' +
      'come before onError, so an event it refuses (a large transcript over its limit, say) is lost without a word. ' +
      "Mount the receiver before any body parser: app.use('/webhooks/converc', webhooks) first, then express.json().",
    { type: 'ConvercWebhooksWarning', code: PARSED_FIRST_WARNING },
  );
}
