// One account's level state for one rule: its baseline and its cooldowns, and the decision of which level a value
// reaches; and the rule set's window layout (which rules share an event log). Baseline: an EWMA of the measure's
// peak per period (period = the rule's window, or 1h for windowless measures), O(1) memory; the suspend level is
// max(minimum, factor x baseline) rounded up to a whole unit (micro-units stay integers), using only completed periods so an attack never raises its own bar. Cooldown
// (default: the window, or 1h): no second hit of the same level within it, on event time. Pure.
import { neverBoth } from './cdr-matcher.js';
import type { RowLists } from './row-lists.js';
import { shareColumns, type SharedColumns } from './window-columns.js';
import { WindowKind, type GroupSpec } from './window-state.js';
import type { FraudRule, Measure } from './types.js';

export const BASELINE_ALPHA = 0.2;
const HOUR = 3_600_000;
/** Rules per shared log (bits of its mask column). */
const MAX_SLOTS = 30;

export function windowKind(measure: Measure): WindowKind | null {
  switch (measure) {
    case 'calls': case 'callbacks': return WindowKind.Count;
    case 'cost': case 'minutes': return WindowKind.Sum;
    case 'distinct_callees': case 'distinct_callers': return WindowKind.Distinct;
    case 'calls_to_one_callee': return WindowKind.MostPerKey;
    case 'range_scan': return WindowKind.RangeScan;
    default: return null;
  }
}

/** Where a row's column comes from. */
export type ColumnSource = { src: 'cost' | 'seconds' | 'callee' | 'caller' } | { src: 'range'; digits: number };

export interface Group extends GroupSpec {
  /** The sources of the stored columns (1.., at c - 1), in the order the group's rules first read them. */
  cols: ColumnSource[];
  stored: SharedColumns;
}

/**
 * The window layout of a rule set: windowed rules grouped by window length, each with its slot. A group's stored
 * rows have one column per source; its kept rows share a column between sources whose rules never match the same
 * CDR (window-columns.ts), e.g. the callers of an inbound rule and the cost of an outbound one.
 */
export class WindowPlan {
  /** Turned off by tests only: one kept column per source, as builds before sharing kept and stored every row. */
  static share = true;
  readonly groups: Group[] = [];
  /** Per rule index: its group and slot, or -1. */
  readonly groupOf: number[];
  readonly slotOf: number[];

  constructor(rules: readonly FraudRule[]) {
    this.groupOf = rules.map(() => -1);
    this.slotOf = rules.map(() => -1);
    /** Per group: the stored column of each slot's value and range key (0: none). */
    const valOf: number[][] = [];
    const grpOf: number[][] = [];
    rules.forEach((rule, r) => {
      const kind = windowKind(rule.measure);
      if (kind === null || rule.windowMs === null) return;
      let g = this.groups.findIndex((x) => x.windowMs === rule.windowMs && x.rules.length < MAX_SLOTS);
      if (g < 0) {
        g = this.groups.length;
        this.groups.push({ windowMs: rule.windowMs, rules: [], kinds: [], valCol: [], grpCol: [], stride: 1, maskCol: -1, cols: [], stored: NO_COLUMNS });
        valOf.push([]);
        grpOf.push([]);
      }
      const grp = this.groups[g]!;
      this.groupOf[r] = g;
      this.slotOf[r] = grp.rules.length;
      grp.rules.push(r);
      grp.kinds.push(kind);
      const col = (c: ColumnSource) => {
        let i = grp.cols.findIndex((x) => x.src === c.src && (x.src !== 'range' || x.digits === (c as { digits: number }).digits));
        if (i < 0) i = grp.cols.push(c) - 1;
        return i + 1;
      };
      if (rule.measure === 'cost') valOf[g]!.push(col({ src: 'cost' }));
      else if (rule.measure === 'minutes') valOf[g]!.push(col({ src: 'seconds' }));
      else if (rule.measure === 'distinct_callers') valOf[g]!.push(col({ src: 'caller' }));
      else if (kind >= WindowKind.Distinct) valOf[g]!.push(col({ src: 'callee' }));
      else valOf[g]!.push(0);
      grpOf[g]!.push(kind === WindowKind.RangeScan ? col({ src: 'range', digits: rule.rangeDigits }) : 0);
    });
    this.groups.forEach((g, i) => {
      const reads = g.cols.map((_, j) => g.rules.reduce((m, _r, s) => (valOf[i]![s] === j + 1 || grpOf[i]![s] === j + 1 ? m | (1 << s) : m), 0));
      const masked = g.rules.length > 1;
      g.stored = shareColumns(reads, (s, t) => WindowPlan.share && neverBoth(rules[g.rules[s]!]!, rules[g.rules[t]!]!), masked);
      g.stride = 1 + g.stored.of.length + (masked ? 1 : 0);
      g.maskCol = masked ? g.stride - 1 : -1;
      g.valCol = valOf[i]!.map((c) => (c > 0 ? g.stored.at[c - 1]! : -1));
      g.grpCol = grpOf[i]!.map((c) => (c > 0 ? g.stored.at[c - 1]! : -1));
    });
  }
}

const NO_COLUMNS: SharedColumns = { stride: 1, maskCol: -1, at: [], reads: [], of: [] };

/**
 * A baseline level in whole units of the measure (micro-units, calls, minutes), rounded up: money levels must stay
 * integer micro-units (a fractional level such as 69468160.00000001 cannot be formatted as money, issue 12), and a
 * product that floating point leaves a hair above a whole number is that number, not the next one.
 */
export function wholeUnits(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.ceil(x);
}

export const HOURS_PER_WEEK = 168;

export type RuleStateSnapshot = [bl: number, bp: number, bx: number, cw: number | null, cs: number | null, hw?: number[], bh?: number];


/**
 * Numbers per level state in an account's flat list (`RuleState.d`): rule index, then the fields below. The slot of
 * the current period of an hour-of-week baseline (`bh`) is kept after the profile, in `hw` (only those have one).
 */
export const RS = 6;
const BL = 1;
const BP = 2;
const BX = 3;
const CW = 4;
const CS = 5;
/** `hw[BH]`: the slot of the current period, after the profile's HOURS_PER_WEEK numbers. */
const BH = HOURS_PER_WEEK;

/**
 * A view of one rule's level state, kept as RS numbers at offset `o` of a Float64Array (an account's states are
 * rows of one list in EngineState.rs, row-lists.ts); `hw` is the hour-of-week profile (a separate array, rare). The
 * engine points one view at each state in turn; `new RuleState()` makes a state of its own.
 */
export class RuleState {
  d: Float64Array;
  o: number;
  /** `by: hour_of_week`: the average peak per local hour of the week, then the slot of the current period (`bh`). */
  hw: number[] | null = null;

  constructor(d: Float64Array | null = null, o = 0) {
    this.d = d ?? new Float64Array(newRecord(-1));
    this.o = o;
  }

  /** Baseline, its current period index, the peak value in that period. */
  get bl(): number { return this.d[this.o + BL]!; }
  set bl(x: number) { this.d[this.o + BL] = x; }
  get bp(): number { return this.d[this.o + BP]!; }
  set bp(x: number) { this.d[this.o + BP] = x; }
  get bx(): number { return this.d[this.o + BX]!; }
  set bx(x: number) { this.d[this.o + BX] = x; }
  /** Event times of the last warn and suspend hits (NaN: none). */
  get cw(): number { return this.d[this.o + CW]!; }
  set cw(x: number) { this.d[this.o + CW] = x; }
  get cs(): number { return this.d[this.o + CS]!; }
  set cs(x: number) { this.d[this.o + CS] = x; }
  /** `by: hour_of_week`: the slot of the current period (0 without a profile). */
  get bh(): number { return this.hw === null ? 0 : this.hw[BH]!; }
  set bh(x: number) { this.hw![BH] = x; }

  /**
   * The level `value` reaches at event time `at` after cooldowns, or null; records the hit. `hourOfWeek` (0 = sunday
   * 00:00, local) is read only by `by: hour_of_week` baselines.
   */
  level(rule: FraudRule, value: number, at: number, hourOfWeek = 0): { level: 'warn' | 'suspend'; threshold: number } | null {
    let suspend = rule.suspend;
    if (rule.baseline?.by === 'hour_of_week') {
      suspend = Math.max(rule.baseline.minimum, wholeUnits(rule.baseline.factor * this.weekly(value, at, hourOfWeek)));
    } else if (rule.baseline) {
      const period = Math.floor(at / (rule.windowMs ?? HOUR));
      if (this.bp < 0) this.bp = period;
      else if (period > this.bp) {
        this.bl = this.bl * (1 - BASELINE_ALPHA) + BASELINE_ALPHA * this.bx;
        this.bl *= (1 - BASELINE_ALPHA) ** (period - this.bp - 1);
        this.bp = period;
        this.bx = 0;
      }
      if (value > this.bx) this.bx = value;
      suspend = Math.max(rule.baseline.minimum, wholeUnits(rule.baseline.factor * this.bl));
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

  /**
   * Hour-of-week baseline: periods are hours; when one completes, its slot's average takes its peak (a slot's first
   * peak is taken whole, -1 marks a slot not seen yet, so a weekly profile is usable after one week), and the slots
   * of hours skipped without traffic take a peak of 0. Returns the usual value of the current slot (completed
   * periods only, so an attack never raises its own bar).
   */
  private weekly(value: number, at: number, hourOfWeek: number): number {
    const hw = (this.hw ??= newProfile());
    const period = Math.floor(at / HOUR);
    if (this.bp < 0) {
      this.bp = period;
      this.bh = hourOfWeek;
    } else if (period > this.bp) {
      hw[this.bh] = hw[this.bh]! < 0 ? this.bx : hw[this.bh]! * (1 - BASELINE_ALPHA) + BASELINE_ALPHA * this.bx;
      const skipped = period - this.bp - 1;
      const rounds = Math.floor(skipped / HOURS_PER_WEEK);
      if (rounds > 0) for (let s = 0; s < HOURS_PER_WEEK; s++) hw[s] = hw[s]! < 0 ? 0 : hw[s]! * (1 - BASELINE_ALPHA) ** rounds;
      for (let k = 1; k <= skipped % HOURS_PER_WEEK; k++) {
        const s = (this.bh + k) % HOURS_PER_WEEK;
        hw[s] = hw[s]! < 0 ? 0 : hw[s]! * (1 - BASELINE_ALPHA);
      }
      this.bp = period;
      this.bh = hourOfWeek;
      this.bx = 0;
    }
    if (value > this.bx) this.bx = value;
    return Math.max(0, hw[hourOfWeek]!);
  }

  snapshot(): RuleStateSnapshot {
    const nan = (x: number) => (Number.isNaN(x) ? null : x);
    const s: RuleStateSnapshot = [this.bl, this.bp, this.bx, nan(this.cw), nan(this.cs)];
    if (this.hw) s.push(this.hw.slice(0, HOURS_PER_WEEK), this.bh);
    return s;
  }

  /** Writes a snapshot's fields into this view (its rule index is left as it is). */
  load(s: RuleStateSnapshot): this {
    [this.bl, this.bp, this.bx] = [s[0], s[1], s[2]];
    this.cw = s[3] ?? Number.NaN;
    this.cs = s[4] ?? Number.NaN;
    this.hw = null;
    if (s[5]) {
      // a stored profile holds HOURS_PER_WEEK slots (one that holds fewer reads the rest as not seen yet)
      const hw = (this.hw = newProfile());
      for (let k = 0; k < Math.min(HOURS_PER_WEEK, s[5].length); k++) hw[k] = s[5][k]!;
      hw[BH] = s[6] ?? 0;
    }
    return this;
  }

  static restore(s: RuleStateSnapshot): RuleState {
    return new RuleState().load(s);
  }
}

/** A fresh level state for rule `r`: RS numbers. */
export function newRecord(r: number): number[] {
  return [r, 0, -1, 0, Number.NaN, Number.NaN];
}

/** A fresh hour-of-week profile: every slot not seen yet (-1), then `bh`. */
function newProfile(): number[] {
  const hw = new Array<number>(HOURS_PER_WEEK + 1).fill(-1);
  hw[BH] = 0;
  return hw;
}

/**
 * The rules with a level state in the account's list as a bit mask (rule r: bit r), read once per CDR so that the
 * rules without one are known without a search each (fraud-engine.ts judge); -1 when a rule index is 31 or more.
 */
export function recordMask(lists: RowLists, ix: number): number {
  const at = lists.at(ix);
  if (at < 0) return 0;
  const d = lists.chunk(at);
  const B = lists.base(at);
  const end = B + RS * lists.length(ix);
  let m = 0;
  for (let o = B; o < end; o += RS) {
    const r = d[o]!;
    if (r >= 31) return -1;
    m |= 1 << r;
  }
  return m;
}

/** The offset of rule `r`'s state in `lists.chunk(lists.at(ix))` (the account's level states), or -1. */
export function findRecord(lists: RowLists, ix: number, r: number): number {
  const at = lists.at(ix);
  if (at < 0) return -1;
  const d = lists.chunk(at);
  const B = lists.base(at);
  const end = B + RS * lists.length(ix);
  for (let o = B; o < end; o += RS) if (d[o] === r) return o;
  return -1;
}

/** Adds a fresh state for rule `r` at its place in the account's list (sorted by rule index); returns its offset. */
export function addRecord(lists: RowLists, ix: number, r: number): number {
  let i = 0;
  const n = lists.length(ix);
  if (n > 0) {
    const at = lists.at(ix);
    const d = lists.chunk(at);
    const B = lists.base(at);
    while (i < n && d[B + RS * i]! < r) i++;
  }
  const o = lists.insert(ix, i);
  const d = lists.chunk(lists.at(ix));
  const rec = FRESH;
  rec[0] = r;
  for (let k = 0; k < RS; k++) d[o + k] = rec[k]!;
  return o;
}

const FRESH = newRecord(-1);
