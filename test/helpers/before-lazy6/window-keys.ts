// The distinct measures of a window group's rows (window-state.ts): by brute force over a small window, or by a
// key index (counts per key and a histogram of counts, so removals stay O(1)) kept for a busy one. Also the group's
// static layout. Pure.
import type { SharedColumns } from '../../../src/rules/window-columns.js';

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

/** Scratch of `scanKeys` (one engine thread): the keys of the slot's rows in the window, their ranges, first flags. */
let keys = new Float64Array(64);
let grps = new Float64Array(64);
let first = new Uint8Array(64);

/**
 * The key measures over the slot's rows in [lo, hi) by brute force: O(n^2) for at most `indexAbove` events. The
 * rows' keys (and ranges) are gathered first, so the pairwise passes read two small arrays: equal, comparison for
 * comparison, to counting over the rows themselves (a key counts at its first occurrence; a range's size is its keys
 * counted at their first occurrence, as the key index counts them).
 */
export function scanKeys(d: Float64Array, mw: Int32Array | null, B: number, S: number, mc: number, spec: GroupSpec, s: number, lo: number, hi: number): number {
  const kind = spec.kinds[s]!;
  const vc = B + spec.valCol[s]!;
  const gc = B + spec.grpCol[s]!;
  if (hi - lo > keys.length) {
    const n = 2 * (hi - lo);
    keys = new Float64Array(n);
    grps = new Float64Array(n);
    first = new Uint8Array(n);
  }
  const range = kind === WindowKind.RangeScan;
  let n = 0;
  for (let i = lo; i < hi; i++) {
    if (!has(d, mw, B, S, mc, s, i)) continue;
    keys[n] = d[i * S + vc]!;
    if (range) grps[n] = d[i * S + gc]!;
    n++;
  }
  let distinct = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    let j = 0;
    while (j < i && keys[j] !== k) j++;
    const f = j === i;
    first[i] = f ? 1 : 0;
    if (f) distinct++;
  }
  if (kind === WindowKind.Distinct) return distinct;
  let best = 0;
  for (let i = 0; i < n; i++) {
    if (first[i] === 0) continue;
    let c = 0;
    if (range) {
      // distinct callees of i's range, counted at their first occurrence
      const g = grps[i]!;
      for (let j = 0; j < n; j++) if (first[j] === 1 && grps[j] === g) c++;
    } else {
      const k = keys[i]!;
      for (let j = i; j < n; j++) if (keys[j] === k) c++;
    }
    if (c > best) best = c;
  }
  return best;
}
