// One account's state for one rule: its window (or live calls), its baseline and its cooldowns; and the decision
// of which level a value reaches. Baseline: an EWMA of the measure's peak per period (period = the rule's window,
// or 1h for windowless measures), O(1) memory; the suspend level is max(minimum, factor x baseline), using only
// completed periods so an attack never raises its own bar. Cooldown (default: the window, or 1h): no second hit of
// the same level within it, on event time. Pure.
import { ConcurrencyState, type ConcurrencySnapshot } from './concurrency-state.js';
import { WindowKind, WindowState, type WindowSnapshot } from './window-state.js';
import type { FraudRule, Measure } from './types.js';

export const BASELINE_ALPHA = 0.2;
const HOUR = 3_600_000;

export function windowKind(measure: Measure): WindowKind | null {
  switch (measure) {
    case 'calls': return WindowKind.Count;
    case 'cost': case 'minutes': return WindowKind.Sum;
    case 'distinct_callees': return WindowKind.Distinct;
    case 'calls_to_one_callee': return WindowKind.MostPerKey;
    case 'range_scan': return WindowKind.RangeScan;
    default: return null;
  }
}

export type RuleStateSnapshot = [
  w: WindowSnapshot | ConcurrencySnapshot | null, bl: number, bp: number, bx: number, cw: number | null, cs: number | null,
];

export class RuleState {
  w: WindowState | ConcurrencyState | null = null;
  /** Baseline, its current period index, the peak value in that period. */
  bl = 0;
  bp = -1;
  bx = 0;
  /** Event times of the last warn and suspend hits (NaN: none). */
  cw = Number.NaN;
  cs = Number.NaN;

  static create(rule: FraudRule): RuleState {
    const s = new RuleState();
    const kind = windowKind(rule.measure);
    if (kind !== null) s.w = new WindowState(kind);
    else if (rule.measure === 'concurrent_calls') s.w = new ConcurrencyState();
    return s;
  }

  /** The level `value` reaches at event time `at` after cooldowns, or null; records the hit. */
  level(rule: FraudRule, value: number, at: number): { level: 'warn' | 'suspend'; threshold: number } | null {
    let suspend = rule.suspend;
    if (rule.baseline) {
      const period = Math.floor(at / (rule.windowMs ?? HOUR));
      if (this.bp < 0) this.bp = period;
      else if (period > this.bp) {
        this.bl = this.bl * (1 - BASELINE_ALPHA) + BASELINE_ALPHA * this.bx;
        this.bl *= (1 - BASELINE_ALPHA) ** (period - this.bp - 1);
        this.bp = period;
        this.bx = 0;
      }
      if (value > this.bx) this.bx = value;
      suspend = Math.max(rule.baseline.minimum, rule.baseline.factor * this.bl);
    }
    const cooldown = rule.cooldownMs ?? rule.windowMs ?? HOUR;
    if (value >= suspend) {
      if (Math.abs(at - this.cs) < cooldown) return null;
      this.cs = at;
      return { level: 'suspend', threshold: suspend };
    }
    if (rule.warn !== null && value >= rule.warn) {
      if (Math.abs(at - this.cw) < cooldown) return null;
      this.cw = at;
      return { level: 'warn', threshold: rule.warn };
    }
    return null;
  }

  snapshot(): RuleStateSnapshot {
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    return [this.w ? this.w.snapshot() : null, this.bl, this.bp, this.bx, nan(this.cw), nan(this.cs)];
  }

  static restore(rule: FraudRule, s: RuleStateSnapshot): RuleState {
    const r = new RuleState();
    const kind = windowKind(rule.measure);
    if (s[0] && kind !== null) r.w = WindowState.restore(s[0] as WindowSnapshot);
    else if (s[0] && rule.measure === 'concurrent_calls') r.w = ConcurrencyState.restore(s[0] as ConcurrencySnapshot);
    else r.w = RuleState.create(rule).w;
    [r.bl, r.bp, r.bx] = [s[1], s[2], s[3]];
    r.cw = s[4] ?? Number.NaN;
    r.cs = s[5] ?? Number.NaN;
    return r;
  }
}
