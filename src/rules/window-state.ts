// One account's sliding windows for a group of windowed rules sharing one window length, on event time, exact under
// out-of-order arrival. The group keeps ONE event log (rows sorted by time in a flat number array: time, then the
// columns its measures need, then a bitmask of the group's rules the event counts for); each rule keeps only a
// cursor [lo, hi) into it and its running aggregate (count, sum). A query moves the two ends, adding or removing
// the rows whose bit is set (amortised O(1) as windows slide forward, O(k) for a query k rows back). Distinct
// measures compute their value by a scan while the window holds at most `indexAbove` events, else keep Maps and a
// histogram of counts so removals stay O(1). Cursors and aggregates are derived: a restored log starts with empty
// cursors and the next query rebuilds them. Pure.

export const WindowKind = { Count: 0, Sum: 1, Distinct: 2, MostPerKey: 3, RangeScan: 4 } as const;
export type WindowKind = (typeof WindowKind)[keyof typeof WindowKind];

/** Key measures keep no Maps while their window holds at most this many events: a scan is cheaper and smaller. */
const INDEX_ABOVE = 24;

/** The static layout of a group: its rules (slots), their kinds and the columns they read. */
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
}

/**
 * Fields of a slot's aggregate record at the head of `GroupLog.d`: its slot, then its cursor and aggregate. Only
 * the slots that were queried have one (a slot never queried is an empty window at the head, which its first query
 * moves from).
 */
const SLOT = 0;
const LO = 1;
const HI = 2;
const CNT = 3;
const SUM = 4;
const F = 5;

class KeyIndex {
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

export class WindowState {
  /** Overridable by tests, to drive both the scanned and the indexed paths. */
  static indexAbove = INDEX_ABOVE;
}

export class GroupLog {
  /**
   * [0, b): per queried slot, its record (slot, lo, hi, count of its rows in [lo, hi), sum of its values there);
   * then the rows, of which [h, n) are live (one array per log, so a log is two objects: this and `d`).
   */
  d: number[];
  b = 0;
  h = 0;
  n = 0;
  /** Per slot, key measures only, while indexed. */
  x: (KeyIndex | null)[] | null = null;

  constructor(spec: GroupSpec, rows = 4) {
    this.d = zeros(rows * spec.stride);
  }

  get length(): number {
    return this.n - this.h;
  }

  /** Adds a row (`row` holds its stride numbers, time first) at its time order; rows of equal time keep arrival order. */
  insert(spec: GroupSpec, row: number[]): void {
    const S = spec.stride;
    const B = this.b;
    const d = this.d;
    const time = row[0]!;
    let p = this.n;
    while (p > this.h && d[B + (p - 1) * S]! > time) p--;
    if (B + (this.n + 1) * S > d.length) this.grow(S);
    const dd = this.d;
    for (let i = B + this.n * S - 1; i >= B + p * S; i--) dd[i + S] = dd[i]!;
    for (let k = 0; k < S; k++) dd[B + p * S + k] = row[k]!;
    this.n++;
    const c = dd;
    const mask = spec.maskCol < 0 ? 1 : row[spec.maskCol]!;
    for (let o = 0; o < B; o += F) {
      const s = c[o + SLOT]!;
      if (p < c[o + LO]!) {
        c[o + LO]!++;
        c[o + HI]!++;
      } else if (p < c[o + HI]!) {
        c[o + HI]!++;
        if ((mask & (1 << s)) !== 0) this.add(spec, s, o, p);
      }
    }
  }

  /** Drops rows older than `before`; no later query reaches them. */
  evict(spec: GroupSpec, before: number): void {
    const S = spec.stride;
    const B = this.b;
    let h = this.h;
    while (h < this.n && this.d[B + h * S]! < before) h++;
    if (h === this.h) return;
    const c = this.d;
    for (let o = 0; o < B; o += F) {
      const s = c[o + SLOT]!;
      let lo = c[o + LO]!;
      const hi = c[o + HI]!;
      while (lo < h && lo < hi) {
        if (this.has(spec, s, lo)) this.remove(spec, s, o, lo);
        lo++;
      }
      if (lo < h) lo = h;
      c[o + LO] = lo;
      if (hi < lo) c[o + HI] = lo;
    }
    this.h = h;
    if (h * 2 >= this.n) {
      const d = this.d;
      for (let i = B + h * S; i < B + this.n * S; i++) d[i - h * S] = d[i]!;
      this.n -= h;
      this.h = 0;
      for (let o = 0; o < B; o += F) {
        c[o + LO]! -= h;
        c[o + HI]! -= h;
      }
      const keep = Math.max(4, this.n * 2) * S;
      if (d.length - B > 2 * keep) this.d = d.slice(0, B + keep);
    }
  }

  /** Lowest row >= h whose time is >= x (or > x when `after`). */
  bound(spec: GroupSpec, x: number, after: boolean): number {
    const S = spec.stride;
    let a = this.h;
    let b = this.n;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const tm = this.d[this.b + mid * S]!;
      if (after ? tm <= x : tm < x) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** Slot `s`'s measure over the rows [lo, hi) (from `bound`). */
  query(spec: GroupSpec, s: number, lo: number, hi: number): number {
    const o = this.record(s);
    const c = this.d;
    let clo = c[o + LO]!;
    let chi = c[o + HI]!;
    while (chi < hi) {
      if (this.has(spec, s, chi)) this.add(spec, s, o, chi);
      chi++;
    }
    while (clo > lo) {
      clo--;
      if (this.has(spec, s, clo)) this.add(spec, s, o, clo);
    }
    while (chi > hi) {
      chi--;
      if (this.has(spec, s, chi)) this.remove(spec, s, o, chi);
    }
    while (clo < lo) {
      if (this.has(spec, s, clo)) this.remove(spec, s, o, clo);
      clo++;
    }
    c[o + LO] = clo;
    c[o + HI] = chi;
    const kind = spec.kinds[s]!;
    if (kind === WindowKind.Count) return c[o + CNT]!;
    if (kind === WindowKind.Sum) return c[o + SUM]!;
    this.reindex(spec, s, o);
    const ix = this.x?.[s];
    if (!ix) return this.scan(spec, s, o);
    return kind === WindowKind.Distinct ? ix.counts.size : ix.max;
  }

  /** The offset of slot `s`'s record in `d`, added (an empty window at the head) on its first query. */
  private record(s: number): number {
    const d = this.d;
    const B = this.b;
    for (let o = 0; o < B; o += F) if (d[o + SLOT] === s) return o;
    const next = zeros(d.length + F);
    for (let i = 0; i < B; i++) next[i] = d[i]!;
    next[B + SLOT] = s;
    next[B + LO] = this.h;
    next[B + HI] = this.h;
    for (let i = B; i < d.length; i++) next[i + F] = d[i]!;
    this.d = next;
    this.b = B + F;
    return B;
  }

  private has(spec: GroupSpec, s: number, row: number): boolean {
    return spec.maskCol < 0 || (this.d[this.b + row * spec.stride + spec.maskCol]! & (1 << s)) !== 0;
  }

  private grow(S: number): void {
    const d = this.d;
    const next = zeros(this.b + Math.max(4, this.n + 1 + ((this.n - this.h) >> 1)) * S);
    for (let i = 0; i < this.b + this.n * S; i++) next[i] = d[i]!;
    this.d = next;
  }

  /** Builds the index when the window grows past the limit; drops it when it shrinks well below. */
  private reindex(spec: GroupSpec, s: number, o: number): void {
    const n = this.d[o + CNT]!;
    const ix = this.x?.[s];
    if (!ix && n > WindowState.indexAbove) {
      this.x ??= spec.rules.map(() => null);
      this.x[s] = new KeyIndex();
      for (let i = this.d[o + LO]!; i < this.d[o + HI]!; i++) if (this.has(spec, s, i)) this.index(spec, s, i, 1);
    } else if (ix && n <= WindowState.indexAbove >> 1) {
      this.x![s] = null;
    }
  }

  private add(spec: GroupSpec, s: number, o: number, row: number): void {
    this.d[o + CNT]!++;
    const kind = spec.kinds[s]!;
    if (kind === WindowKind.Sum) this.d[o + SUM]! += this.d[this.b + row * spec.stride + spec.valCol[s]!]!;
    else if (kind >= WindowKind.Distinct && this.x?.[s]) this.index(spec, s, row, 1);
  }

  private remove(spec: GroupSpec, s: number, o: number, row: number): void {
    this.d[o + CNT]!--;
    const kind = spec.kinds[s]!;
    if (kind === WindowKind.Sum) this.d[o + SUM]! -= this.d[this.b + row * spec.stride + spec.valCol[s]!]!;
    else if (kind >= WindowKind.Distinct && this.x?.[s]) this.index(spec, s, row, -1);
  }

  /** Adds (+1) or removes (-1) one row's key in slot `s`'s index. */
  private index(spec: GroupSpec, s: number, row: number, delta: 1 | -1): void {
    const ix = this.x![s]!;
    const kind = spec.kinds[s]!;
    const k = this.d[this.b + row * spec.stride + spec.valCol[s]!]!;
    const before = ix.counts.get(k) ?? 0;
    const after = before + delta;
    if (after === 0) ix.counts.delete(k);
    else ix.counts.set(k, after);
    if (kind === WindowKind.MostPerKey) ix.bump(before, after);
    else if (kind === WindowKind.RangeScan && (before === 0 || after === 0)) {
      const groups = (ix.groups ??= new Map());
      const g = this.d[this.b + row * spec.stride + spec.grpCol[s]!]!;
      const size = groups.get(g) ?? 0;
      if (size + delta === 0) groups.delete(g);
      else groups.set(g, size + delta);
      ix.bump(size, size + delta);
    }
  }

  /** The key measures over the slot's rows in [lo, hi) by brute force: O(n^2) for at most `indexAbove` events. */
  private scan(spec: GroupSpec, s: number, o: number): number {
    const S = spec.stride;
    const d = this.d;
    const kind = spec.kinds[s]!;
    const vc = this.b + spec.valCol[s]!;
    const gc = this.b + spec.grpCol[s]!;
    const lo = d[o + LO]!;
    const hi = d[o + HI]!;
    let best = 0;
    for (let i = lo; i < hi; i++) {
      if (!this.has(spec, s, i)) continue;
      const k = d[i * S + vc]!;
      let seenBefore = false;
      for (let j = lo; j < i && !seenBefore; j++) seenBefore = d[j * S + vc] === k && this.has(spec, s, j);
      if (seenBefore) continue;
      if (kind === WindowKind.Distinct) best++;
      else if (kind === WindowKind.MostPerKey) {
        let n = 0;
        for (let j = i; j < hi; j++) if (d[j * S + vc] === k && this.has(spec, s, j)) n++;
        if (n > best) best = n;
      } else {
        // distinct callees of i's range, counted at their first occurrence
        const g = d[i * S + gc]!;
        let n = 0;
        for (let j = lo; j < hi; j++) {
          if (d[j * S + gc] !== g || !this.has(spec, s, j)) continue;
          let dup = false;
          for (let m = lo; m < j && !dup; m++) dup = d[m * S + vc] === d[j * S + vc] && this.has(spec, s, m);
          if (!dup) n++;
        }
        if (n > best) best = n;
      }
    }
    return best;
  }

  /** The live rows, flat (for the snapshot). */
  rows(spec: GroupSpec): number[] {
    return this.d.slice(this.b + this.h * spec.stride, this.b + this.n * spec.stride);
  }

  static fromRows(spec: GroupSpec, rows: number[]): GroupLog {
    const n = rows.length / spec.stride;
    const g = new GroupLog(spec, Math.max(4, n));
    for (let i = 0; i < rows.length; i++) g.d[i] = rows[i]!;
    g.n = n;
    return g;
  }
}

/** A double array of `n` zeros (the elements kind stays unboxed doubles). */
function zeros(n: number): number[] {
  const a = new Array<number>(n).fill(0.5);
  a.fill(0);
  return a;
}
