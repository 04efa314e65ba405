// The hour-of-week baseline (docs/rules.md) matches a brute-force model over random histories, gaps of more than a
// week included: per local hour of the week, a decaying average (weight 0.2) of the completed hours' peaks, a
// slot's first peak taken whole, hours without traffic counting as a peak of 0; the level is
// max(minimum, factor x usual) in whole units, and only completed hours count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleState } from '../../../src/rules/rule-state.js';
import type { FraudRule } from '../../../src/rules/types.js';

const HOUR = 3_600_000;
const rule: FraudRule = {
  id: 'weekly', description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' }, measure: 'calls',
  windowMs: HOUR, rangeDigits: 2, warn: null, suspend: 5, baseline: { factor: 1.5, minimum: 5, by: 'hour_of_week' },
  cooldownMs: 0, releaseAfterMs: null, origin: { file: 't', line: 1 },
};
/** The local hour of the week of an hour index (a fixed offset zone: epoch hour 0 was a thursday 00:00). */
const slotOf = (period: number) => (period + 4 * 24) % 168;

function modelUsual(history: { period: number; value: number }[], now: number): number {
  const first = history[0]?.period ?? now;
  const peaks = new Map<number, number>();
  for (const h of history) if (h.period < now) peaks.set(h.period, Math.max(peaks.get(h.period) ?? 0, h.value));
  const hw = new Array<number>(168).fill(-1);
  for (let p = first; p < now; p++) {
    const s = slotOf(p);
    const peak = peaks.get(p) ?? 0;
    hw[s] = hw[s]! < 0 ? peak : hw[s]! * 0.8 + 0.2 * peak;
  }
  return Math.max(0, hw[slotOf(now)]!);
}

describe('baseline by hour of week', () => {
  it('equals the brute-force model of per-slot decaying peaks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 }), fc.constantFrom(167, 168, 169, 400)), value: fc.integer({ min: 0, max: 40 }) }), { minLength: 1, maxLength: 80 }),
        (steps) => {
          const state = new RuleState();
          const history: { period: number; value: number }[] = [];
          let period = 1000 * 168;
          for (const step of steps) {
            period += step.gap;
            const at = period * HOUR + 60_000;
            const usual = modelUsual(history, period);
            const got = state.level(rule, step.value, at, slotOf(period));
            const level = Math.max(5, 1.5 * usual);
            if (got === null) expect(step.value).toBeLessThan(level + 1);
            else {
              expect(Math.abs(got.threshold - level)).toBeLessThanOrEqual(1);
              expect(step.value).toBeGreaterThanOrEqual(got.threshold);
            }
            history.push({ period, value: step.value });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decides the same when its state goes through a snapshot at every step (168 slots and the current one)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 30 }), fc.constantFrom(167, 169)), value: fc.integer({ min: 0, max: 40 }) }), { minLength: 1, maxLength: 60 }),
        (steps) => {
          const kept = new RuleState();
          let stored = new RuleState();
          let period = 1000 * 168;
          for (const step of steps) {
            period += step.gap;
            const at = period * HOUR + 60_000;
            expect(stored.level(rule, step.value, at, slotOf(period))).toEqual(kept.level(rule, step.value, at, slotOf(period)));
            const snap = stored.snapshot();
            expect(snap).toEqual(kept.snapshot());
            expect(snap[5]).toHaveLength(168);
            expect(snap[6]).toBe(slotOf(period));
            stored = RuleState.restore(JSON.parse(JSON.stringify(snap)));
          }
        },
      ),
      { numRuns: 100, seed: 20261130 },
    );
  });
});
