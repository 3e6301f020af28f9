/** What a successful {@link DedupeStore.claim} hands back, to be passed to `complete` or `release`. */
export interface DedupeClaim {
  /** The dedupe key that was claimed. */
  readonly key: string;
  /**
   * A value unique to this claim. A shared store uses it to release a key only while this delivery
   * still holds it, so a late release never frees somebody else's claim.
   */
  readonly token: string;
}

/**
 * Where delivery ids are remembered. The core calls `claim` once the event is valid, before any
 * handler runs, then exactly one of `complete` (the event was processed or ignored) or `release` (it
 * failed and may be processed when sent again). Every method may reject; the core then answers as documented and tells `onError`.
 *
 * A method may answer synchronously (as the memory store does) or with a promise. A promise is
 * bounded by `storeTimeoutMs`; an answer that is already there needs no timer, no race and no wait.
 *
 * The built-in {@link MemoryDedupeStore} keeps ids in one process; implement this interface to share
 * them between processes (a Redis store, say) without touching the core.
 *
 * @example
 * ```ts
 * const store: DedupeStore = {
 *   async claim(key) { return (await db.insertIfAbsent(key)) ? { key, token: key } : null; },
 *   async complete(claim) { await db.markDone(claim.key); },
 *   async release(claim) { await db.remove(claim.key); },
 * };
 * convercWebhooks({ dedupe: store });
 * ```
 */
export interface DedupeStore {
  /**
   * Atomically claims `key`: resolves a {@link DedupeClaim} when this delivery now holds it, or `null`
   * when the key was already processed or is held by a delivery still running.
   */
  claim(key: string): DedupeClaim | null | Promise<DedupeClaim | null>;
  /** Marks a claimed key processed; it answers `duplicate` for the store's time to live. */
  complete(claim: DedupeClaim): void | Promise<void>;
  /** Forgets a claimed key after a failure, if this claim still holds it, so a resend is processed. */
  release(claim: DedupeClaim): void | Promise<void>;
  /**
   * Optional fast path: whether `key` was completed (not merely claimed). When the store has it, a
   * delivery whose `X-IC-Id` names a processed event is answered `duplicate` before its body is read.
   */
  isProcessed?(key: string): boolean | Promise<boolean>;
}
