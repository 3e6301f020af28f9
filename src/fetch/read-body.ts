import { joinBytes } from '../core/join-bytes';
import type { DeliveryBody } from '../core/receiver';
import { WebhookError, payloadTooLarge } from '../errors/webhook-error';

/**
 * Reads a Fetch API request's body, at most `limit` bytes, with nothing from Node: it runs in edge
 * runtimes, Deno and Bun as well. Reading stops, and the stream is cancelled, at the first byte over.
 */
export async function readFetchBody(request: Request, limit: number, timeoutMs: number): Promise<DeliveryBody> {
  const { chunks, size } = await readChunks(request, limit, timeoutMs);
  return { text: decodeUtf8(chunks, size), bytes: size };
}

/** The body as it came, at most `limit` bytes: for a refusal that hands `onError` what was sent in another charset or encoding. */
export async function readFetchRawBody(request: Request, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const { chunks, size } = await readChunks(request, limit, timeoutMs);
  return joinBytes(chunks, size);
}

async function readChunks(request: Request, limit: number, timeoutMs: number): Promise<{ chunks: Uint8Array[]; size: number }> {
  if (request.bodyUsed) {
    throw new WebhookError('body_unavailable', 'The request body was already read by something else');
  }
  const stream = request.body;
  if (stream === null) return { chunks: [], size: 0 };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  // Cancelling makes a pending read() resolve as done: the check after each read tells the two apart.
  // A timer of its own, not the node adapter's shared one (node/deadline-queue.ts): an edge runtime
  // may drop a timer armed while serving another request once that request has ended.
  const timeout = { fired: false };
  const timer = setTimeout(() => {
    timeout.fired = true;
    void reader.cancel().catch(() => undefined);
  }, timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (timeout.fired) throw new WebhookError('request_timeout', 'The body did not arrive in time');
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        void reader.cancel().catch(() => undefined);
        throw payloadTooLarge(limit);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof WebhookError) throw error;
    throw new WebhookError('request_aborted', 'The request body could not be read', { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return { chunks, size };
}

/** Bytes as UTF-8 text. An invalid sequence becomes U+FFFD rather than costing the event. */
function decodeUtf8(chunks: readonly Uint8Array[], size: number): string {
  return new TextDecoder().decode(joinBytes(chunks, size));
}
