/** Work still running after (or while) a delivery is answered, so that `drain()` can wait for it. */
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles. `work` must not reject: everything tracked here catches its own errors. */
  track(work: Promise<unknown>): void {
    this.#running.add(work);
    void work.finally(() => this.#running.delete(work));
  }

  /** Resolves once nothing tracked is running, work that started meanwhile included. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled(this.#running);
  }
}
