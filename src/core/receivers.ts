import type { Receiver } from './receiver';

/**
 * The core behind each receiver that `convercWebhooks()` made. Kept outside the public object so the
 * adapters can share one core (handlers, dedupe store, `drain()`) without exposing it to users.
 */
const receivers = new WeakMap<object, Receiver>();

/** Records the core behind a receiver. */
export function registerReceiver(webhooks: object, receiver: Receiver): void {
  receivers.set(webhooks, receiver);
}

/** The core behind a receiver; a `TypeError` for anything `convercWebhooks()` did not make. */
export function receiverOf(webhooks: unknown): Receiver {
  const receiver = typeof webhooks === 'function' ? receivers.get(webhooks) : undefined;
  if (receiver === undefined) throw new TypeError('expected a receiver made by convercWebhooks()');
  return receiver;
}
