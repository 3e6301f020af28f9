/** What {@link beforeDeadline} resolves with when the deadline came first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `work`'s result, or {@link TIMED_OUT} if it has not settled by `deadline` (a `Date.now()` time).
 * A rejection passes through. The timer never keeps the process alive, and is cleared as soon as
 * `work` settles.
 *
 * Work that has already settled (a store in memory, a handler that returned at once) gets no timer:
 * a `setTimeout`, a `Promise.race` and a `finally` on every store call were a measurable share of a
 * delivery's cost (bench/PROFILE.md) for an answer that was never in doubt.
 */
export function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | typeof TIMED_OUT> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    work.then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        // The work's own rejection, unchanged, whatever it is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
    // The reaction to a settled `work` was queued by then() above, so it runs before this check.
    // A promise job, not queueMicrotask, which fake timers (Jest's, sinon's) hold back.
    void Promise.resolve().then(() => {
      if (settled) return;
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()), TIMED_OUT);
      (timer as { unref?: () => void }).unref?.();
    });
  });
}
