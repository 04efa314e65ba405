// The distinct measures of a window group's rows (window-state.ts): by brute force over a small window, or by a
// key index (counts per key and a histogram of counts, so removals stay O(1)) kept for a busy one. Also the group's
// static layout. Pure.
import type { SharedColumns } from '../../../../src/rules/window-columns.js';

export const WindowKind = { Count: 0, Sum: 1, Distinct: 2, MostPerKey: 3, RangeScan: 4 } as const;
export type WindowKind = (typeof WindowKind)[keyof typeof WindowKind];

/** The static layout of a group: its rules (slots), their kinds and the columns they read, as its logs keep rows. */
export interface GroupSpec {
  windowMs: number;
  /** Rule index of each slot. */
  rules: number[];
  kinds: WindowKind[];
  /** Per slot: the value column (Sum: cost or seconds; key measures: the callee key), or -1. */
  valCol: number[];
  /** Per slot: the range-key column (RangeScan), or -1. */
  grpCol: number[];
  /** Numbers per row; the last one is the mask when the group has more than one slot. */
  stride: number;
  maskCol: number;
  /** How stored rows (account parts) map to these (window-columns.ts); absent: stored rows are these rows. */
  stored?: SharedColumns;
}

export class KeyIndex {
  counts = new Map<number, number>();
  groups: Map<number, number> | null = null;
  freq: number[] = [0];
  max = 0;

  bump(from: number, to: number): void {
    const f = this.freq;
    if (from > 0) f[from]!--;
    if (to > 0) f[to] = (f[to] ?? 0) + 1;
    if (to > this.max) this.max = to;
    while (this.max > 0 && !f[this.max]) this.max--;
  }
}

/**
 * Whether row `row` counts for slot `s` (its bit in the mask column; a one-slot group has none). `mw`: the chunk as
 * int32s when the mask is packed with the time (window-state.ts), the low word of the row's first double.
 */
function has(d: Float64Array, mw: Int32Array | null, B: number, S: number, mc: number, s: number, row: number): boolean {
  if (mc < 0) return true;
  return ((mw === null ? d[B + row * S + mc]! : mw[2 * (B + row * S)]!) & (1 << s)) !== 0;
}

/** The key measures over the slot's rows in [lo, hi) by brute force: O(n^2) for at most `indexAbove` events. */
export function scanKeys(d: Float64Array, mw: Int32Array | null, B: number, S: number, mc: number, spec: GroupSpec, s: number, lo: number, hi: number): number {
  const kind = spec.kinds[s]!;
  const vc = B + spec.valCol[s]!;
  const gc = B + spec.grpCol[s]!;
  let best = 0;
  for (let i = lo; i < hi; i++) {
    if (!has(d, mw, B, S, mc, s, i)) continue;
    const k = d[i * S + vc]!;
    let seenBefore = false;
    for (let j = lo; j < i && !seenBefore; j++) seenBefore = d[j * S + vc] === k && has(d, mw, B, S, mc, s, j);
    if (seenBefore) continue;
    if (kind === WindowKind.Distinct) best++;
    else if (kind === WindowKind.MostPerKey) {
      let n = 0;
      for (let j = i; j < hi; j++) if (d[j * S + vc] === k && has(d, mw, B, S, mc, s, j)) n++;
      if (n > best) best = n;
    } else {
      // distinct callees of i's range, counted at their first occurrence
      const g = d[i * S + gc]!;
      let n = 0;
      for (let j = lo; j < hi; j++) {
        if (d[j * S + gc] !== g || !has(d, mw, B, S, mc, s, j)) continue;
        let dup = false;
        for (let m = lo; m < j && !dup; m++) dup = d[m * S + vc] === d[j * S + vc] && has(d, mw, B, S, mc, s, m);
        if (!dup) n++;
      }
      if (n > best) best = n;
    }
  }
  return best;
}