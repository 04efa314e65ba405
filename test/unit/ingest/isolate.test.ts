import { describe, expect, it } from 'vitest';
import { isolateFailures, unguarded } from '../../../src/ingest/isolate.js';

/** Applies runs to an in-memory list, refusing the whole run when it holds a bad unit (as one statement would). */
function store(bad: (n: number) => boolean) {
  const applied: number[] = [];
  const attempts: number[][] = [];
  const apply = async (run: readonly number[]) => {
    attempts.push([...run]);
    const refused = run.find(bad);
    if (refused !== undefined) throw Object.assign(new Error(`refused ${refused}`), { code: '23514' });
    applied.push(...run);
    return run.length;
  };
  return { applied, attempts, apply };
}

describe('isolating the records that fail', () => {
  it('applies every good unit in order and reports only the bad one', async () => {
    const s = store((n) => n === 613);
    const units = Array.from({ length: 1_000 }, (_, i) => i);
    const out = await isolateFailures(units, s.apply, unguarded);
    expect(out.failed.map((f) => f.unit)).toEqual([613]);
    expect((out.failed[0]!.error as Error).message).toBe('refused 613');
    expect(s.applied).toEqual(units.filter((n) => n !== 613));
    // About 2 log2(n) attempts, not n.
    expect(s.attempts.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(1_000)) + 1);
  });

  it('finds several bad units, and a run with none is applied in one attempt', async () => {
    const s = store((n) => n % 100 === 7);
    const out = await isolateFailures(Array.from({ length: 300 }, (_, i) => i), s.apply, unguarded);
    expect(out.failed.map((f) => f.unit)).toEqual([7, 107, 207]);
    const clean = store(() => false);
    expect((await isolateFailures([1, 2, 3], clean.apply, unguarded)).applied).toEqual([3]);
    expect(clean.attempts).toEqual([[1, 2, 3]]);
  });

  it('rethrows a retryable error instead of blaming a record', async () => {
    const down = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    await expect(isolateFailures([1, 2, 3], down, unguarded)).rejects.toThrow(/ECONNREFUSED/);
  });
});
