// Frozen copy of src/rules/ring-times.ts as it was on main (8107d1c) before branch ring9 (imports of unchanged modules from src).
// The evidence ring's (event time, mask of rule indices < 30) pairs of every account (EngineState.ringTm), one list
// per account number in a row list store (row-lists.ts), packed by packed-pairs.ts: one double's room a pair while
// every pair fits (the time an offset from the store's base, the mask an int32), two doubles while one does not
// (an absurd or fractional time, a mask that is not an int32), until a sweep finds every pair fits again. Time 0
// (the unused entries of parts written when a ring always held RING) packs too. Every pair is kept exactly. Pure.
import { PackedPairs, type Layout } from '../../../src/rules/packed-pairs.js';
import { RowLists } from '../../../src/rules/row-lists.js';

const KIND = { twoTimes: false, zero: true, gap: 1 };
/**
 * Rows of a list's first region: a ring's RING entries (engine-state.ts), so a filling ring never moves. 4 until
 * branch `exo5`: a ring's 5th to 8th entries each moved its list to the next class, and the holes they left were
 * slid out by compactions (in hour 2 of bench/engine.ts, where rings fill from 5 entries to 8, most of its arena
 * moves and slides). A ring of 4 entries or fewer now takes 64 bytes, not 32; a full one 64 as before.
 */
const FIRST_ROWS = 8;

export class RingTimes {
  lists: RowLists;
  private pp = new PackedPairs(KIND);
  private cap = 0;

  /** `firstRows`: rows of a list's first region (the oracle of the ring tests passes 4, the size before `exo5`). */
  constructor(private readonly firstRows = FIRST_ROWS) {
    this.lists = new RowLists(1, firstRows);
  }

  /** Whether the pairs are held wide (for tests). */
  get widePairs(): boolean {
    return this.pp.wide;
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
    return this.pp.time(L.chunk(at), L.words(at), L.base(at) + L.stride * j);
  }

  mask(ix: number, j: number): number {
    const L = this.lists;
    const at = L.at(ix);
    return this.pp.partner(L.chunk(at), L.words(at), L.base(at) + L.stride * j);
  }

  /** Writes entry `j` of the account's ring; `j` equal to its length appends one. */
  set(ix: number, j: number, t: number, mask: number): void {
    // a pair that packs in a narrow store as it is: one check and two int32s (branch `keep6`); checked before the
    // row is made, as a relayout would copy it
    if (this.pp.narrowFits(t, mask)) {
      const L = this.lists;
      const p = j >= L.length(ix) ? L.insert(ix, j) : L.base(L.at(ix)) + L.stride * j;
      this.pp.putFit(L.words(L.at(ix)), p, t, mask);
      return;
    }
    if (!this.pp.wide && !this.pp.fits(t, mask)) this.relayout({ wide: true, base: this.pp.base });
    const L = this.lists;
    const p = j >= L.length(ix) ? L.insert(ix, j) : L.base(L.at(ix)) + L.stride * j;
    const at = L.at(ix);
    this.pp.put(L.chunk(at), L.words(at), p, t, mask);
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
    const next = this.pp.relayout((fn) => {
      for (let ix = 0; ix < this.cap; ix++) {
        const n = this.lists.length(ix);
        for (let j = 0; j < n; j++) fn(this.time(ix, j), this.mask(ix, j));
      }
    });
    if (next) this.relayout(next);
    else this.lists.compact();
  }

  /** Moves every list into a new store in `layout` (narrow: every pair must fit). */
  private relayout(layout: Layout): void {
    const all: (number[] | null)[] = [];
    for (let ix = 0; ix < this.cap; ix++) all.push(this.toArray(ix));
    this.lists = new RowLists(layout.wide ? 2 : 1, this.firstRows);
    this.lists.grow(this.cap);
    this.pp = this.pp.to(layout);
    all.forEach((pairs, ix) => this.load(ix, pairs));
  }
}
