// One short list of rows (`stride` doubles each) per account number, all of them regions of one row arena
// (row-arena.ts), so that an account's dedupe keys, evidence-ring times and level states are no heap objects of
// their own (engine-state.ts). Per account number two int32s: the region (-1: none) and the row count with the
// region's class in the top 8 bits. A list starts at the class of `firstRows` rows, grows to the smallest class that
// holds it, gives its region back when emptied, and shrinks when a quarter full; when the arena is mostly holes (or,
// at the engine's sweep, a sixteenth of it) every region slides down over them in place (RowArena.slide).
// Readers index `chunk(at(ix))` from `base(at(ix))`: valid until the next change to any list of this store.
// Never hands out rows of one account to another. Pure.
import { capOf, classFor, copy, growFields, RowArena } from './row-arena.js';

const M = 2;
const AT = 0;
const LEN = 1;
const LEN_MASK = 0xffffff;

export class RowLists {
  readonly arena: RowArena;
  private meta = new Int32Array(0);

  /** A list's first region: the class holding `firstRows` rows (lists that will surely grow skip the small classes). */
  private readonly first: number;

  constructor(
    readonly stride: number,
    firstRows = 1,
  ) {
    this.arena = new RowArena(stride);
    this.first = classFor(firstRows);
  }

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.meta = growFields(this.meta, capacity, M, AT);
  }

  /** Rows in the account's list. */
  length(ix: number): number {
    return this.meta[ix * M + LEN]! & LEN_MASK;
  }

  /** The account's region (-1: empty list): index `chunk(at)` from `base(at)`. */
  at(ix: number): number {
    return this.meta[ix * M + AT]!;
  }

  chunk(at: number): Float64Array {
    return this.arena.chunk(at);
  }

  base(at: number): number {
    return this.arena.base(at);
  }

  /** `chunk(at)` as int32s (index it from 2 x `base(at)`), for rows of packed pairs (packed-pairs.ts). */
  words(at: number): Int32Array {
    return this.arena.words(at);
  }

  private cls(ix: number): number {
    return this.meta[ix * M + LEN]! >>> 24;
  }

  private setLen(ix: number, n: number, c: number): void {
    this.meta[ix * M + LEN] = n | (c << 24);
  }

  /**
   * Makes room for one row at row `i` (rows from `i` on move up one), growing the region when full; returns the row's
   * offset in `chunk(at(ix))`. Its contents are undefined.
   */
  insert(ix: number, i: number): number {
    const m = this.meta;
    const o = ix * M;
    const n = this.length(ix);
    if (m[o + AT]! < 0) {
      m[o + AT] = this.arena.alloc(this.first);
      this.setLen(ix, 0, this.first);
    } else if (n >= capOf(this.cls(ix))) {
      this.move(ix, classFor(n + 1));
      if (this.arena.sparse()) this.slide();
    }
    const at = m[o + AT]!;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    const S = this.stride;
    if (i < n) d.copyWithin(B + S * (i + 1), B + S * i, B + S * n);
    this.setLen(ix, n + 1, this.cls(ix));
    return B + S * i;
  }

  /** Appends a row of one number. */
  push1(ix: number, x: number): void {
    const p = this.insert(ix, this.length(ix));
    this.arena.chunk(this.meta[ix * M + AT]!)[p] = x;
  }

  /** Removes `count` rows at row `i`, keeping order; an emptied list gives its region back, a sparse one shrinks. */
  cut(ix: number, i: number, count: number): void {
    if (count <= 0) return;
    const m = this.meta;
    const o = ix * M;
    const n = this.length(ix) - count;
    const at = m[o + AT]!;
    if (n === 0) return this.free(ix);
    const S = this.stride;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    d.copyWithin(B + S * i, B + S * (i + count), B + S * (n + count));
    this.setLen(ix, n, this.cls(ix));
    if (capOf(this.cls(ix)) > 4 * Math.max(1, n)) this.move(ix, classFor(n));
  }

  /** Keeps the account's first `n` rows (n <= its length); an emptied list gives its region back, a sparse one shrinks. */
  truncate(ix: number, n: number): void {
    if (n === 0) return this.free(ix);
    this.setLen(ix, n, this.cls(ix));
    if (capOf(this.cls(ix)) > 4 * n) this.move(ix, classFor(n));
  }

  /** The account's rows as one flat array (null: none). */
  toArray(ix: number): number[] | null {
    const at = this.meta[ix * M + AT]!;
    if (at < 0) return null;
    const n = this.length(ix) * this.stride;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = d[B + i]!;
    return out;
  }

  /** Replaces the account's rows by `rows` (a flat array of whole rows; null or empty: none). */
  load(ix: number, rows: readonly number[] | null): void {
    this.free(ix);
    if (rows === null || rows.length === 0) return;
    const n = Math.ceil(rows.length / this.stride);
    const c = classFor(n);
    const at = this.arena.alloc(c);
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    for (let i = 0; i < rows.length; i++) d[B + i] = rows[i]!;
    for (let i = rows.length; i < n * this.stride; i++) d[B + i] = 0;
    this.meta[ix * M + AT] = at;
    this.setLen(ix, n, c);
    if (this.arena.sparse()) this.slide();
  }

  free(ix: number): void {
    const o = ix * M;
    if (o >= this.meta.length) return;
    if (this.meta[o + AT]! >= 0) this.arena.release(this.meta[o + AT]!, this.cls(ix));
    this.meta[o + AT] = -1;
    this.meta[o + LEN] = 0;
  }

  /** Array-buffer bytes the account's region takes, and its share of the per-account int32s. */
  bytes(ix: number): number {
    const at = this.meta[ix * M + AT]!;
    return 4 * M + (at < 0 ? 0 : 8 * this.stride * capOf(this.cls(ix)));
  }

  private move(ix: number, c: number): void {
    const m = this.meta;
    const o = ix * M;
    const from = m[o + AT]!;
    const to = this.arena.alloc(c);
    copy(this.arena.chunk(from), this.arena.base(from), this.arena.chunk(to), this.arena.base(to), this.stride * this.length(ix));
    this.arena.release(from, this.cls(ix));
    m[o + AT] = to;
    this.setLen(ix, this.length(ix), c);
  }

  /** Compacts the arena in place when holes pass a sixteenth of the rows in use (called at the engine's sweep). */
  compact(): void {
    if (this.arena.holey()) this.slide(false);
  }

  /** Slides the lists down over the arena's holes, in place (RowArena.slide): every chunk, or the sweep's run of them. */
  private slide(whole = true): void {
    const m = this.meta;
    const S = this.stride;
    const arena = this.arena;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix * M < m.length; ix++) if (m[ix * M + AT]! >= 0) order.add(m[ix * M + AT]!, S * capOf(this.cls(ix)), ix);
      },
      (ix, from, to) => {
        if (from === to) return;
        copy(arena.chunk(from), arena.base(from), arena.chunk(to), arena.base(to), S * this.length(ix));
        m[ix * M + AT] = to;
      },
    );
  }
}
