import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { deliver } from '../../testing/deliver';
import type { Clock } from '../cli-io';
import { describeNetworkError, errorCode } from '../describe-delivery';
import type { ListenAnswer } from './delivery-log';

/** What the app answered a relayed delivery, body and all, so that `listen` can answer the sender with it. */
export interface ForwardResult {
  readonly answer: ListenAnswer;
  /** The app's answer, to pass back to the sender; none when the app could not be reached. */
  readonly reply?: { readonly status: number; readonly contentType: string; readonly text: string };
}

/** The request headers a relay carries over: the event's id and the credential the app may check. */
const RELAYED_HEADERS = ['content-type', 'x-ic-id', 'authorization'] as const;

/**
 * Sends `body` to the app at `url` as the provider sent it to `listen`: the same method and bytes, the same
 * `X-IC-Id` (none when there was none), the same `Content-Type` and `Authorization`, within the
 * provider's 8 s. Never rejects: an app that is down is an answer with a `null` status.
 */
export async function forwardDelivery(
  url: URL,
  body: string,
  headers: IncomingHttpHeaders,
  clock: Clock,
  method = 'POST',
): Promise<ForwardResult> {
  const relayed: Record<string, string | null> = { 'x-ic-id': null, 'user-agent': 'converc-webhooks-listen' };
  for (const name of RELAYED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') relayed[name] = value;
  }
  const started = clock.now();
  try {
    const result = await deliver(url, undefined, { body, headers: relayed, method });
    const durationMs = clock.now() - started;
    const fields = typeof result.body === 'object' && result.body !== null ? (result.body as { status?: unknown; error?: { code?: unknown } }) : {};
    const outcome =
      typeof fields.status === 'string'
        ? fields.status
        : typeof fields.error?.code === 'string'
          ? fields.error.code
          : (STATUS_CODES[result.status] ?? 'answered');
    const contentType = typeof result.headers['content-type'] === 'string' ? result.headers['content-type'] : 'text/plain';
    return { answer: { status: result.status, outcome, durationMs }, reply: { status: result.status, contentType, text: result.text } };
  } catch (error) {
    const detail = describeNetworkError(error, url);
    const outcome = errorCode(error) === 'ETIMEDOUT' ? 'app timed out' : 'app down';
    return { answer: { status: null, outcome, detail, durationMs: clock.now() - started } };
  }
}
