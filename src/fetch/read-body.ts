import { joinBytes } from '../core/join-bytes';
import type { DeliveryBody } from '../core/receiver';
import { WebhookError, payloadTooLarge } from '../errors/webhook-error';

/**
 * A framework's wrapper of a `Request` that keeps a body it has read, such as Hono's `c.req`: when a
 * middleware before the receiver read the body, the wrapped `Request` has none left, and the kept one
 * is used instead of answering `body_unavailable`.
 */
export interface BodyKeepingRequest {
  /** The wrapped request. */
  readonly raw: Request;
  /** The body as bytes: the one kept, else read from `raw`. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** What a Fetch handler reads: a `Request`, or a framework's wrapper of one that keeps its body. */
export type FetchRequest = Request | BodyKeepingRequest;

/**
 * The `Request` itself, wrapped or not. Told apart by shape, not `instanceof`: a `Request` from another
 * realm or a platform's own class (edge runtimes) is a `Request` all the same.
 */
export function rawRequest(request: FetchRequest): Request {
  return 'bodyUsed' in request ? request : request.raw;
}

/**
 * Reads a Fetch API request's body, at most `limit` bytes, with nothing from Node: it runs in edge
 * runtimes, Deno and Bun as well. Reading stops, and the stream is cancelled, at the first byte over.
 */
export async function readFetchBody(request: FetchRequest, limit: number, timeoutMs: number): Promise<DeliveryBody> {
  const { chunks, size } = await readChunks(request, limit, timeoutMs);
  return { text: decodeUtf8(chunks, size), bytes: size };
}

/** The body as it came, at most `limit` bytes: for a refusal that hands `onError` what was sent in another charset or encoding. */
export async function readFetchRawBody(request: FetchRequest, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const { chunks, size } = await readChunks(request, limit, timeoutMs);
  return joinBytes(chunks, size);
}

async function readChunks(request: FetchRequest, limit: number, timeoutMs: number): Promise<{ chunks: Uint8Array[]; size: number }> {
  const raw = rawRequest(request);
  if (raw.bodyUsed) {
    if (raw !== request) return keptChunks(request as BodyKeepingRequest, limit);
    throw new WebhookError('body_unavailable', 'The request body was already read by something else');
  }
  const stream = raw.body;
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

/** The body a wrapper kept, within `limit`: it is in memory already, so only its size is checked. */
async function keptChunks(request: BodyKeepingRequest, limit: number): Promise<{ chunks: Uint8Array[]; size: number }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await request.arrayBuffer());
  } catch (cause) {
    throw new WebhookError('body_unavailable', 'The request body was already read by something else, which kept none of it', { cause });
  }
  if (bytes.byteLength > limit) throw payloadTooLarge(limit);
  return { chunks: [bytes], size: bytes.byteLength };
}

/** Bytes as UTF-8 text. An invalid sequence becomes U+FFFD rather than costing the event. */
function decodeUtf8(chunks: readonly Uint8Array[], size: number): string {
  return new TextDecoder().decode(joinBytes(chunks, size));
}
