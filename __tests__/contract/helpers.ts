import { connect } from 'node:net';
import { convercWebhooks, type AnyEvent, type ConvercWebhooksOptions, type WebhookError } from 'converc-webhooks';

/** Whether something accepts connections on the loopback port right now. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** A promise with its resolve and reject exposed, to hold a handler open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (e: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A receiver whose `onError` calls are recorded. */
export function recordingReceiver(options: ConvercWebhooksOptions = {}) {
  const errors: { error: WebhookError; event: AnyEvent | undefined }[] = [];
  const webhooks = convercWebhooks(options).onError((error, event) => {
    errors.push({ error, event });
  });
  return { webhooks, errors };
}

/** Waits until `condition` holds, polling briefly; fails after a second. */
export async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition not met within a second');
}
