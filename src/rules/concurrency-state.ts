// Calls in progress at once for one `concurrent_calls` rule (CONTRACT §3), for ALL accounts of an engine. A
// `phase: start` event adds a live call and the end with the same id removes it; an end record with no start seen
// adds its interval [startedAt, end]. The value at a start is the calls in progress at that instant; at an end-only
// record, the most calls in progress at any instant of its interval. Live calls older than LIVE_MAX_MS and
// intervals that ended INTERVAL_KEEP_MS before the watermark are evicted (a longer call may miss older overlaps:
// documented). Pure.
// Storage: per account two lists of pairs in one row arena (row-arena.ts, stride 2): live calls (id, start) in
// arrival order and end-only intervals (start, end) sorted by end, each a region found through the account
// number's int32 fields (`meta`); an emptied list gives its region back. `opened` marks an account whose state for
// the rule exists (as a stored part lists it, even when empty), so parts come out as they did before the arena.
import { capOf, classFor, copy, RowArena } from './row-arena.js';

export const LIVE_MAX_MS = 6 * 3_600_000;
export const INTERVAL_KEEP_MS = 2 * 3_600_000;

export type ConcurrencySnapshot = [liveIds: number[], liveStarts: number[], starts: number[], ends: number[]];

// `meta` per account number: the live list's region (-1: none) and length in pairs, the intervals' region and
// length, then flags: the live list's class (bits 0-7), the intervals' class (8-15), opened (16).
const M = 5;
const LIVE = 0;
const IV = 2;
const AT = 0;
const LEN = 1;
const FLAGS = 4;
const OPENED = 1 << 16;
/** A new list's class: room for 2 pairs (a move saved for most lists, a pair's room lost for lists of one). */
const FIRST_CLASS = 1;

export class LiveCalls {
  arena = new RowArena(2);
  private meta = new Int32Array(0);
  private cap = 0;
  /** Whether an account has opened state for the rule: until then (a rule that never matched) no per-account fields. */
  private inUse = false;

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.cap = capacity;
    if (!this.inUse) return;
    const next = new Int32Array(capacity * M);
    next.set(this.meta);
    for (let o = this.meta.length; o < next.length; o += M) next[o + LIVE + AT] = next[o + IV + AT] = -1;
    this.meta = next;
  }

  /** Marks account `ix`'s state for the rule as existing (stored, even while empty). */
  open(ix: number): void {
    if (!this.inUse) {
      this.inUse = true;
      this.grow(this.cap);
    }
    this.meta[ix * M + FLAGS]! |= OPENED;
  }

  opened(ix: number): boolean {
    if (!this.inUse) return false;
    return (this.meta[ix * M + FLAGS]! & OPENED) !== 0;
  }

  /** A call set up at `t`: returns the calls in progress at `t`, itself included. */
  start(ix: number, id: number, t: number): number {
    this.append(ix, LIVE, id, t);
    return this.countAt(ix, t, t);
  }

  /** Removes the live call `id`; false when it was never seen starting. */
  end(ix: number, id: number): boolean {
    const o = ix * M + LIVE;
    const n = this.meta[o + LEN]!;
    if (n === 0) return false;
    const d = this.arena.chunk(this.meta[o + AT]!);
    const B = this.arena.base(this.meta[o + AT]!);
    for (let i = 0; i < n; i++) {
      if (d[B + 2 * i] === id) {
        this.cut(ix, LIVE, i, 1);
        return true;
      }
    }
    return false;
  }

  /** An end record with no start seen: adds [s, e] and returns the most calls in progress during it. */
  interval(ix: number, s: number, e: number): number {
    this.append(ix, IV, s, e);
    const o = ix * M + IV;
    const n = this.meta[o + LEN]!;
    const d = this.arena.chunk(this.meta[o + AT]!);
    const B = this.arena.base(this.meta[o + AT]!);
    let p = n - 1;
    while (p > 0 && d[B + 2 * (p - 1) + 1]! > e) p--;
    if (p < n - 1) {
      d.copyWithin(B + 2 * (p + 1), B + 2 * p, B + 2 * (n - 1));
      d[B + 2 * p] = s;
      d[B + 2 * p + 1] = e;
    }
    let best = this.countAt(ix, s, s);
    for (let j = n - 1; j >= 0 && d[B + 2 * j + 1]! >= s; j--) {
      const x = d[B + 2 * j]!;
      if (x > s && x <= e) best = Math.max(best, this.countAt(ix, x, s));
    }
    const ln = this.meta[ix * M + LIVE + LEN]!;
    if (ln > 0) {
      const at = this.meta[ix * M + LIVE + AT]!;
      const l = this.arena.chunk(at);
      const L = this.arena.base(at);
      for (let i = 0; i < ln; i++) {
        const x = l[L + 2 * i + 1]!;
        if (x > s && x <= e) best = Math.max(best, this.countAt(ix, x, s));
      }
    }
    return best;
  }

  evict(ix: number, watermark: number): void {
    const m = this.meta;
    const o = ix * M;
    let n = m[o + IV + LEN]!;
    if (n > 0) {
      const d = this.arena.chunk(m[o + IV + AT]!);
      const B = this.arena.base(m[o + IV + AT]!);
      let drop = 0;
      while (drop < n && d[B + 2 * drop + 1]! < watermark - INTERVAL_KEEP_MS) drop++;
      if (drop > 0) this.cut(ix, IV, 0, drop);
    }
    n = m[o + LIVE + LEN]!;
    for (let i = n - 1; i >= 0; i--) {
      const at = m[o + LIVE + AT]!;
      if (this.arena.chunk(at)[this.arena.base(at) + 2 * i + 1]! < watermark - LIVE_MAX_MS) this.cut(ix, LIVE, i, 1);
    }
  }

  snapshot(ix: number): ConcurrencySnapshot {
    const [a, b] = this.columns(ix, LIVE);
    const [c, d] = this.columns(ix, IV);
    return [a, b, c, d];
  }

  /** Gives account `ix` (with no state for the rule yet) a snapshot's state. */
  restore(ix: number, s: ConcurrencySnapshot): void {
    this.free(ix);
    this.open(ix);
    for (let i = 0; i < s[0].length; i++) this.append(ix, LIVE, s[0][i]!, s[1][i]!);
    for (let i = 0; i < s[2].length; i++) this.append(ix, IV, s[2][i]!, s[3][i]!);
  }

  free(ix: number): void {
    const m = this.meta;
    const o = ix * M;
    if (o >= m.length) return;
    for (let list = LIVE; list <= IV; list += IV - LIVE) {
      if (m[o + list + AT]! >= 0) this.arena.release(m[o + list + AT]!, this.cls(ix, list));
      m[o + list + AT] = -1;
      m[o + list + LEN] = 0;
    }
    m[o + FLAGS] = 0;
  }

  /** Estimated bytes account `ix` holds here: its meta fields and regions. */
  bytes(ix: number): number {
    const o = ix * M;
    if (o >= this.meta.length) return 0;
    let n = 4 * M;
    for (let list = LIVE; list <= IV; list += IV - LIVE) if (this.meta[o + list + AT]! >= 0) n += 16 * capOf(this.cls(ix, list));
    return n;
  }

  /** Calls in progress at instant x: intervals containing x (scanning ends >= floor) plus live calls started by x. */
  private countAt(ix: number, x: number, floor: number): number {
    const m = this.meta;
    const o = ix * M;
    let count = 0;
    const n = m[o + IV + LEN]!;
    if (n > 0) {
      const d = this.arena.chunk(m[o + IV + AT]!);
      const B = this.arena.base(m[o + IV + AT]!);
      for (let j = n - 1; j >= 0 && d[B + 2 * j + 1]! >= floor; j--) {
        if (d[B + 2 * j]! <= x && d[B + 2 * j + 1]! >= x) count++;
      }
    }
    const ln = m[o + LIVE + LEN]!;
    if (ln > 0) {
      const l = this.arena.chunk(m[o + LIVE + AT]!);
      const L = this.arena.base(m[o + LIVE + AT]!);
      for (let i = 0; i < ln; i++) if (l[L + 2 * i + 1]! <= x) count++;
    }
    return count;
  }

  private cls(ix: number, list: number): number {
    return (this.meta[ix * M + FLAGS]! >> (list === LIVE ? 0 : 8)) & 0xff;
  }

  private setCls(ix: number, list: number, c: number): void {
    const shift = list === LIVE ? 0 : 8;
    const o = ix * M + FLAGS;
    this.meta[o] = (this.meta[o]! & ~(0xff << shift)) | (c << shift);
  }

  /** Appends the pair (x, y) to a list of account `ix`, moving it to a larger region when full. */
  private append(ix: number, list: number, x: number, y: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const n = m[o + LEN]!;
    if (m[o + AT]! < 0) {
      m[o + AT] = this.arena.alloc(FIRST_CLASS);
      this.setCls(ix, list, FIRST_CLASS);
    } else if (n >= capOf(this.cls(ix, list))) {
      this.move(ix, list, classFor(n + 1));
      if (this.arena.sparse()) this.repack();
    }
    const at = m[o + AT]!;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    d[B + 2 * n] = x;
    d[B + 2 * n + 1] = y;
    m[o + LEN] = n + 1;
  }

  /** Removes `count` pairs at `i` of a list, keeping order; an emptied list gives its region back, a sparse one shrinks. */
  private cut(ix: number, list: number, i: number, count: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const n = m[o + LEN]! - count;
    const at = m[o + AT]!;
    if (n === 0) {
      this.arena.release(at, this.cls(ix, list));
      m[o + AT] = -1;
      m[o + LEN] = 0;
      return;
    }
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    d.copyWithin(B + 2 * i, B + 2 * (i + count), B + 2 * (n + count));
    m[o + LEN] = n;
    if (capOf(this.cls(ix, list)) > 4 * Math.max(2, n)) this.move(ix, list, classFor(2 * n));
  }

  private move(ix: number, list: number, c: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const from = m[o + AT]!;
    const to = this.arena.alloc(c);
    const B = this.arena.base(from);
    copy(this.arena.chunk(from), B, this.arena.chunk(to), this.arena.base(to), 2 * m[o + LEN]!);
    this.arena.release(from, this.cls(ix, list));
    m[o + AT] = to;
    this.setCls(ix, list, c);
  }

  /** Repacks when holes pass an eighth of the pairs in use (called at the engine's sweep). */
  compact(): void {
    if (this.arena.holey()) this.repack();
  }

  /** Moves every list into a fresh arena, packed, and drops the old one. */
  private repack(): void {
    const old = this.arena;
    const fresh = new RowArena(2, old.used + (old.used >> 3));
    const m = this.meta;
    for (let ix = 0; ix * M < m.length; ix++) {
      for (let list = LIVE; list <= IV; list += IV - LIVE) {
        const o = ix * M + list;
        const from = m[o + AT]!;
        if (from < 0) continue;
        const to = fresh.alloc(this.cls(ix, list));
        const B = old.base(from);
        copy(old.chunk(from), B, fresh.chunk(to), fresh.base(to), 2 * m[o + LEN]!);
        m[o + AT] = to;
      }
    }
    this.arena = fresh;
  }

  /** A list's pairs as two columns. */
  private columns(ix: number, list: number): [number[], number[]] {
    const o = ix * M + list;
    const n = this.meta[o + LEN]!;
    const a = new Array<number>(n);
    const b = new Array<number>(n);
    if (n > 0) {
      const d = this.arena.chunk(this.meta[o + AT]!);
      const B = this.arena.base(this.meta[o + AT]!);
      for (let i = 0; i < n; i++) {
        a[i] = d[B + 2 * i]!;
        b[i] = d[B + 2 * i + 1]!;
      }
    }
    return [a, b];
  }
}
