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
  /** The deadline the timer was armed for. */
  #armedFor = 0;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Runs `expire` in `ms` milliseconds, unless {@link cancel} is called with the entry first. */
  add(expire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + this.#ms, expire };
    // An empty queue arms afresh: a timer left from earlier entries may be due later than this one
    // (after a clock change) or never (one armed under a test's fake timers, since put away).
    if (this.#pending.size === 0) {
      clearTimeout(this.#timer);
      this.#arm(entry.at, this.#ms);
    }
    // Otherwise the timer is due no later than this entry: when it fires, it re-arms.
    this.#pending.add(entry);
    return entry;
  }

  cancel(entry: Deadline): void {
    this.#pending.delete(entry);
  }

  /** How many entries are pending. */
  get size(): number {
    return this.#pending.size;
  }

  // An entry expires when the timer armed for it, or for a later one, fires, or when the clock says
  // it is due: timers that a test fakes without faking performance.now still expire entries. The next
  // timer is armed from now when the timer fired late (a busy event loop), so that lateness does not
  // add up from one expiry to the next: each deadline stays within a loop turn of its time.
  readonly #fire = (): void => {
    const now = performance.now();
    const due = Math.max(this.#armedFor, now);
    const expired: Deadline[] = [];
    for (const entry of this.#pending) {
      if (entry.at > due) {
        this.#arm(entry.at, Math.min(entry.at - this.#armedFor, entry.at - now));
        break;
      }
      this.#pending.delete(entry);
      expired.push(entry);
    }
    // Every expiry runs, even after one that throws; the first error is then thrown, as a timer's would be.
    let failure: { error: unknown } | undefined;
    for (const entry of expired) {
      try {
        entry.expire();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  };

  #arm(at: number, delay: number): void {
    this.#armedFor = at;
    this.#timer = setTimeout(this.#fire, Math.max(0, delay));
    (this.#timer as { unref?: () => void }).unref?.();
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
