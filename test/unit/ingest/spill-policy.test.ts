// The memory budget's arithmetic: capacity, each partition's share past it, and which accounts go first.
import { describe, expect, it } from 'vitest';
import { budgetBytes, capacityOf, keepOf, leastRecent, LOW_WATER, parseBudget } from '../../../src/ingest/spill-policy.js';

describe('least recently active accounts', () => {
  it('are those with the lowest latest event time', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const maxT = [50, 10, 40, 20, 30];
    expect(leastRecent(ids, maxT, 2).map((i) => ids[i])).toEqual(['b', 'd']);
    expect(leastRecent(ids, maxT, 4).map((i) => ids[i]).sort()).toEqual(['b', 'c', 'd', 'e']);
  });

  it('break ties by id, whatever the order they are listed in', () => {
    const pick = (ids: string[], maxT: number[]) => leastRecent(ids, maxT, 3).map((i) => ids[i]).sort();
    expect(pick(['z', 'y', 'x', 'w'], [5, 5, 5, 1])).toEqual(['w', 'x', 'y']);
    expect(pick(['w', 'x', 'y', 'z'], [1, 5, 5, 5])).toEqual(['w', 'x', 'y']);
  });

  it('are none for a count of zero and all for a count past the candidates', () => {
    expect(leastRecent(['a', 'b'], [1, 2], 0)).toEqual([]);
    expect(leastRecent(['a', 'b'], [1, 2], 5)).toEqual([0, 1]);
  });
});

describe('the budget', () => {
  it('holds whole accounts, at least one', () => {
    expect(capacityOf(43_000, 4_300)).toBe(10);
    expect(capacityOf(43_999, 4_300)).toBe(10);
    expect(capacityOf(100, 4_300)).toBe(1);
  });

  it('lets every partition keep all its accounts while the process is within it', () => {
    expect(keepOf(60, 100, 100)).toBe(60);
  });

  it('past it, has each partition give up the same fraction, down to the low-water mark', () => {
    const capacity = 100;
    const lanes = [120, 60, 20];
    const total = lanes.reduce((a, b) => a + b, 0);
    const kept = lanes.map((n) => keepOf(n, total, capacity));
    expect(kept).toEqual([54, 27, 9]);
    expect(kept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(LOW_WATER * capacity);
  });

  it('is bytes with a unit or a share of the heap limit', () => {
    expect(parseBudget('512MB')).toEqual({ bytes: 536_870_912 });
    expect(parseBudget('2 GB')).toEqual({ bytes: 2 * 2 ** 30 });
    expect(parseBudget('50%')).toEqual({ heapFraction: 0.5 });
    expect(parseBudget('0%')).toBeNull();
    expect(parseBudget('12')).toBeNull();
    expect(budgetBytes({ heapFraction: 0.5 }, 4_345_298_944)).toBe(2_172_649_472);
    expect(budgetBytes({ bytes: 1024 }, 4_345_298_944)).toBe(1024);
  });
});
