// Every account's ONE event log for the fused engine (fused-engine.ts): rows of `stride` doubles, each account's rows
// a region of the engine's RowArena (row-arena.ts: chunks, size classes, free lists, in-place sliding compaction), in
// time order (equal times in arrival order). The row's first double holds two int32s: its time as an offset from the
// engine's base, and the mask of the rules that counted it. The region's name, the log's length and class, and its head
// (the row where the log starts in its region) are three int32s the owner keeps in its account slot (`meta[o]`,
// `meta[o + 1]`, `meta[o + 2]`: methods take `o`), so that one read of the slot finds them. Evicting moves the head, not
// the rows; rows slide down to the region's start when the region's end is reached with room at the head. A full
// region moves up about a quarter; one that falls to a third moves down; an emptied one is freed. Grown from
// bench/fused/row-log.ts (one stride, 4). Pure.
import { capOf, classFor, RowArena } from '../row-arena.js';

const LEN_MASK = 0xffffff;
const CLS_SHIFT = 24;

export class FusedLog {
  arena: RowArena;
  /** The owner's slots as int32s (set again whenever they grow), a slot's int32s, and the log's fields in one. */
  meta: Int32Array = new Int32Array(0);
  stride = 2;
  field = 0;
  /** A region moved since the owner last looked (it then checks whether the arena wants a whole compaction). */
  moved = false;

  constructor(readonly S: number) {
    this.arena = new RowArena(S);
  }

  bind(meta: Int32Array, stride: number, field: number): void {
    this.meta = meta;
    this.stride = stride;
    this.field = field;
  }

  length(o: number): number {
    return this.meta[o + 1]! & LEN_MASK;
  }

  /** The region's name (-1: none). */
  at(o: number): number {
    return this.meta[o]!;
  }

  /** Where the log's first row starts (in doubles of the region's chunk); the region must exist. */
  rowBase(o: number): number {
    return this.arena.base(this.meta[o]!) + this.meta[o + 2]! * this.S;
  }

  /**
   * Inserts the row (`row`: S doubles, the first int32 of it the time offset `off`) at its time order, after rows of
   * equal time; returns its row number. The region may move: read its name after.
   */
  insert(o: number, row: Float64Array, off: number): number {
    const meta = this.meta;
    const S = this.S;
    const n = meta[o + 1]! & LEN_MASK;
    if (meta[o]! < 0) {
      meta[o] = this.arena.alloc(0);
      meta[o + 1] = 0;
      meta[o + 2] = 0;
    } else if (meta[o + 2]! + n === capOf(meta[o + 1]! >>> CLS_SHIFT)) {
      // the region's end: slide down over the evicted head when there is one, else a larger region (a steady log
      // that grows by a quarter then slides every quarter of its rows: ~4 rows copied an eviction, not all of them)
      if (meta[o + 2]! > 0) this.slideDown(o);
      else this.move(o, classFor(n + 2 + (n >> 2)));
    }
    const at = meta[o]!;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at) + meta[o + 2]! * S;
    let p = n;
    while (p > 0 && w[2 * (B + (p - 1) * S)]! > off) p--;
    for (let j = B + n * S - 1; j >= B + p * S; j--) d[j + S] = d[j]!;
    const q = B + p * S;
    for (let k = 0; k < S; k++) d[q + k] = row[k]!;
    meta[o + 1] = (meta[o + 1]! & ~LEN_MASK) | (n + 1);
    return p;
  }

  /** Drops the first `h` rows (the head moves past them); an emptied log gives its region back. */
  drop(o: number, h: number): void {
    if (h === 0) return;
    const meta = this.meta;
    const at = meta[o]!;
    const c = meta[o + 1]! >>> CLS_SHIFT;
    const n = (meta[o + 1]! & LEN_MASK) - h;
    if (n === 0) {
      this.arena.release(at, c);
      meta[o] = -1;
      meta[o + 1] = 0;
      meta[o + 2] = 0;
      return;
    }
    meta[o + 2]! += h;
    meta[o + 1] = (c << CLS_SHIFT) | n;
    if (3 * n <= capOf(c) && c > 1) this.move(o, classFor(n + 1 + (n >> 2)));
  }

  free(o: number): void {
    if (o >= this.meta.length || this.meta[o]! < 0) return;
    this.arena.release(this.meta[o]!, this.meta[o + 1]! >>> CLS_SHIFT);
    this.meta[o] = -1;
    this.meta[o + 1] = 0;
    this.meta[o + 2] = 0;
  }

  /** The account's rows as one array (a copy), or null. */
  rows(o: number): Float64Array | null {
    const n = this.length(o);
    if (n === 0) return null;
    const B = this.rowBase(o);
    return this.arena.chunk(this.at(o)).slice(B, B + n * this.S);
  }

  /** Replaces the account's rows with `rows` (from `rows`). */
  load(o: number, rows: Float64Array | null): void {
    this.free(o);
    if (rows === null || rows.length === 0) return;
    const n = rows.length / this.S;
    const c = classFor(n);
    const at = this.arena.alloc(c);
    this.arena.chunk(at).set(rows, this.arena.base(at));
    this.meta[o] = at;
    this.meta[o + 1] = (c << CLS_SHIFT) | n;
    this.meta[o + 2] = 0;
  }

  /** The sweep's compaction: slides regions over the arena's holes when it is holey (or whole when `whole`). */
  compact(count: number, whole = false): void {
    if (!whole && !this.arena.holey()) return;
    const arena = this.arena;
    const meta = this.meta;
    const S = this.S;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix < count; ix++) {
          const m = ix * this.stride + this.field;
          if (meta[m]! >= 0) order.add(meta[m]!, capOf(meta[m + 1]! >>> CLS_SHIFT) * S, ix);
        }
      },
      (ix, from, to) => {
        if (from === to) return;
        const m = ix * this.stride + this.field;
        const src = arena.chunk(from);
        const dst = arena.chunk(to);
        const a = arena.base(from);
        const b = arena.base(to);
        for (let j = 0, n = ((meta[m + 1]! & LEN_MASK) + meta[m + 2]!) * S; j < n; j++) dst[b + j] = src[a + j]!;
        meta[m] = to;
      },
    );
  }

  bytes(): number {
    return this.arena.bytes();
  }

  private move(o: number, c: number): void {
    const meta = this.meta;
    const from = meta[o]!;
    const n = meta[o + 1]! & LEN_MASK;
    const to = this.arena.alloc(c);
    const src = this.arena.chunk(from);
    const dst = this.arena.chunk(to);
    const a = this.arena.base(from) + meta[o + 2]! * this.S;
    const b = this.arena.base(to);
    for (let j = 0; j < n * this.S; j++) dst[b + j] = src[a + j]!;
    this.arena.release(from, meta[o + 1]! >>> CLS_SHIFT);
    meta[o] = to;
    meta[o + 1] = (c << CLS_SHIFT) | n;
    meta[o + 2] = 0;
    this.moved = true;
  }

  /** Slides the rows down to the region's start (head 0). */
  private slideDown(o: number): void {
    const meta = this.meta;
    const at = meta[o]!;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    const k = meta[o + 2]! * this.S;
    for (let j = B, end = B + (meta[o + 1]! & LEN_MASK) * this.S; j < end; j++) d[j] = d[j + k]!;
    meta[o + 2] = 0;
  }
}
