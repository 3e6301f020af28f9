import { MemoryDedupeStore } from 'converc-webhooks';
import { describeDedupeStoreConformance } from './conformance';

describeDedupeStoreConformance('MemoryDedupeStore', () => {
  let now = 1_000_000;
  const ttlMs = 60_000;
  return {
    store: new MemoryDedupeStore({ ttlMs, now: () => now }),
    ttlMs,
    advance: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  };
});

describe('MemoryDedupeStore', () => {
  it('remembers at most max ids, forgetting the oldest first', () => {
    const store = new MemoryDedupeStore({ max: 3 });
    for (const id of ['a', 'b', 'c', 'd']) store.complete(store.claim(id)!);
    expect(store.size).toBe(3);
    expect(store.claim('a')).not.toBeNull();
    expect(store.claim('d')).toBeNull();
  });

  it('keeps a completed id until its time to live runs out, measured from completion', () => {
    let now = 10_000;
    const store = new MemoryDedupeStore({ ttlMs: 1000, now: () => now });
    const claim = store.claim('a');
    now = 10_900;
    store.complete(claim!);
    now = 11_800;
    expect(store.claim('a')).toBeNull();
    now = 11_950;
    expect(store.claim('a')).not.toBeNull();
  });

  it('never evicts a claim held by a delivery still running, however many ids come after it', () => {
    const store = new MemoryDedupeStore({ max: 1 });
    const claim = store.claim('a');
    for (const id of ['b', 'c', 'd']) store.complete(store.claim(id)!);
    expect(store.claim('a')).toBeNull();
    store.complete(claim!);
    expect(store.claim('a')).toBeNull();
    expect(store.isProcessed('a')).toBe(true);
  });

  it('forgets a released claim at once, and a stale release frees nobody else’s claim', () => {
    const store = new MemoryDedupeStore();
    const first = store.claim('a')!;
    store.release(first);
    const second = store.claim('a');
    expect(second).not.toBeNull();
    store.release(first);
    expect(store.claim('a')).toBeNull();
  });

  it.each([
    [{ max: 0 }, /dedupe\.max/],
    [{ max: 1.5 }, /dedupe\.max/],
    [{ ttlMs: -1 }, /dedupe\.ttlMs/],
    [{ ttlMs: Number.NaN }, /dedupe\.ttlMs/],
    [{ now: 5 as unknown as () => number }, /dedupe\.now/],
  ])('throws a TypeError naming the option for %p', (options, message) => {
    expect(() => new MemoryDedupeStore(options)).toThrow(TypeError);
    expect(() => new MemoryDedupeStore(options)).toThrow(message);
  });
});
