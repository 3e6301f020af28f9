/**
 * Bytes shared by the bodies being read and parsed at once. A body takes its share before it is read
 * and gives it back once parsed; one that does not fit waits, unread, so that its sender's TCP window
 * fills and the sender waits too, rather than the receiver refusing an event that is never resent.
 *
 * Whoever fits is let in, first come first served among waiters, and one that fits is not held behind
 * a larger one that does not: a 100 KB event does not wait for the room a 5 MB body needs. A share
 * larger than the whole budget is let in when nothing else holds any, so that nothing waits forever.
 */
export class ByteBudget {
  readonly #max: number;
  #used = 0;
  readonly #waiting: { readonly bytes: number; readonly admit: () => void }[] = [];

  constructor(max: number) {
    this.#max = max;
  }

  /** Bytes taken and not yet given back. */
  get used(): number {
    return this.#used;
  }

  /** How many takers wait for room. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Takes `bytes`: at once (`undefined`) when they fit, else a promise that resolves once they do.
   * Each take is matched by one {@link give} of the same bytes once admitted.
   */
  take(bytes: number): Promise<void> | undefined {
    if (this.#fits(bytes)) {
      this.#used += bytes;
      return undefined;
    }
    return new Promise((admit) => {
      this.#waiting.push({ bytes, admit });
    });
  }

  /** Gives back `bytes` taken earlier, and lets in whoever now fits. */
  give(bytes: number): void {
    this.#used -= bytes;
    for (let index = 0; index < this.#waiting.length; ) {
      const waiter = this.#waiting[index];
      if (waiter !== undefined && this.#fits(waiter.bytes)) {
        this.#waiting.splice(index, 1);
        this.#used += waiter.bytes;
        waiter.admit();
      } else index++;
    }
  }

  #fits(bytes: number): boolean {
    return this.#used === 0 || this.#used + bytes <= this.#max;
  }
}
