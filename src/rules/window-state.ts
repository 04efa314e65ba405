// One account's sliding window for one windowed rule, on event time, exact under out-of-order arrival. Events are
// kept sorted by time in plain arrays; the aggregate always describes the index range [lo, hi) of the last query,
// and a query moves the two ends, adding or removing events (amortised O(1) as windows slide forward, O(k) for a
// query k events back). Distinct counts use Maps; "most per key" uses a histogram of counts so removals stay O(1).
// Pure; serialises to plain arrays and rebuilds its aggregates on restore.

export const WindowKind = { Count: 0, Sum: 1, Distinct: 2, MostPerKey: 3, RangeScan: 4 } as const;
export type WindowKind = (typeof WindowKind)[keyof typeof WindowKind];

export type WindowSnapshot = [kind: number, t: number[], v: number[] | null, g: number[] | null, lo: number, hi: number];

/** Key measures keep no Maps while their window holds at most this many events: a scan is cheaper and smaller. */
const INDEX_ABOVE = 24;

export class WindowState {
  /** Overridable by tests, to drive both the scanned and the indexed paths. */
  static indexAbove = INDEX_ABOVE;
  private t: number[] = [];
  /** Sum: the value; key measures: the callee key. */
  private v: number[] | null;
  /** RangeScan: the range key. */
  private g: number[] | null;
  private h = 0;
  private lo = 0;
  private hi = 0;
  private sum = 0;
  /** Key measures: callee key -> calls in the range [lo, hi). Created on first use. */
  private counts: Map<number, number> | null = null;
  /** RangeScan: range key -> distinct callees of the range in [lo, hi). */
  private groups: Map<number, number> | null = null;
  /** MostPerKey / RangeScan: histogram of the counts (or group sizes), so the max survives removals. */
  private freq: number[] | null = null;
  private max = 0;
  /** Key measures: whether the Maps above describe [lo, hi) (else the value is computed by a scan). */
  private indexed = false;

  constructor(readonly kind: WindowKind) {
    this.v = kind === WindowKind.Count ? null : [];
    this.g = kind === WindowKind.RangeScan ? [] : null;
  }

  /** Events held (for tests and size checks). */
  get length(): number {
    return this.t.length - this.h;
  }

  insert(time: number, value: number, group: number): void {
    const t = this.t;
    let p = t.length;
    while (p > this.h && t[p - 1]! > time) p--;
    if (p === t.length) {
      t.push(time);
      this.v?.push(value);
      this.g?.push(group);
    } else {
      t.splice(p, 0, time);
      this.v?.splice(p, 0, value);
      this.g?.splice(p, 0, group);
    }
    if (p < this.lo) {
      this.lo++;
      this.hi++;
    } else if (p < this.hi) {
      this.hi++;
      this.add(p);
    }
  }

  /** The measure over events with time in [from, to]. */
  query(from: number, to: number): number {
    const lo = this.bound(from, false);
    const hi = this.bound(to, true);
    while (this.hi < hi) this.add(this.hi++);
    while (this.lo > lo) this.add(--this.lo);
    while (this.hi > hi) this.remove(--this.hi);
    while (this.lo < lo) this.remove(this.lo++);
    if (this.kind >= WindowKind.Distinct) this.reindex();
    return this.value();
  }

  value(): number {
    if (this.kind >= WindowKind.Distinct && !this.indexed) return this.scan();
    switch (this.kind) {
      case WindowKind.Count: return this.hi - this.lo;
      case WindowKind.Sum: return this.sum;
      case WindowKind.Distinct: return this.counts?.size ?? 0;
      default: return this.max;
    }
  }

  /** Drops events older than `before`; no later query reaches them. */
  evict(before: number): void {
    const t = this.t;
    while (this.h < t.length && t[this.h]! < before) {
      if (this.h === this.lo && this.lo < this.hi) this.remove(this.lo++);
      this.h++;
    }
    if (this.lo < this.h) this.lo = this.h;
    if (this.hi < this.lo) this.hi = this.lo;
    if (this.h > 0 && this.h * 2 >= t.length) {
      const h = this.h;
      dropFront(t, h);
      if (this.v) dropFront(this.v, h);
      if (this.g) dropFront(this.g, h);
      this.lo -= h;
      this.hi -= h;
      this.h = 0;
    }
  }

  snapshot(): WindowSnapshot {
    const h = this.h;
    return [this.kind, this.t.slice(h), this.v?.slice(h) ?? null, this.g?.slice(h) ?? null, this.lo - h, this.hi - h];
  }

  static restore(s: WindowSnapshot): WindowState {
    const w = new WindowState(s[0] as WindowKind);
    w.t = s[1];
    if (w.v) w.v = s[2] ?? [];
    if (w.g) w.g = s[3] ?? [];
    w.lo = s[4];
    w.hi = s[4];
    while (w.hi < s[5]) w.add(w.hi++);
    if (w.kind >= WindowKind.Distinct) w.reindex();
    return w;
  }

  /** Lowest index >= h whose time is >= x (or > x when `after`). */
  private bound(x: number, after: boolean): number {
    let a = this.h;
    let b = this.t.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const tm = this.t[mid]!;
      if (after ? tm <= x : tm < x) a = mid + 1;
      else b = mid;
    }
    return a;
  }

  /** Builds the Maps when the window grows past the limit; drops them when it shrinks well below. */
  private reindex(): void {
    const n = this.hi - this.lo;
    if (!this.indexed && n > WindowState.indexAbove) {
      this.indexed = true;
      for (let i = this.lo; i < this.hi; i++) this.add(i);
    } else if (this.indexed && n <= WindowState.indexAbove >> 1) {
      this.indexed = false;
      this.counts = this.groups = this.freq = null;
      this.max = 0;
    }
  }

  /** The key measures over [lo, hi) by brute force: O(n^2) for a window of at most `indexAbove` events. */
  private scan(): number {
    const v = this.v!;
    let best = 0;
    for (let i = this.lo; i < this.hi; i++) {
      const k = v[i]!;
      let seenBefore = false;
      for (let j = this.lo; j < i && !seenBefore; j++) seenBefore = v[j] === k;
      if (this.kind === WindowKind.Distinct) {
        if (!seenBefore) best++;
      } else if (this.kind === WindowKind.MostPerKey) {
        if (seenBefore) continue;
        let c = 0;
        for (let j = i; j < this.hi; j++) if (v[j] === k) c++;
        if (c > best) best = c;
      } else {
        if (seenBefore) continue;
        // distinct callees of i's range, counted at their first occurrence
        const g = this.g!;
        let c = 0;
        for (let j = this.lo; j < this.hi; j++) {
          if (g[j] !== g[i]) continue;
          let dup = false;
          for (let m = this.lo; m < j && !dup; m++) dup = v[m] === v[j];
          if (!dup) c++;
        }
        if (c > best) best = c;
      }
    }
    return best;
  }

  private add(i: number): void {
    if (this.kind >= WindowKind.Distinct && !this.indexed) return;
    switch (this.kind) {
      case WindowKind.Count: return;
      case WindowKind.Sum: this.sum += this.v![i]!; return;
      case WindowKind.Distinct: {
        const counts = (this.counts ??= new Map());
        const k = this.v![i]!;
        counts.set(k, (counts.get(k) ?? 0) + 1);
        return;
      }
      case WindowKind.MostPerKey: {
        const counts = (this.counts ??= new Map());
        const k = this.v![i]!;
        const c = (counts.get(k) ?? 0) + 1;
        counts.set(k, c);
        this.bump(c - 1, c);
        return;
      }
      case WindowKind.RangeScan: {
        const counts = (this.counts ??= new Map());
        const k = this.v![i]!;
        const c = counts.get(k) ?? 0;
        counts.set(k, c + 1);
        if (c > 0) return;
        const groups = (this.groups ??= new Map());
        const grp = this.g![i]!;
        const size = (groups.get(grp) ?? 0) + 1;
        groups.set(grp, size);
        this.bump(size - 1, size);
      }
    }
  }

  private remove(i: number): void {
    if (this.kind >= WindowKind.Distinct && !this.indexed) return;
    switch (this.kind) {
      case WindowKind.Count: return;
      case WindowKind.Sum: this.sum -= this.v![i]!; return;
      case WindowKind.Distinct: {
        const k = this.v![i]!;
        const c = this.counts!.get(k)!;
        if (c === 1) this.counts!.delete(k);
        else this.counts!.set(k, c - 1);
        return;
      }
      case WindowKind.MostPerKey: {
        const k = this.v![i]!;
        const c = this.counts!.get(k)!;
        if (c === 1) this.counts!.delete(k);
        else this.counts!.set(k, c - 1);
        this.bump(c, c - 1);
        return;
      }
      case WindowKind.RangeScan: {
        const k = this.v![i]!;
        const c = this.counts!.get(k)!;
        if (c > 1) return void this.counts!.set(k, c - 1);
        this.counts!.delete(k);
        const grp = this.g![i]!;
        const size = this.groups!.get(grp)!;
        if (size === 1) this.groups!.delete(grp);
        else this.groups!.set(grp, size - 1);
        this.bump(size, size - 1);
      }
    }
  }

  /** Moves one key (or group) from count `from` to count `to` in the histogram, keeping `max`. */
  private bump(from: number, to: number): void {
    const f = (this.freq ??= [0]);
    if (from > 0) f[from]!--;
    if (to > 0) f[to] = (f[to] ?? 0) + 1;
    if (to > this.max) this.max = to;
    while (this.max > 0 && !f[this.max]) this.max--;
  }
}

/** Removes the first `n` elements in place (no allocation, unlike splice). */
function dropFront(a: number[], n: number): void {
  a.copyWithin(0, n);
  a.length -= n;
}
