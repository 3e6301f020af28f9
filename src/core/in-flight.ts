/** Work still running after (or while) a delivery is answered, so that `drain()` can wait for it. */
export class InFlight {
  // A count, not a set of promises: each delivery tracks two or three pieces of work, and a Set entry
  // plus a finally() per piece showed in the profile.
  #running = 0;
  #idle: (() => void)[] = [];
  readonly #settled = (): void => {
    this.#running -= 1;
    if (this.#running > 0) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const resolve of waiting) resolve();
  };

  /** Tracks `work` until it settles. `work` must not reject: everything tracked here catches its own errors. */
  track(work: Promise<unknown>): void {
    this.#running += 1;
    work.then(this.#settled, this.#settled);
  }

  /** Resolves once nothing tracked is running, work that started meanwhile included. */
  drain(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
