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
// Intervals are packed by packed-pairs.ts: (start, end) as two offsets from the store's base in one double's room
// while every interval fits, two doubles while one does not (an absurd event time, a fraction of a millisecond),
// until a sweep finds every interval fits again. Every time is kept exactly either way.
import { PackedPairs, type Layout } from './packed-pairs.js';
import { capOf, classFor, copy, growFields, RowArena, withRoom } from './row-arena.js';

export const LIVE_MAX_MS = 6 * 3_600_000;
export const INTERVAL_KEEP_MS = 2 * 3_600_000;

export type ConcurrencySnapshot = [liveIds: number[], liveStarts: number[], starts: number[], ends: number[]];

// `meta` per account number: the live list's region (-1: none) and its length in pairs (bits 0-23) with its class
// (24-30) and opened (31), then the intervals' region and length with class. A list holds at most 2^24 pairs (as a
// window log its rows). Four int32s, not five (a word of flags until branch `mem10`: -4 B an account).
const M = 4;
const LIVE = 0;
const IV = 2;
const AT = 0;
const LEN = 1;
const LEN_MASK = 0xffffff;
const MAX_PAIRS = LEN_MASK;
const CLS_SHIFT = 24;
const CLS_MASK = 0x7f;
const OPENED = 1 << 31;
/** A new list's class: room for 2 pairs (a move saved for most lists, a pair's room lost for lists of one). */
const FIRST_CLASS = 1;
const KIND = { twoTimes: true, zero: false, gap: 1 };

export class LiveCalls {
  arena = new RowArena(2);
  private meta = new Int32Array(0);
  private cap = 0;
  /** Whether an account has opened state for the rule: until then (a rule that never matched) no per-account fields. */
  private inUse = false;
  /** How the intervals are packed. */
  private pp = new PackedPairs(KIND);

  /** Whether the intervals are held wide (for tests). */
  get wideIntervals(): boolean {
    return this.pp.wide;
  }

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.cap = capacity;
    if (!this.inUse) return;
    this.meta = growFields(this.meta, capacity, M, LIVE + AT, IV + AT);
  }

  /** Marks account `ix`'s state for the rule as existing (stored, even while empty). */
  open(ix: number): void {
    if (!this.inUse) {
      this.inUse = true;
      this.grow(this.cap);
    }
    this.meta[ix * M + LIVE + LEN]! |= OPENED;
  }

  opened(ix: number): boolean {
    if (!this.inUse) return false;
    return (this.meta[ix * M + LIVE + LEN]! & OPENED) !== 0;
  }

  /** A call set up at `t`: returns the calls in progress at `t`, itself included. */
  start(ix: number, id: number, t: number): number {
    this.append(ix, LIVE, id, t);
    return this.countAt(ix, t, t);
  }

  /** Removes the live call `id`; false when it was never seen starting. */
  end(ix: number, id: number): boolean {
    const o = ix * M + LIVE;
    const n = this.meta[o + LEN]! & LEN_MASK;
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

  /** Whether account `ix` has live calls (none: `end` is false, and the caller need not hash the record's id). */
  hasLive(ix: number): boolean {
    return (this.meta[ix * M + LIVE + LEN]! & LEN_MASK) !== 0;
  }

  /** An end record with no start seen: adds [s, e] and returns the most calls in progress during it. */
  interval(ix: number, s: number, e: number): number {
    if (!this.pp.wide && !this.pp.fits(s, e)) this.relayout({ wide: true, base: this.pp.base });
    this.append(ix, IV, s, e);
    if (this.pp.wide || (this.meta[ix * M + LIVE + LEN]! & LEN_MASK) !== 0) return this.intervalSlow(ix, s, e);
    // narrow intervals and no live calls (every end-only record of ordinary traffic): the same sums as intervalSlow,
    // read straight from the packed words (interval j: end at word W + 2j, start at W + 2j + 1, offsets from `base`)
    const o = ix * M + IV;
    const n = this.meta[o + LEN]! & LEN_MASK;
    const at = this.meta[o + AT]!;
    const w = this.arena.words(at);
    const W = 2 * this.arena.base(at);
    const base = this.pp.base;
    // sorted by end: the new interval (appended last) moves down past the ends greater than e
    let p = n - 1;
    while (p > 0 && base + w[W + 2 * (p - 1)]! > e) p--;
    if (p < n - 1) {
      const e0 = w[W + 2 * (n - 1)]!;
      const s0 = w[W + 2 * (n - 1) + 1]!;
      for (let j = 2 * (n - 1) - 1; j >= 2 * p; j--) w[W + j + 2] = w[W + j]!;
      w[W + 2 * p] = e0;
      w[W + 2 * p + 1] = s0;
    }
    // the intervals ending at or after s (q..n-1) are the only ones a point of [s, e] can be in; the count rises
    // only at s and at their starts inside (s, e]
    let best = 0;
    let q = n - 1;
    for (; q >= 0; q--) {
      if (base + w[W + 2 * q]! < s) break;
      if (base + w[W + 2 * q + 1]! <= s) best++;
    }
    q++;
    for (let j = n - 1; j >= q; j--) {
      const x = base + w[W + 2 * j + 1]!;
      if (!(x > s && x <= e)) continue;
      let count = 0;
      for (let i = n - 1; i >= q; i--) if (base + w[W + 2 * i + 1]! <= x && base + w[W + 2 * i]! >= x) count++;
      if (count > best) best = count;
    }
    return best;
  }

  /** `interval` after the append, for wide intervals or an account with live calls (and the oracle of the fast path). */
  private intervalSlow(ix: number, s: number, e: number): number {
    const o = ix * M + IV;
    const n = this.meta[o + LEN]! & LEN_MASK;
    const at = this.meta[o + AT]!;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    let p = n - 1;
    while (p > 0 && this.ivEnd(d, w, B, p - 1) > e) p--;
    if (p < n - 1) {
      const k = this.pp.wide ? 2 : 1;
      d.copyWithin(B + k * (p + 1), B + k * p, B + k * (n - 1));
      this.setIv(d, w, B, p, s, e);
    }
    let best = this.countAt(ix, s, s);
    for (let j = n - 1; j >= 0 && this.ivEnd(d, w, B, j) >= s; j--) {
      const x = this.ivStart(d, w, B, j);
      if (x > s && x <= e) best = Math.max(best, this.countAt(ix, x, s));
    }
    const ln = this.meta[ix * M + LIVE + LEN]! & LEN_MASK;
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
    let n = m[o + IV + LEN]! & LEN_MASK;
    if (n > 0) {
      const at = m[o + IV + AT]!;
      const before = watermark - INTERVAL_KEEP_MS;
      let drop = 0;
      if (this.pp.wide) {
        const d = this.arena.chunk(at);
        const B = this.arena.base(at);
        while (drop < n && this.ivEnd(d, this.arena.words(at), B, drop) < before) drop++;
      } else {
        // narrow: interval j's end is `base` + the int32 at word 2 x (B + j)
        const w = this.arena.words(at);
        const W = 2 * this.arena.base(at);
        const base = this.pp.base;
        while (drop < n && base + w[W + 2 * drop]! < before) drop++;
      }
      if (drop > 0) this.cut(ix, IV, 0, drop);
    }
    n = m[o + LIVE + LEN]! & LEN_MASK;
    if (n === 0) return;
    const before = watermark - LIVE_MAX_MS;
    for (let i = n - 1; i >= 0; i--) {
      const at = m[o + LIVE + AT]!;
      if (this.arena.chunk(at)[this.arena.base(at) + 2 * i + 1]! < before) this.cut(ix, LIVE, i, 1);
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
    for (let i = 0; i < s[2].length; i++) {
      if (!this.pp.wide && !this.pp.fits(s[2][i]!, s[3][i]!)) this.relayout({ wide: true, base: this.pp.base });
      this.append(ix, IV, s[2][i]!, s[3][i]!);
    }
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
  }

  /** Bytes of fields per account number (none while no account has opened state for the rule). */
  fieldBytesPerNumber(): number {
    return this.inUse ? 4 * M : 0;
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
    const n = m[o + IV + LEN]! & LEN_MASK;
    if (n > 0) {
      const at = m[o + IV + AT]!;
      const d = this.arena.chunk(at);
      const w = this.arena.words(at);
      const B = this.arena.base(at);
      for (let j = n - 1; j >= 0; j--) {
        const e = this.ivEnd(d, w, B, j);
        if (e < floor) break;
        if (this.ivStart(d, w, B, j) <= x && e >= x) count++;
      }
    }
    const ln = m[o + LIVE + LEN]! & LEN_MASK;
    if (ln > 0) {
      const l = this.arena.chunk(m[o + LIVE + AT]!);
      const L = this.arena.base(m[o + LIVE + AT]!);
      for (let i = 0; i < ln; i++) if (l[L + 2 * i + 1]! <= x) count++;
    }
    return count;
  }

  private cls(ix: number, list: number): number {
    return (this.meta[ix * M + list + LEN]! >>> CLS_SHIFT) & CLS_MASK;
  }

  private setCls(ix: number, list: number, c: number): void {
    const o = ix * M + list + LEN;
    this.meta[o] = (this.meta[o]! & ~(CLS_MASK << CLS_SHIFT)) | (c << CLS_SHIFT);
  }

  /** Arena rows (two doubles each) that `n` pairs of a list take. */
  private rowsFor(list: number, n: number): number {
    return list === IV && !this.pp.wide ? (n + 1) >> 1 : n;
  }

  /** Doubles that `n` pairs of a list take. */
  private doublesFor(list: number, n: number): number {
    return list === IV && !this.pp.wide ? n : 2 * n;
  }

  private ivStart(d: Float64Array, w: Int32Array, B: number, j: number): number {
    return this.pp.time(d, w, B + this.doublesFor(IV, j));
  }

  private ivEnd(d: Float64Array, w: Int32Array, B: number, j: number): number {
    return this.pp.partner(d, w, B + this.doublesFor(IV, j));
  }

  /** Writes interval `j` (narrow: it fits, `fits` said so). */
  private setIv(d: Float64Array, w: Int32Array, B: number, j: number, s: number, e: number): void {
    this.pp.put(d, w, B + this.doublesFor(IV, j), s, e);
  }

  /** Appends the pair (x, y) to a list of account `ix`, moving it to a larger region when full. */
  private append(ix: number, list: number, x: number, y: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const n = m[o + LEN]! & LEN_MASK;
    if (m[o + AT]! < 0) {
      m[o + AT] = this.arena.alloc(FIRST_CLASS);
      this.setCls(ix, list, FIRST_CLASS);
    } else if (this.rowsFor(list, n + 1) > capOf(this.cls(ix, list))) {
      this.move(ix, list, classFor(this.rowsFor(list, n + 1)));
      if (this.arena.sparse()) this.slide();
    }
    const at = m[o + AT]!;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    if (list === IV) this.setIv(d, this.arena.words(at), B, n, x, y);
    else {
      d[B + 2 * n] = x;
      d[B + 2 * n + 1] = y;
    }
    if (n + 1 > MAX_PAIRS) throw new Error(`a concurrent_calls list of one account past ${MAX_PAIRS} calls`);
    m[o + LEN] = (m[o + LEN]! & ~LEN_MASK) | (n + 1);
  }

  /** Removes `count` pairs at `i` of a list, keeping order; an emptied list gives its region back, a sparse one shrinks. */
  private cut(ix: number, list: number, i: number, count: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const n = (m[o + LEN]! & LEN_MASK) - count;
    const at = m[o + AT]!;
    if (n === 0) {
      this.arena.release(at, this.cls(ix, list));
      m[o + AT] = -1;
      // (the live list's field keeps `opened`)
      m[o + LEN]! &= OPENED;
      return;
    }
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    const k = this.doublesFor(list, 1);
    // most lists are short: a loop, as the builtin's call costs more than such a copy
    if (k * (n - i) > 64) d.copyWithin(B + k * i, B + k * (i + count), B + k * (n + count));
    else for (let j = B + k * i, end = B + k * n, shift = k * count; j < end; j++) d[j] = d[j + shift]!;
    m[o + LEN] = (m[o + LEN]! & ~LEN_MASK) | n;
    const rows = this.rowsFor(list, n);
    if (capOf(this.cls(ix, list)) > 4 * Math.max(2, rows)) this.move(ix, list, classFor(2 * rows));
  }

  private move(ix: number, list: number, c: number): void {
    const m = this.meta;
    const o = ix * M + list;
    const from = m[o + AT]!;
    const to = this.arena.alloc(c);
    const B = this.arena.base(from);
    copy(this.arena.chunk(from), B, this.arena.chunk(to), this.arena.base(to), this.doublesFor(list, m[o + LEN]! & LEN_MASK));
    this.arena.release(from, this.cls(ix, list));
    m[o + AT] = to;
    this.setCls(ix, list, c);
  }

  /**
   * Called at the engine's sweep: moves `base` up when narrow offsets pass half the limit, goes back to narrow
   * intervals when every one fits again, else compacts in place when holes pass a sixteenth of the pairs in use.
   */
  compact(): void {
    const next = this.pp.relayout((fn) => {
      const m = this.meta;
      for (let o = 0; o < m.length; o += M) {
        const n = m[o + IV + LEN]! & LEN_MASK;
        if (n === 0) continue;
        const at = m[o + IV + AT]!;
        const d = this.arena.chunk(at);
        const w = this.arena.words(at);
        const B = this.arena.base(at);
        for (let j = 0; j < n; j++) fn(this.ivStart(d, w, B, j), this.ivEnd(d, w, B, j));
      }
    });
    if (next) this.relayout(next);
    else if (this.arena.holey()) this.slide(false);
  }

  /**
   * Slides the lists down over the arena's holes, in place: every chunk, or the sweep's run of them (RowArena.slide);
   * an account's live calls and intervals are keys 2ix and 2ix+1.
   */
  private slide(whole = true): void {
    const m = this.meta;
    const arena = this.arena;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix * M < m.length; ix++) {
          if (m[ix * M + LIVE + AT]! >= 0) order.add(m[ix * M + LIVE + AT]!, 2 * capOf(this.cls(ix, LIVE)), 2 * ix);
          if (m[ix * M + IV + AT]! >= 0) order.add(m[ix * M + IV + AT]!, 2 * capOf(this.cls(ix, IV)), 2 * ix + 1);
        }
      },
      (key, from, to) => {
        if (from === to) return;
        const list = (key & 1) === 0 ? LIVE : IV;
        const o = (key >> 1) * M + list;
        copy(arena.chunk(from), arena.base(from), arena.chunk(to), arena.base(to), this.doublesFor(list, m[o + LEN]! & LEN_MASK));
        m[o + AT] = to;
      },
    );
  }

  /**
   * Moves every list into a fresh arena, packed, with the intervals in `layout` (narrow: every interval must fit),
   * and drops the old one.
   */
  private relayout(layout: Layout): void {
    const old = this.arena;
    const fresh = new RowArena(2, withRoom(old.used));
    const m = this.meta;
    const from = this.pp;
    const to = from.to(layout);
    for (let ix = 0; ix * M < m.length; ix++) {
      for (let list = LIVE; list <= IV; list += IV - LIVE) {
        const o = ix * M + list;
        const at = m[o + AT]!;
        if (at < 0) continue;
        const n = m[o + LEN]! & LEN_MASK;
        const B = old.base(at);
        if (list === LIVE || to === from) {
          const r = fresh.alloc(this.cls(ix, list));
          copy(old.chunk(at), B, fresh.chunk(r), fresh.base(r), this.doublesFor(list, n));
          m[o + AT] = r;
          continue;
        }
        const c = classFor(to.wide ? n : (n + 1) >> 1);
        const r = fresh.alloc(c);
        const d = old.chunk(at);
        const w = old.words(at);
        const T = fresh.base(r);
        const k = from.wide ? 2 : 1;
        const kt = to.wide ? 2 : 1;
        for (let j = 0; j < n; j++) to.put(fresh.chunk(r), fresh.words(r), T + kt * j, from.time(d, w, B + k * j), from.partner(d, w, B + k * j));
        m[o + AT] = r;
        this.setCls(ix, list, c);
      }
    }
    this.pp = to;
    this.arena = fresh;
  }

  /** A list's pairs as two columns. */
  private columns(ix: number, list: number): [number[], number[]] {
    const o = ix * M + list;
    const n = this.meta[o + LEN]! & LEN_MASK;
    const a = new Array<number>(n);
    const b = new Array<number>(n);
    if (n > 0) {
      const at = this.meta[o + AT]!;
      const d = this.arena.chunk(at);
      const w = this.arena.words(at);
      const B = this.arena.base(at);
      for (let i = 0; i < n; i++) {
        a[i] = list === IV ? this.ivStart(d, w, B, i) : d[B + 2 * i]!;
        b[i] = list === IV ? this.ivEnd(d, w, B, i) : d[B + 2 * i + 1]!;
      }
    }
    return [a, b];
  }
}
