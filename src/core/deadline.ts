/** What {@link beforeDeadline} resolves with when the deadline came first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `work`'s result, or {@link TIMED_OUT} if it has not settled by `deadline` (a `Date.now()` time).
 * A rejection passes through. The timer is cleared as soon as `work` settles, and never keeps the
 * process alive.
 */
export function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), TIMED_OUT);
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
