import type { DedupeStore } from 'converc-webhooks';

/** A store under test, with a clock the suite can move when the store supports one. */
export interface StoreUnderTest {
  readonly store: DedupeStore;
  /** Moves the store's clock forward by `ms`. */
  advance(ms: number): Promise<void>;
  /** Time to live of processed keys that the store was made with. */
  readonly ttlMs: number;
}

/**
 * The behaviour every `DedupeStore` must have, run by each store's own test (the memory store today,
 * a shared store later) so that they stay interchangeable.
 */
export function describeDedupeStoreConformance(name: string, make: () => Promise<StoreUnderTest> | StoreUnderTest): void {
  describe(`${name} conforms to DedupeStore`, () => {
    let subject: StoreUnderTest;
    let n = 0;
    const key = (): string => `key-${process.pid}-${Date.now()}-${++n}`;
    beforeEach(async () => {
      subject = await make();
    });

    it('claims a new key, and hands back that key with a token', async () => {
      const k = key();
      const claim = await subject.store.claim(k);
      expect(claim?.key).toBe(k);
      expect(typeof claim?.token).toBe('string');
    });

    it('answers null to a claim of a key held by a delivery still running', async () => {
      const k = key();
      expect(await subject.store.claim(k)).not.toBeNull();
      expect(await subject.store.claim(k)).toBeNull();
    });

    it('answers null to a claim of a completed key', async () => {
      const k = key();
      const claim = await subject.store.claim(k);
      await subject.store.complete(claim!);
      expect(await subject.store.claim(k)).toBeNull();
    });

    it('lets a released key be claimed again', async () => {
      const k = key();
      const claim = await subject.store.claim(k);
      await subject.store.release(claim!);
      expect(await subject.store.claim(k)).not.toBeNull();
    });

    it('grants exactly one of many concurrent claims of one key', async () => {
      const k = key();
      // Each claim as a promise, whether the store answers synchronously or not: they run concurrently.
      const claims = await Promise.all(Array.from({ length: 50 }, async () => subject.store.claim(k)));
      expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
    });

    it('gives different claims different tokens', async () => {
      const k = key();
      const first = await subject.store.claim(k);
      await subject.store.release(first!);
      const second = await subject.store.claim(k);
      expect(second?.token).not.toBe(first?.token);
    });

    it('never lets a late release free somebody else’s claim', async () => {
      const k = key();
      const stale = await subject.store.claim(k);
      await subject.store.release(stale!);
      const current = await subject.store.claim(k);
      expect(current).not.toBeNull();
      await subject.store.release(stale!);
      expect(await subject.store.claim(k)).toBeNull();
    });

    it('does not let a release undo a completion', async () => {
      const k = key();
      const claim = await subject.store.claim(k);
      await subject.store.complete(claim!);
      await subject.store.release(claim!);
      expect(await subject.store.claim(k)).toBeNull();
    });

    it('forgets a completed key after its time to live', async () => {
      const k = key();
      const claim = await subject.store.claim(k);
      await subject.store.complete(claim!);
      await subject.advance(subject.ttlMs + 1000);
      expect(await subject.store.claim(k)).not.toBeNull();
    });

    it('says a key is processed only once it is completed, if it offers isProcessed', async () => {
      const { store } = subject;
      if (store.isProcessed === undefined) {
        expect(typeof store.claim).toBe('function');
        return;
      }
      const k = key();
      expect(await store.isProcessed(k)).toBe(false);
      const claim = await store.claim(k);
      expect(await store.isProcessed(k)).toBe(false);
      await store.complete(claim!);
      expect(await store.isProcessed(k)).toBe(true);
    });

    it('keeps keys apart', async () => {
      const a = key();
      const b = key();
      expect(await subject.store.claim(a)).not.toBeNull();
      expect(await subject.store.claim(b)).not.toBeNull();
    });
  });
}
