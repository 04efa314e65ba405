// The evidence ring's (event time, mask of rule indices < 30) pairs of every account (EngineState.ringTm), one list
// per account number in a row list store (row-lists.ts). Narrow while every pair fits: the time as an int32
// millisecond offset from `base` and the mask as an int32, packed into one double's room (8 bytes a pair, not 16).
// A pair that does not fit (an absurd or fractional time, a mask that is not an int32) turns the whole store wide
// (two doubles a pair) until a sweep finds every pair fits again; the sweep also moves `base` up before offsets
// reach the limit. Time 0 (the unused entries of parts written when a ring always held RING) has its own offset.
// The offset is the packed double's high word and stays below 0x7ff00000, so no pair reads as a NaN (whose bits a
// copy through a number might not keep). Every pair is kept exactly either way. Pure.
import { RowLists } from './row-lists.js';

/** Narrow offsets are below this (ZERO is time 0). */
const LIMIT = 0x7ff00000 - 1;
const ZERO = LIMIT;
/** A new `base` is this far below the earliest time it must hold. */
const ROOM = 2 ** 28;

const pack = new Float64Array(1);
/** Little-endian: word 0 is the mask, word 1 (the high word) the offset. */
const words = new Int32Array(pack.buffer);

export class RingTimes {
  lists = new RowLists(1, 4);
  private wide = false;
  private base = Number.NaN;
  /** The largest offset written since `base` was set (narrow): the sweep moves `base` up past LIMIT / 2. */
  private top = 0;
  private cap = 0;

  /** Whether the pairs are held wide (for tests). */
  get widePairs(): boolean {
    return this.wide;
  }

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.cap = capacity;
    this.lists.grow(capacity);
  }

  length(ix: number): number {
    return this.lists.length(ix);
  }

  free(ix: number): void {
    this.lists.free(ix);
  }

  /** Array-buffer bytes the account's list takes (as RowLists.bytes). */
  bytes(ix: number): number {
    return this.lists.bytes(ix);
  }

  time(ix: number, j: number): number {
    const L = this.lists;
    const at = L.at(ix);
    const d = L.chunk(at);
    const p = L.base(at) + L.stride * j;
    if (this.wide) return d[p]!;
    pack[0] = d[p]!;
    return words[1] === ZERO ? 0 : this.base + words[1]!;
  }

  mask(ix: number, j: number): number {
    const L = this.lists;
    const at = L.at(ix);
    const d = L.chunk(at);
    const p = L.base(at) + L.stride * j;
    if (this.wide) return d[p + 1]!;
    pack[0] = d[p]!;
    return words[0]!;
  }

  /** Writes entry `j` of the account's ring; `j` equal to its length appends one. */
  set(ix: number, j: number, t: number, mask: number): void {
    if (!this.wide && !this.fits(t, mask)) this.relayout(true, this.base);
    const L = this.lists;
    const p = j >= L.length(ix) ? L.insert(ix, j) : L.base(L.at(ix)) + L.stride * j;
    const d = L.chunk(L.at(ix));
    if (this.wide) {
      d[p] = t;
      d[p + 1] = mask;
      return;
    }
    const off = Object.is(t, 0) ? ZERO : t - this.base;
    words[0] = mask;
    words[1] = off;
    d[p] = pack[0]!;
    if (off !== ZERO && off > this.top) this.top = off;
  }

  /** The account's pairs, flat (null: no ring). */
  toArray(ix: number): number[] | null {
    const n = this.lists.length(ix);
    if (n === 0) return null;
    const out = new Array<number>(2 * n);
    for (let j = 0; j < n; j++) {
      out[2 * j] = this.time(ix, j);
      out[2 * j + 1] = this.mask(ix, j);
    }
    return out;
  }

  /** Replaces the account's pairs by `pairs` (flat; null or empty: none). */
  load(ix: number, pairs: readonly number[] | null): void {
    this.lists.free(ix);
    if (pairs === null) return;
    for (let j = 0; 2 * j + 1 < pairs.length; j++) this.set(ix, j, pairs[2 * j]!, pairs[2 * j + 1]!);
  }

  /**
   * Called at the engine's sweep: moves `base` up when offsets pass half the limit, goes back to narrow pairs when
   * every one fits again, else repacks the store when it is holey.
   */
  compact(): void {
    if (this.wide || this.top > LIMIT / 2) {
      let lo = Number.POSITIVE_INFINITY;
      this.forEachPair((t) => {
        if (!Object.is(t, 0) && t < lo) lo = t;
      });
      const base = lo === Number.POSITIVE_INFINITY ? Number.NaN : Number.isSafeInteger(lo) ? lo - ROOM : Number.NaN;
      let all = lo === Number.POSITIVE_INFINITY || !Number.isNaN(base);
      if (all) this.forEachPair((t, mask) => (all &&= fitsFrom(base, t, mask)));
      if (all) return this.relayout(false, base);
      if (!this.wide) return this.relayout(true, this.base);
    }
    this.lists.compact();
  }

  private forEachPair(fn: (t: number, mask: number) => void): void {
    for (let ix = 0; ix < this.cap; ix++) {
      const n = this.lists.length(ix);
      for (let j = 0; j < n; j++) fn(this.time(ix, j), this.mask(ix, j));
    }
  }

  /** Whether (t, mask) packs; the first time that is not 0 sets `base`. */
  private fits(t: number, mask: number): boolean {
    if (Number.isNaN(this.base) && !Object.is(t, 0)) {
      if (!Number.isSafeInteger(t)) return false;
      this.base = t - ROOM;
    }
    return fitsFrom(this.base, t, mask);
  }

  /** Moves every list into a new store, wide or narrow (offsets from `base`: every pair must fit). */
  private relayout(wide: boolean, base: number): void {
    const all: (number[] | null)[] = [];
    for (let ix = 0; ix < this.cap; ix++) all.push(this.toArray(ix));
    this.lists = new RowLists(wide ? 2 : 1, 4);
    this.lists.grow(this.cap);
    this.wide = wide;
    this.base = base;
    this.top = 0;
    all.forEach((pairs, ix) => this.load(ix, pairs));
  }
}

function fitsFrom(base: number, t: number, mask: number): boolean {
  if ((mask | 0) !== mask || Object.is(mask, -0)) return false;
  if (Object.is(t, 0)) return true;
  const off = t - base;
  return off >= 0 && off < LIMIT && Number.isInteger(off);
}
