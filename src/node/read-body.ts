import type { IncomingMessage } from 'node:http';
import { WebhookError, payloadTooLarge } from '../errors/webhook-error';
import { deadlineQueue } from './deadline-queue';
import type { DeliveryBody, RawBody } from '../core/receiver';

/** What other middleware may have left on a request: a parsed body, or the raw bytes beside it. */
interface ParsedRequest extends IncomingMessage {
  body?: unknown;
  rawBody?: unknown;
  /** Set by body-parser (behind `express.json()` and its siblings) once it has read the stream. */
  _body?: unknown;
}

/**
 * Reads a request's body, at most `limit` bytes, as an adapter for `node:http` and Express needs it.
 *
 * A parser mounted earlier (`express.json()`, `express.raw()`, `express.text()`) may have read the
 * stream already; waiting on it then would hang until the provider's 8 s timeout. So what the parser
 * left is used instead: bytes or text are parsed here, a parsed value is taken as is, and a consumed
 * stream with nothing usable left is answered at once with `body_unavailable`.
 */
export function readNodeBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<DeliveryBody> {
  const parsed = req as ParsedRequest;
  const left = parsed.body;
  if (Buffer.isBuffer(left)) return within(left, limit);
  if (typeof left === 'string') {
    const bytes = Buffer.byteLength(left);
    return bytes > limit ? Promise.reject(payloadTooLarge(limit)) : Promise.resolve({ text: left, bytes });
  }
  if (req.readableEnded || req.readableDidRead || parsed._body === true) {
    // Serverless platforms (Google Cloud Functions, Firebase) keep the raw bytes beside the parsed body.
    const raw = parsed.rawBody;
    if (Buffer.isBuffer(raw)) return within(raw, limit);
    // body-parser turns an empty body into {}: an empty body is not JSON, whichever parser ran first.
    if (req.headers['content-length'] === '0') return Promise.resolve({ text: '', bytes: 0 });
    if (typeof left === 'object' && left !== null) return Promise.resolve({ parsed: left });
    return Promise.reject(
      new WebhookError(
        'body_unavailable',
        'Another body parser consumed the request and left no usable body; mount converc-webhooks before it',
      ),
    );
  }
  return readStream(req, limit, timeoutMs, asText);
}

/**
 * Reads a request's body as it came, at most `limit` bytes: for a refusal that hands `onError` what was
 * sent in another charset or encoding. What another parser left is taken as it is.
 */
export function readNodeRawBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<RawBody> {
  const parsed = req as ParsedRequest;
  const left = parsed.body ?? parsed.rawBody;
  if (Buffer.isBuffer(left) || typeof left === 'string') return Promise.resolve(left);
  if (req.readableEnded || req.readableDidRead || parsed._body === true) {
    return Promise.reject(new WebhookError('body_unavailable', 'Another body parser consumed the request'));
  }
  return readStream(req, limit, timeoutMs, (bytes) => bytes);
}

const asText = (bytes: Buffer, size: number): DeliveryBody => ({ text: decodeUtf8(bytes), bytes: size });

/** Bytes another parser kept, as the body, if they are within `limit`. */
function within(bytes: Buffer, limit: number): Promise<DeliveryBody> {
  return bytes.length > limit ? Promise.reject(payloadTooLarge(limit)) : Promise.resolve({ text: decodeUtf8(bytes), bytes: bytes.length });
}

function readStream<T>(req: IncomingMessage, limit: number, timeoutMs: number, as: (bytes: Buffer, size: number) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Once settled, the listeners stay (the request is dropped with them) but do nothing: removing
    // four listeners per delivery cost more than leaving them, and an 'error' listener must stay.
    let settled = false;
    // Takes a function: an error costs a stack trace, and 'close' comes after every request, read or not.
    const fail = (error: () => WebhookError): void => {
      if (settled) return;
      settled = true;
      deadlines.cancel(deadline);
      chunks.length = 0;
      reject(error());
    };
    // One timer for all the reads of this length, not one each (node/deadline-queue.ts).
    const deadlines = deadlineQueue(timeoutMs);
    const deadline = deadlines.add(() => {
      // The answer goes out with Connection: close, which ends the trickle for good.
      fail(() => new WebhookError('request_timeout', 'The body did not arrive in time'));
    });
    req.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limit) {
        // Stop buffering; the rest is discarded and the connection closed once we have answered.
        fail(() => payloadTooLarge(limit));
        req.resume();
        return;
      }
      chunks.push(bytes);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      deadlines.cancel(deadline);
      // One chunk (most bodies) is decoded as it is: concatenating would copy it for nothing.
      const [only] = chunks;
      resolve(as(chunks.length === 1 && only !== undefined ? only : Buffer.concat(chunks, size), size));
    });
    req.on('error', (cause: Error) => {
      fail(() => new WebhookError('request_aborted', 'The request body could not be read', { cause }));
    });
    req.on('close', () => {
      // 'close' before 'end' is a client that went away mid-body.
      fail(() => new WebhookError('request_aborted', 'The client closed the connection before the body arrived'));
    });
  });
}

/** Bytes as UTF-8 text. An invalid sequence becomes U+FFFD rather than costing the event. */
function decodeUtf8(bytes: Buffer): string {
  return bytes.toString('utf8');
}
