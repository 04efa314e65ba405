import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/effects/backoff.js';

const policy = { baseMs: 1_000, maxMs: 60_000, jitter: 0.5 };

describe('retry backoff', () => {
  it('doubles with each attempt until the cap, without jitter', () => {
    const p = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, p))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('stays within [ (1 - jitter) x ceiling, ceiling ] for any attempt and random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
        const d = backoffDelayMs(attempt, policy, () => r);
        return d >= Math.floor(ceiling * 0.5) && d <= ceiling && Number.isFinite(d);
      }),
    );
  });

  it('spreads retries of rows that failed together (jitter)', () => {
    const values = new Set(Array.from({ length: 50 }, (_, i) => backoffDelayMs(5, policy, () => i / 50)));
    expect(values.size).toBeGreaterThan(40);
  });

  it('never returns a delay below one millisecond, even for a zero policy', () => {
    expect(backoffDelayMs(1, { baseMs: 0, maxMs: 0, jitter: 1 }, () => 0)).toBe(1);
  });
});
