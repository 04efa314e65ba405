// The dedupe horizon: hash(id, phase) -> event time, in an open-addressing table of three columns (10 bytes a slot,
// ~12.5-15.4 an entry at the load factor used, against ~80 for a Map of boxed numbers): a key (an integer below 2^53,
// as hash53 makes them) is split into its low 32 bits (`k0`, which a probe reads) and its high 21 bits (`k1`, top
// bits), so the key is kept whole and compared whole; its event time is kept as a whole number of milliseconds
// after the table's `base`, its low 11 bits in `k1` beside the key's and the rest in `tt` (uint16: offsets below
// ~37.3 hours, which a compact table holds; uint32 in a wide one, for horizons past that: 12 bytes a slot, as
// before). A time that does not fit (before `base`, past the offsets a slot holds, or not whole) is marked FAR in
// its slot and kept exactly in `far`, so every time is kept exactly (below 2^53 ms: past it `base + offset` rounds in
// doubles; no Date gets there, and the decoder's times stay under 8.64e15); a key that is not an integer in
// [0, 2^53) (never one of hash53's) is kept in `odd`, a Map. `base` is set by the first insert, `horizonMs` before it,
// and moved up to a sweep's threshold once that is `rebaseAfter` past it (or by a sweep that deletes or rebuilds),
// the FAR times that then fit packed again: the engine takes no event older than its sweeps' threshold
// (fraud-engine.ts, LATE), so a compact table whose horizon (the engine's dedupe horizon and a sweep's interval) is
// well under the span marks nothing FAR but a time past a jump of the clock, until the next sweep. Until branch
// `mem10` a slot was the key as a double and a uint32 time (12 bytes). Entries are only removed by a sweep: by
// rebuilding a table grown oversized, else in place by backward-shift deletion, so no tombstones are needed. Pure.
//
// Sizes (issue 17 item 1, branch `dedupe`): a capacity is any whole number of slots, not a power of two; a key's
// home slot is the high part of (its low 32 bits x capacity) ("fastrange", exact in doubles). The table grows when
// an insert would pass MAX_LOAD, to the capacity that holds its entries at LOAD_AFTER, and a sweep that rebuilds it
// sizes it the same way, so the load stays between 0.65 and 0.8 (0.6-0.75 until branch `mem11`; before: powers of
// two, grown at 1/2 to 1/4 and rebuilt by a sweep to 1/6-1/3, which on a steady day, when every sweep expires
// entries, was 36-72 B a key).
//
// Resizing is incremental (issue 17, decision latency): a grow or a sweep allocates the new table and moves the old
// one's slots some at a time, on later inserts, instead of rehashing every entry in one step (at 1,000,000 entries
// that step held the event loop for tens of milliseconds). While a move is under way there are two tables: `slots`,
// which takes every insert, and `old`, read-only, whose slots before `moveAt` are already copied into `slots` (they
// stay in `old` too, so a probe of `old` is never cut short) and whose entries older than `oldBefore` are swept (not
// copied, and not found). A key is in the table when `slots` has it or `old` has it with a time >= `oldBefore`; the
// two never hold different times for one key (keys are only added when absent from both). `size` counts the live
// entries of both, each once. Each insert moves `step` old slots, chosen so the move ends within a sixteenth of the
// inserts left before the next grow; a grow or sweep that comes first finishes the move at once.

import { capacityFor, homeOf, limitOf, MIN_CAPACITY, scaleOf } from './table-sizing.js';

// The sizing rules are shared with id-index.ts (table-sizing.ts); re-exported for the tests that check them here.
export { capacityFor, homeOf, scaleOf } from './table-sizing.js';

const TWO32 = 4294967296;
/** Keys are integers below this (hash53's: 21 bits above the low 32). */
const KEY_END = 2 ** 53;
/** A time offset's low bits held in `k1`, under the key's high 21 bits. */
const LOW = 2048;
const LOW_MASK = LOW - 1;
/** The offsets a compact slot holds (uint16 `tt` below its two marks): ~37.3 hours. */
export const COMPACT_SPAN = 0xfffe * LOW;
/** A compact table only for horizons at least this far under its span. */
const COMPACT_ROOM = 3_600_000;
/** `base` below a first time in a wide table: room for times a little before it (late records, restored parts). */
const BACK = 2 ** 31;
/** Old slots moved per insert, at least. */
const MIN_STEP = 16;
/** A move ends within 1/MOVE_WITHIN of the inserts before the next grow. */
const MOVE_WITHIN = 16;

type Tops = Uint16Array | Uint32Array;

/**
 * The least slot top `v` (below `far`) whose time, `from + v x LOW + low` as the table computes it, is at or after
 * `before` whatever its low bits (a sum of doubles rises with each term): slots of that top or more are live with no
 * read of their low bits (branch `keep6`); `far` when none is sure (no base yet, or the threshold past the span).
 */
function liveTop(from: number, before: number, far: number): number {
  let x = Math.min(far, Math.max(0, Math.ceil((before - from) / LOW)));
  if (Number.isNaN(x)) return far;
  while (x > 0 && from + (x - 1) * LOW >= before) x--;
  while (x < far && !(from + x * LOW >= before)) x++;
  return x;
}

/** Whether `key` is held in the slots (an integer in [0, 2^53)); else in `odd`. */
function slotted(key: number): boolean {
  return key >= 0 && key < KEY_END && Math.floor(key) === key;
}

export class DedupeTable {
  /**
   * Slot i: key's low 32 bits at k0[i]; its high 21 bits in k1[i]'s top bits, over the time offset's low 11 bits;
   * the offset's other bits at tt[i] (EMPTY: no entry; FAR: time at far.get(key)). Time = base + tt x 2048 + low.
   */
  private k0: Uint32Array;
  private k1: Uint32Array;
  private tt: Tops;
  private base = Number.NaN;
  /** The marks of an empty slot and of a FAR time in `tt`, and the offsets a slot holds (below `span`). */
  private readonly EMPTY: number;
  private readonly FAR: number;
  private readonly span: number;
  /** How far below the first time `base` is set. */
  private readonly back: number;
  /** Bytes a slot takes. */
  readonly slotBytes: number;
  /** Slots of `k0`, and the entries it holds before it grows. */
  private cap: number;
  private scale: number;
  private limit: number;
  /** The table being moved out of (null: none), its columns and base, the next of its slots to move and its sweep threshold. */
  private old: Uint32Array | null = null;
  private oldK1: Uint32Array = new Uint32Array(0);
  private oldTt: Tops = new Uint16Array(0);
  private oldBase = 0;
  private oldCap = 0;
  private oldScale = 0;
  private moveAt = 0;
  private oldBefore = Number.NEGATIVE_INFINITY;
  private step = MIN_STEP;
  /** Exact times of the slots marked FAR (in either table), by key. */
  private readonly far = new Map<number, number>();
  /** Keys that are not integers in [0, 2^53), with their times (never hash53's). */
  private readonly odd = new Map<number, number>();
  /** Entries in the slots (of both tables, each once). */
  private n = 0;
  /** No entry in the slots is older than this: every time written lowers it, every sweep raises it to its threshold. */
  private low = Number.POSITIVE_INFINITY;
  /** A sweep moves `base` up once its threshold is this far past it (a quarter of the span left over the horizon). */
  private readonly rebaseAfter: number;

  /**
   * `horizonMs`: how far apart in event time the entries held at once may be (the engine's dedupe horizon and a
   * sweep's interval); a table for a horizon well under COMPACT_SPAN takes 10 bytes a slot, else 12.
   */
  constructor(capacity = 1024, horizonMs = Number.POSITIVE_INFINITY) {
    const compact = horizonMs >= 0 && horizonMs + COMPACT_ROOM <= COMPACT_SPAN;
    this.EMPTY = compact ? 0xffff : 0xffffffff;
    this.FAR = this.EMPTY - 1;
    this.span = this.FAR * LOW;
    this.back = compact ? Math.ceil(horizonMs) : BACK;
    this.rebaseAfter = (this.span - this.back) / 4;
    this.slotBytes = compact ? 10 : 12;
    const cap = Math.max(MIN_CAPACITY, Math.ceil(capacity));
    this.k0 = new Uint32Array(cap);
    this.k1 = new Uint32Array(cap);
    this.tt = this.emptyTops(cap);
    this.cap = cap;
    this.scale = scaleOf(cap);
    this.limit = limitOf(cap);
  }

  /** Slots of the table taking inserts (for tests). */
  get capacity(): number {
    return this.cap;
  }

  /** Whether slots take 10 bytes (for tests). */
  get compact(): boolean {
    return this.slotBytes === 10;
  }

  /** Live entries. */
  get size(): number {
    return this.n + this.odd.size;
  }

  has(key: number): boolean {
    if (!slotted(key)) return this.odd.has(key);
    const lo = key >>> 0;
    const hi = (key - lo) / TWO32;
    if (this.find(this.k0, this.k1, this.tt, this.cap, this.scale, key, lo, hi) >= 0) return true;
    return this.old !== null && this.inOld(key, lo, hi);
  }

  /** The key's event time, or NaN when it is not in the table (never added, or swept). */
  timeOf(key: number): number {
    if (!slotted(key)) return this.odd.get(key) ?? Number.NaN;
    const lo = key >>> 0;
    const hi = (key - lo) / TWO32;
    const i = this.find(this.k0, this.k1, this.tt, this.cap, this.scale, key, lo, hi);
    if (i >= 0) return this.timeAt(this.k0, this.k1, this.tt, this.base, i);
    if (this.old === null) return Number.NaN;
    const j = this.find(this.old, this.oldK1, this.oldTt, this.oldCap, this.oldScale, key, lo, hi);
    if (j < 0) return Number.NaN;
    const t = this.timeAt(this.old, this.oldK1, this.oldTt, this.oldBase, j);
    return t >= this.oldBefore ? t : Number.NaN;
  }

  /** Adds a key that is not present (callers check `has` first). */
  add(key: number, time: number): void {
    if (!slotted(key)) {
      this.odd.set(key, time);
      return;
    }
    this.beforeInsert();
    this.insert(key, time);
    this.n++;
  }

  /** `has` then `add` in one probe: false (and nothing added) when the key is present. */
  addIfAbsent(key: number, time: number): boolean {
    if (!slotted(key)) {
      if (this.odd.has(key)) return false;
      this.odd.set(key, time);
      return true;
    }
    this.beforeInsert();
    const lo = key >>> 0;
    const hi = (key - lo) / TWO32;
    const k0 = this.k0;
    const k1 = this.k1;
    const tt = this.tt;
    const E = this.EMPTY;
    const cap = this.cap;
    let i = homeOf(key, this.scale);
    for (; ;) {
      if (tt[i] === E) break;
      if (k0[i] === lo && k1[i]! >>> 11 === hi) return false;
      if (++i === cap) i = 0;
    }
    if (this.old !== null && this.inOld(key, lo, hi)) return false;
    k0[i] = lo;
    this.setTime(i, key, hi, time);
    this.n++;
    return true;
  }

  /**
   * Drops every entry older than `before`. `base` moves up to it when the room above `base` runs short (a quarter of
   * the room a compact table has past its horizon; a wide table's is ~139 years), or as part of a pass that deletes or
   * rebuilds. When no entry can be older than `before` (`low`), all are live and the count needs no pass over the
   * slots (nor does the rest, unless the table is oversized): until 2 December 2026 every sweep made one pass to count the live entries and another to move
   * `base`, which on the ingest bench's 11 hours of traffic (nothing expires within a 24 h horizon) was ~3.5% of the
   * process's CPU.
   */
  sweep(before: number): void {
    this.finishMove();
    for (const [k, t] of this.odd) if (t < before) this.odd.delete(k);
    // no entry is older than `low`: all are live, with no pass over the slots
    const live = before <= this.low ? this.n : this.liveFrom(before);
    const cap = capacityFor(live);
    // Nothing expired and the table is not oversized: the same contents, so skip the move.
    if (live === this.n && this.cap <= 2 * cap) this.rebaseIfShort(before);
    // Still half full after it: the expired entries are deleted in place, with no second table (a steady day expires
    // ~1% of the entries at each sweep; a move there never finished before the next sweep, so two tables were held
    // throughout), and `base` moves up in the same pass. Else the table is rebuilt at LOAD_AFTER (its base the
    // threshold).
    else if (live * 2 >= this.cap && Number.isFinite(before)) this.deleteBefore(before, live);
    else this.startMove(cap, before, live);
    // every entry left is at or after `before`
    if (before > this.low) this.low = before;
    for (const [k, t] of this.far) if (t < before) this.far.delete(k);
  }

  /** Moves `base` up to `before` once `before` is `rebaseAfter` or more past it (so the room above `base` stays large). */
  private rebaseIfShort(before: number): void {
    if (before - this.base >= this.rebaseAfter) this.rebase(before);
  }

  /** Entries of the slots with a time at or after `before` (one pass over the columns, times read in place). */
  private liveFrom(before: number): number {
    const k0 = this.k0;
    const k1 = this.k1;
    const tt = this.tt;
    const { EMPTY, FAR } = this;
    const base = this.base;
    let live = 0;
    const sure = liveTop(base, before, FAR);
    for (let i = 0; i < this.cap; i++) {
      const v = tt[i]!;
      if (v < FAR && v >= sure) {
        live++;
        continue;
      }
      if (v === EMPTY) continue;
      // as timeAt reads it
      const t = v === FAR ? this.far.get(this.keyAt(k0, k1, i))! : base + v * LOW + (k1[i]! & LOW_MASK);
      if (t >= before) live++;
    }
    return live;
  }

  /**
   * Moves `base` up to `before` (every entry is at or after it): the offsets shrink, and the FAR times that now fit
   * are packed into their slots again.
   */
  private rebase(before: number): void {
    const to = Math.floor(before);
    if (!(to > this.base)) return;
    const from = this.base;
    this.base = to;
    for (let i = 0; i < this.cap; i++) this.rebaseSlot(i, from, to);
    this.packFar(to);
  }

  /**
   * Slot `i`, its time counted from `from`, counted from `to` (the table's `base` now), as setTime writes it: packed
   * when it fits (it does for every entry at or after `to` within the span), else FAR. Empty and FAR slots stay.
   */
  private rebaseSlot(i: number, from: number, to: number): void {
    const v = this.tt[i]!;
    if (v === this.EMPTY || v === this.FAR) return;
    const k1 = this.k1;
    const x = k1[i]!;
    // (never below 0: every entry is at or after `before`; kept exactly all the same)
    const off = from + v * LOW + (x & LOW_MASK) - to;
    if ((off | 0) === off && off >= 0 && off < this.span) {
      // a whole number below 2^31 (times are counted from whole bases; a wide table's span is larger): split by
      // integer ops (branch `keep6`)
      k1[i] = (x >>> 11) * LOW + (off & LOW_MASK);
      this.tt[i] = off >>> 11;
    } else if (off >= 0 && off < this.span) {
      const top = Math.floor(off / LOW);
      k1[i] = (x >>> 11) * LOW + (off - top * LOW);
      this.tt[i] = top;
    } else {
      const base = this.base;
      this.base = to;
      this.setTime(i, this.keyAt(this.k0, k1, i), x >>> 11, from + v * LOW + (x & LOW_MASK));
      this.base = base;
    }
  }

  /** Packs the FAR times that fit from `base` `to` into their slots again. */
  private packFar(to: number): void {
    for (const [key, t] of this.far) {
      if (!this.fits(t - to)) continue;
      const lo = key >>> 0;
      const hi = (key - lo) / TWO32;
      const i = this.find(this.k0, this.k1, this.tt, this.cap, this.scale, key, lo, hi);
      if (i >= 0) this.setTime(i, key, hi, t);
    }
  }

  /**
   * Deletes every entry older than `before` in place (backward-shift deletion: no tombstones) and moves `base` up to
   * it (as rebase, in the same pass). The scan starts after an empty slot, so no cluster wraps past its start: a
   * deletion moves only entries not scanned yet into the hole, and the slot is looked at again; a slot is rebased
   * once settled (nothing moves into a scanned slot), and the slots not scanned yet are read from the old base.
   */
  private deleteBefore(before: number, live: number): void {
    const k0 = this.k0;
    const k1 = this.k1;
    const tt = this.tt;
    const { EMPTY, FAR } = this;
    const cap = this.cap;
    const from = this.base;
    const to = Math.floor(before);
    const rebasing = to > from;
    let e = 0;
    while (tt[e] !== EMPTY) e++;
    const sure = liveTop(from, before, FAR);
    for (let q = 1, p = e + 1 === cap ? 0 : e + 1; q <= cap; q++, p = p + 1 === cap ? 0 : p + 1) {
      for (;;) {
        const v = tt[p]!;
        if (v < FAR && v >= sure) break;
        if (v === EMPTY) break;
        const t = v === FAR ? this.far.get(this.keyAt(k0, k1, p))! : from + v * LOW + (k1[p]! & LOW_MASK);
        if (t >= before) break;
        this.deleteAt(p);
      }
      if (rebasing) this.rebaseSlot(p, from, to);
    }
    this.n = live;
    if (rebasing) {
      this.base = to;
      this.packFar(to);
    }
  }

  /** Empties slot `i`, moving later entries of its cluster back into the hole where their home allows. */
  private deleteAt(i: number): void {
    const k0 = this.k0;
    const k1 = this.k1;
    const tt = this.tt;
    const E = this.EMPTY;
    const cap = this.cap;
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      if (tt[j] === E) break;
      const h = homeOf(k0[j]!, this.scale);
      // stays when its home is cyclically in (i, j]: the hole is not on its probe path
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      k0[i] = k0[j]!;
      k1[i] = k1[j]!;
      tt[i] = tt[j]!;
      i = j;
    }
    tt[i] = E;
  }

  /** [key, time] pairs sorted by key, so equal contents serialise equally. */
  entries(): number[] {
    const pairs: [number, number][] = [...this.odd];
    const E = this.EMPTY;
    for (let i = 0; i < this.cap; i++) {
      if (this.tt[i] === E) continue;
      const key = this.keyAt(this.k0, this.k1, i);
      pairs.push([key, this.timeAt(this.k0, this.k1, this.tt, this.base, i)]);
    }
    const o = this.old;
    if (o !== null) {
      for (let i = this.moveAt; i < this.oldCap; i++) {
        if (this.oldTt[i] === E) continue;
        const key = this.keyAt(o, this.oldK1, i);
        const t = this.timeAt(o, this.oldK1, this.oldTt, this.oldBase, i);
        if (t >= this.oldBefore) pairs.push([key, t]);
      }
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [k, t] of pairs) out.push(k, t);
    return out;
  }

  /** Whether a move is under way (for tests). */
  get moving(): boolean {
    return this.old !== null;
  }

  /** Array-buffer bytes of the table (and of the one being moved out of). */
  bytes(): number {
    let n = this.k0.byteLength + this.k1.byteLength + this.tt.byteLength;
    if (this.old !== null) n += this.old.byteLength + this.oldK1.byteLength + this.oldTt.byteLength;
    return n;
  }

  /** The slot of `key` (low 32 bits `lo`, the rest `hi`) in the given columns, or -1. */
  private find(k0: Uint32Array, k1: Uint32Array, tt: Tops, cap: number, scale: number, key: number, lo: number, hi: number): number {
    const E = this.EMPTY;
    for (let i = homeOf(key, scale); ; ) {
      if (tt[i] === E) return -1;
      if (k0[i] === lo && k1[i]! >>> 11 === hi) return i;
      if (++i === cap) i = 0;
    }
  }

  private keyAt(k0: Uint32Array, k1: Uint32Array, i: number): number {
    return (k1[i]! >>> 11) * TWO32 + k0[i]!;
  }

  private timeAt(k0: Uint32Array, k1: Uint32Array, tt: Tops, base: number, i: number): number {
    const v = tt[i]!;
    return v === this.FAR ? this.far.get(this.keyAt(k0, k1, i))! : base + v * LOW + (k1[i]! & LOW_MASK);
  }

  private fits(off: number): boolean {
    return off >= 0 && off < this.span && Number.isInteger(off);
  }

  /** Writes slot `i`'s key high bits `hi` and time (its low key bits are the caller's). */
  private setTime(i: number, key: number, hi: number, time: number): void {
    if (Number.isNaN(this.base)) this.base = Number.isFinite(time) ? Math.floor(time) - this.back : 0;
    if (!(time >= this.low)) this.low = Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
    const off = time - this.base;
    // the common offset, a whole number in [0, span) (span < 2^31): its top and low bits by integer ops, as the
    // division below gives them (branch `keep6`)
    if ((off | 0) === off && off >= 0 && off < this.span) {
      this.k1[i] = hi * LOW + (off & LOW_MASK);
      this.tt[i] = off >>> 11;
      if (this.far.size > 0) this.far.delete(key);
    } else if (this.fits(off)) {
      const top = Math.floor(off / LOW);
      this.k1[i] = hi * LOW + (off - top * LOW);
      this.tt[i] = top;
      if (this.far.size > 0) this.far.delete(key);
    } else {
      this.k1[i] = hi * LOW;
      this.tt[i] = this.FAR;
      this.far.set(key, time);
    }
  }

  private inOld(key: number, lo: number, hi: number): boolean {
    const i = this.find(this.old!, this.oldK1, this.oldTt, this.oldCap, this.oldScale, key, lo, hi);
    return i >= 0 && this.timeAt(this.old!, this.oldK1, this.oldTt, this.oldBase, i) >= this.oldBefore;
  }

  /** Grows when the insert would pass MAX_LOAD; else moves the next few old slots. */
  private beforeInsert(): void {
    if (this.n + 1 > this.limit) {
      this.finishMove();
      this.startMove(capacityFor(this.n + 1), Number.NEGATIVE_INFINITY, this.n);
    } else if (this.old !== null) this.moveSome(this.step);
  }

  /**
   * A new, empty table of `capacity`; the current one is moved into it from now on, dropping times < `before`. A
   * sweep's table counts its times from `before` (every time kept or added later is at or after it).
   */
  private startMove(capacity: number, before: number, live: number): void {
    this.old = this.k0;
    this.oldK1 = this.k1;
    this.oldTt = this.tt;
    this.oldBase = this.base;
    this.oldCap = this.cap;
    this.oldScale = this.scale;
    this.oldBefore = before;
    this.moveAt = 0;
    this.k0 = new Uint32Array(capacity);
    this.k1 = new Uint32Array(capacity);
    this.tt = this.emptyTops(capacity);
    if (Number.isFinite(before)) this.base = Math.floor(before);
    this.cap = capacity;
    this.scale = scaleOf(capacity);
    this.limit = limitOf(capacity);
    this.n = live;
    // Done within a sixteenth of the inserts left before `slots` reaches its limit (the next grow): the two tables
    // are held together for a short part of the growth. Old slots are visited in order, and a key's home rises with
    // its low 32 bits in both tables, so the new table is written nearly in order too.
    const inserts = Math.max(1, Math.floor((this.limit - live) / MOVE_WITHIN));
    this.step = Math.max(MIN_STEP, Math.ceil(this.oldCap / inserts));
  }

  private moveSome(count: number): void {
    const o = this.old!;
    const E = this.EMPTY;
    const end = Math.min(this.oldCap, this.moveAt + count);
    if (this.oldBase === this.base && this.oldBefore === Number.NEGATIVE_INFINITY && Math.abs(this.base) < 2 ** 52) {
      // a grow: both tables count from one base (small enough that base + offset is exact) and nothing is dropped,
      // so a slot's columns are what `insert` would write for its key and time (a packed time packs the same; a FAR
      // one stays FAR, its time in `far`, as it did not fit this base when marked and a base moved since re-packs
      // those that fit): copied as they are into the key's first empty slot (branch `keep6`)
      const ot1 = this.oldK1;
      const ott = this.oldTt;
      const k0 = this.k0;
      const k1 = this.k1;
      const tt = this.tt;
      const cap = this.cap;
      const scale = this.scale;
      for (let i = this.moveAt; i < end; i++) {
        const v = ott[i]!;
        if (v === E) continue;
        const lo = o[i]!;
        let p = homeOf(lo, scale);
        while (tt[p] !== E) if (++p === cap) p = 0;
        k0[p] = lo;
        k1[p] = ot1[i]!;
        tt[p] = v;
      }
      this.finishedTo(end);
      return;
    }
    for (let i = this.moveAt; i < end; i++) {
      if (this.oldTt[i] === E) continue;
      const key = this.keyAt(o, this.oldK1, i);
      const t = this.timeAt(o, this.oldK1, this.oldTt, this.oldBase, i);
      if (t >= this.oldBefore) this.insert(key, t);
    }
    this.finishedTo(end);
  }

  /** Old slots before `end` are moved; the old table goes when all are. */
  private finishedTo(end: number): void {
    this.moveAt = end;
    if (end === this.oldCap) {
      this.old = null;
      this.oldK1 = new Uint32Array(0);
      this.oldTt = this.emptyTops(0);
    }
  }

  private finishMove(): void {
    if (this.old !== null) this.moveSome(this.oldCap);
  }

  private insert(key: number, time: number): void {
    const tt = this.tt;
    const E = this.EMPTY;
    const cap = this.cap;
    let i = homeOf(key, this.scale);
    while (tt[i] !== E) if (++i === cap) i = 0;
    const lo = key >>> 0;
    this.k0[i] = lo;
    this.setTime(i, key, (key - lo) / TWO32, time);
  }

  private emptyTops(capacity: number): Tops {
    return this.EMPTY === 0xffff ? new Uint16Array(capacity).fill(0xffff) : new Uint32Array(capacity).fill(0xffffffff);
  }
}
