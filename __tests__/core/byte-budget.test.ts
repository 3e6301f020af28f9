import { ByteBudget } from '../../src/core/byte-budget';

describe('ByteBudget', () => {
  it('lets in at once what fits, and makes the rest wait until enough is given back', async () => {
    const budget = new ByteBudget(10);
    expect(budget.take(6)).toBeUndefined();
    const admitted: string[] = [];
    void budget.take(6)?.then(() => admitted.push('second 6'));
    expect(budget.waiting).toBe(1);
    await Promise.resolve();
    expect(admitted).toEqual([]);
    budget.give(6);
    await Promise.resolve();
    expect(admitted).toEqual(['second 6']);
    expect(budget.used).toBe(6);
  });

  it('does not hold a small share behind a large one that does not fit', async () => {
    const budget = new ByteBudget(10);
    expect(budget.take(8)).toBeUndefined();
    const admitted: string[] = [];
    void budget.take(9)?.then(() => admitted.push('9'));
    expect(budget.take(2)).toBeUndefined();
    budget.give(8);
    await Promise.resolve();
    // 2 + 9 > 10: the 9 waits for the 2 as well.
    expect(admitted).toEqual([]);
    budget.give(2);
    await Promise.resolve();
    expect(admitted).toEqual(['9']);
  });

  it('lets in a share larger than the whole budget when nothing else holds any, so nothing waits forever', async () => {
    const budget = new ByteBudget(10);
    expect(budget.take(50)).toBeUndefined();
    const admitted: number[] = [];
    void budget.take(1)?.then(() => admitted.push(1));
    budget.give(50);
    await Promise.resolve();
    expect(admitted).toEqual([1]);
    expect(budget.used).toBe(1);
  });
});
