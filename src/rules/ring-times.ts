// The evidence ring's (event time, mask of rule indices < 30) pairs of every account (EngineState.ringTm), one list
// per account number in a row list store (row-lists.ts), packed by packed-pairs.ts: one double's room a pair while
// every pair fits (the time an offset from the store's base, the mask an int32), two doubles while one does not
// (an absurd or fractional time, a mask that is not an int32), until a sweep finds every pair fits again. Time 0
// (the unused entries of parts written when a ring always held RING) packs too. Every pair is kept exactly. Pure.
import { PackedPairs, type Layout } from './packed-pairs.js';
import { RowLists } from './row-lists.js';

const KIND = { twoTimes: false, zero: true, gap: 1 };
/** Rows of a list's first region (RowLists' first class): a ring grows into them without a move. */
const FIRST_ROWS = 4;
// Until branch `exo5` a list grew a row at a time past them: a ring's 5th to 8th entries each moved it to the next
// class, and compactions slid out the holes (in hour 2 of bench/engine.ts, where rings fill from 5 entries to 8, most
// of the engine's arena moves and slides). Starting at RING rows instead took 64 bytes for every ring (+32 B an
// account at 2 calls an hour), so rows are reserved two at a time past the first region, kept in `count`.
/** `count` of a list with this many pairs or more: its rows, all used. */
const MANY = 255;

export class RingTimes {
  lists = new RowLists(1, FIRST_ROWS);
  private pp = new PackedPairs(KIND);
  private cap = 0;
  /**
   * Per account number, the pairs held (MANY: as many as the list's rows). A list grown past its first region for
   * the pairs a ring still lacks (`set`'s `room`) has rows not used yet, after its pairs.
   */
  private count = new Uint8Array(0);

  /** Whether the pairs are held wide (for tests). */
  get widePairs(): boolean {
    return this.pp.wide;
  }

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.cap = capacity;
    this.lists.grow(capacity);
    const count = new Uint8Array(capacity);
    count.set(this.count.subarray(0, Math.min(capacity, this.count.length)));
    this.count = count;
  }

  length(ix: number): number {
    const n = this.count[ix]!;
    return n === MANY ? this.lists.length(ix) : n;
  }

  free(ix: number): void {
    this.lists.free(ix);
    if (ix < this.count.length) this.count[ix] = 0;
  }

  /** Array-buffer bytes the account's list takes (as RowLists.bytes). */
  bytes(ix: number): number {
    return this.lists.bytes(ix);
  }

  time(ix: number, j: number): number {
    const L = this.lists;
    const at = L.at(ix);
    return this.pp.time(L.chunk(at), L.words(at), L.base(at) + L.stride * j);
  }

  mask(ix: number, j: number): number {
    const L = this.lists;
    const at = L.at(ix);
    return this.pp.partner(L.chunk(at), L.words(at), L.base(at) + L.stride * j);
  }

  /**
   * Writes entry `j` of the account's ring; `j` equal to its length appends one. An append that finds the list full
   * (past its first region) moves it to a region of `room` rows when that is more than one past it (the engine asks
   * for two entries at a time while a ring fills: half the moves of a row at a time, at most a row unused).
   */
  set(ix: number, j: number, t: number, mask: number, room = 0): void {
    if (!this.pp.wide && !this.pp.fits(t, mask)) this.relayout({ wide: true, base: this.pp.base });
    const L = this.lists;
    const n = this.length(ix);
    let p: number;
    if (j < n) p = L.base(L.at(ix)) + L.stride * j;
    else {
      const rows = L.length(ix);
      if (n < rows) p = L.base(L.at(ix)) + L.stride * n;
      else if (rows >= FIRST_ROWS && room > rows + 1 && room <= 16) {
        this.reserve(ix, rows, room);
        p = L.base(L.at(ix)) + L.stride * n;
      } else p = L.insert(ix, n);
      this.count[ix] = n + 1 >= MANY ? MANY : n + 1;
    }
    const at = L.at(ix);
    this.pp.put(L.chunk(at), L.words(at), p, t, mask);
  }

  /** The account's pairs, flat (null: no ring). */
  toArray(ix: number): number[] | null {
    const n = this.length(ix);
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
    this.free(ix);
    if (pairs === null) return;
    for (let j = 0; 2 * j + 1 < pairs.length; j++) this.set(ix, j, pairs[2 * j]!, pairs[2 * j + 1]!);
  }

  /**
   * Called at the engine's sweep: moves `base` up when offsets pass half the limit, goes back to narrow pairs when
   * every one fits again, else repacks the store when it is holey.
   */
  compact(): void {
    const next = this.pp.relayout((fn) => {
      for (let ix = 0; ix < this.cap; ix++) {
        const n = this.length(ix);
        for (let j = 0; j < n; j++) fn(this.time(ix, j), this.mask(ix, j));
      }
    });
    if (next) this.relayout(next);
    else this.lists.compact();
  }

  /** Moves the account's `rows` rows (all used) to a region of `room` rows (RowLists.load: one move). */
  private reserve(ix: number, rows: number, room: number): void {
    const L = this.lists;
    const n = 2 * L.stride * rows;
    if (this.keep.length < n) this.keep = new Int32Array(n);
    const keep = this.keep;
    // copied as int32s: every bit of a pair is kept, whatever the doubles would read as
    let w = L.words(L.at(ix));
    let W = 2 * L.base(L.at(ix));
    for (let i = 0; i < n; i++) keep[i] = w[W + i]!;
    L.load(ix, zeros(L.stride * room));
    w = L.words(L.at(ix));
    W = 2 * L.base(L.at(ix));
    for (let i = 0; i < n; i++) w[W + i] = keep[i]!;
  }

  /** A list's rows as int32s while it moves (reserve). */
  private keep = new Int32Array(64);

  /** Moves every list into a new store in `layout` (narrow: every pair must fit). */
  private relayout(layout: Layout): void {
    const all: (number[] | null)[] = [];
    for (let ix = 0; ix < this.cap; ix++) all.push(this.toArray(ix));
    this.lists = new RowLists(layout.wide ? 2 : 1, FIRST_ROWS);
    this.lists.grow(this.cap);
    this.count.fill(0);
    this.pp = this.pp.to(layout);
    all.forEach((pairs, ix) => this.load(ix, pairs));
  }
}

/** Arrays of `n` zeros, for RowLists.load (made once per length). */
const ZEROS: number[][] = [];
function zeros(n: number): number[] {
  return (ZEROS[n] ??= new Array<number>(n).fill(0));
}
