/** What {@link beforeDeadline} resolves with when the deadline came first. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * `work`'s result, or {@link TIMED_OUT} if it has not settled by `deadline` (a `Date.now()` time).
 * A rejection passes through. The timer never keeps the process alive, and is cleared as soon as
 * `work` settles.
 *
 * Work that has settled by the next promise job gets no timer: a timer that is armed and cleared at
 * once is a cost for an answer that was never in doubt.
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

/**
 * A store's or queue's `answer`, bounded: a promise that has not settled within `ms` milliseconds
 * becomes a rejection saying so. How every store and queue call on the request path is bounded,
 * since a store that has lost its server may hold a command until it reconnects. The call itself goes
 * on; a caller that must act on its late result (a claim that lands after all) keeps it to do so.
 *
 * An answer that is already there (the memory store answers synchronously) is returned as it is, to
 * be awaited like any other: it needs no timer, and on the path every delivery takes, each promise
 * layer around a store call showed in the benchmark (bench/PROFILE.md).
 */
export function withTimeout<T>(answer: T | PromiseLike<T>, ms: number): T | Promise<T> {
  if (!isThenable(answer)) return answer;
  return beforeDeadline(Promise.resolve(answer), Date.now() + ms).then((result) => {
    if (result === TIMED_OUT) throw new Error(`no answer within ${ms} ms`);
    return result;
  });
}

/** Whether `value` is a promise or any thenable, which `await` would wait for. */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
