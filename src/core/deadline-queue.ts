/** One entry of a {@link DeadlineQueue}: `expire` runs once its time has come, unless cancelled first. */
export interface Deadline {
  /** When it expires, on `performance.now()`'s clock. */
  readonly at: number;
  readonly expire: () => void;
}

/**
 * Deadlines that all lie the same time after they were set, served by one timer. Entries of equal
 * length expire in the order they were added, so the oldest one still pending is the next to expire:
 * the timer is armed for it, and a delivery costs a `Set` insert and delete instead of a
 * `setTimeout` and `clearTimeout` of its own (which, with the two listeners a body read needs
 * anyway, cost about 5% of a `node:http` delivery; bench/PROFILE.md).
 *
 * The timer may fire for an entry cancelled since; it then re-arms for the oldest one left, so each
 * deadline still expires on time, and the timer stops once nothing is pending. It never keeps the
 * process alive.
 */
export class DeadlineQueue {
  readonly #ms: number;
  /** Pending entries, oldest first: a `Set` iterates in insertion order and deletes in O(1). */
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Runs `expire` in `ms` milliseconds, unless {@link cancel} is called with the entry first. */
  add(expire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.#ms, expire };
    this.#pending.add(entry);
    // A timer already armed is due no later than this entry: when it fires, it re-arms if need be.
    if (this.#timer === undefined) this.#timer = this.#arm(entry.at);
    return entry;
  }

  cancel(entry: Deadline): void {
    this.#pending.delete(entry);
  }

  /** How many entries are pending. */
  get size(): number {
    return this.#pending.size;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    const expired: Deadline[] = [];
    for (const entry of this.#pending) {
      if (entry.at > now) {
        this.#timer = this.#arm(entry.at);
        break;
      }
      this.#pending.delete(entry);
      expired.push(entry);
    }
    // Re-armed first: an entry's expiry may add entries of its own.
    for (const entry of expired) entry.expire();
  };

  #arm(at: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(this.#fire, Math.max(0, at - performance.now()));
    (timer as { unref?: () => void }).unref?.();
    return timer;
  }
}

const queues = new Map<number, DeadlineQueue>();

/** The shared queue for deadlines `ms` milliseconds long (one per length a process uses, which is a handful). */
export function deadlineQueue(ms: number): DeadlineQueue {
  let queue = queues.get(ms);
  if (queue === undefined) {
    queue = new DeadlineQueue(ms);
    queues.set(ms, queue);
  }
  return queue;
}
