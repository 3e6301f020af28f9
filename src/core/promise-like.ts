/**
 * Whether `value` is a promise or any thenable. Handlers, error handlers and stores may answer with
 * a value or a promise: only a promise is awaited, so an answer that is already there costs no wait.
 */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Discards a settled value: what a handler resolves with is not ours to keep. */
export function ignore(): void {
  // Nothing to do.
}
