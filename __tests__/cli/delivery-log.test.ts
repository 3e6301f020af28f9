import { DeliveryLog, KEPT_BODY_BYTES, KEPT_DELIVERIES, type ListenEntry } from '../../src/cli/listen/delivery-log';

const entry = (body: string | null, id = 'evt_1'): Omit<ListenEntry, 'seq'> => ({
  receivedAt: '2025-01-01T00:00:00.000Z',
  method: 'POST',
  path: '/',
  headers: {},
  body,
  id,
  type: 'call.ended',
  issues: [],
  answer: { status: 200, outcome: 'processed', durationMs: 1 },
  resends: 0,
});

describe('DeliveryLog (what listen keeps for the inspector)', () => {
  it('keeps the newest deliveries only, by number', () => {
    const log = new DeliveryLog();
    for (let i = 0; i < KEPT_DELIVERIES + 10; i++) log.add(entry('{}'));
    const kept = log.all();
    expect(kept).toHaveLength(KEPT_DELIVERIES);
    expect(kept[0]?.seq).toBe(11);
    expect(log.get(10)).toBeUndefined();
  });

  it('keeps the newest deliveries only, by the bytes of their bodies, but always the newest', () => {
    const log = new DeliveryLog();
    const big = 'x'.repeat(Math.floor(KEPT_BODY_BYTES / 3));
    for (let i = 0; i < 4; i++) log.add(entry(big));
    expect(log.all().map((kept) => kept.seq)).toEqual([2, 3, 4]);
    log.add(entry('y'.repeat(KEPT_BODY_BYTES + 1)));
    expect(log.all().map((kept) => kept.seq)).toEqual([5]);
  });

  it('tells subscribers of new and changed entries until they unsubscribe, and finds a body by id', () => {
    const log = new DeliveryLog();
    const seen: number[] = [];
    const unsubscribe = log.subscribe((changed) => seen.push(changed.seq));
    const first = log.add(entry('{"a":1}', 'evt_a'));
    log.add(entry(null, 'evt_a'));
    log.changed(first);
    unsubscribe();
    log.add(entry('{}'));
    expect(seen).toEqual([1, 2, 1]);
    expect(log.bodyOf('evt_a')).toBe('{"a":1}');
    expect(log.bodyOf('evt_none')).toBeNull();
  });
});
