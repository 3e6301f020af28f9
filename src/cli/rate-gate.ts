import type { Clock } from './cli-io';

/**
 * Spaces out starts to at most `perSecond` a second, however many workers ask: each call reserves the
 * next free slot at once (before waiting), so concurrent callers never share one. Resolves early when
 * `signal` aborts, so Ctrl-C does not wait out a slow rate.
 */
export function rateGate(perSecond: number | undefined, clock: Clock, signal?: AbortSignal): () => Promise<void> {
  if (perSecond === undefined) return () => Promise.resolve();
  const interval = 1000 / perSecond;
  let nextStart = Number.NEGATIVE_INFINITY;
  return () => {
    const now = clock.now();
    const start = Math.max(now, nextStart);
    nextStart = start + interval;
    if (start <= now) return Promise.resolve();
    return untilAborted(clock.sleep(start - now), signal);
  };
}

function untilAborted(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return wait;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    wait.then(done, done);
  });
}
