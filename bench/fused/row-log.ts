// Every account's event log for the fused evaluator (bench/fused/fused-evaluator.ts): rows of ROW doubles, each
// account's rows a region of the engine's RowArena (row-arena.ts: chunks, size classes, free lists, in-place sliding
// compaction), in time order (equal times in arrival order). The region's name and the log's length and class are
// two int32s the caller keeps in its account slot (`meta[o]`, `meta[o + 1]`), so that one read of the slot finds
// everything. A full region moves up about a quarter; one that falls to a third moves down; an emptied one is freed.
// Benchmark prototype.
import { capOf, classFor, RowArena } from '../../src/rules/row-arena.js';

export const ROW = 4;
const LEN_MASK = 0xffffff;
const CLS_SHIFT = 24;

export class RowLog {
  readonly arena = new RowArena(ROW);
  /** A region moved since the owner last looked (it then checks whether the arena wants a whole compaction). */
  moved = false;

  length(meta: Int32Array, o: number): number {
    return meta[o + 1]! & LEN_MASK;
  }

  /**
   * Inserts the row at its time order: `row` is a ROW-double scratch written by the caller, its first int32 the time
   * (as an offset from the caller's base, as every row's is). The region may move: read its name after.
   */
  insert(meta: Int32Array, o: number, row: Float64Array, off: number): void {
    const n = meta[o + 1]! & LEN_MASK;
    if (n === 0) {
      meta[o] = this.arena.alloc(1);
      meta[o + 1] = 1 << CLS_SHIFT;
    } else if (n === capOf(meta[o + 1]! >>> CLS_SHIFT)) this.move(meta, o, classFor(n + 2 + (n >> 2)));
    const at = meta[o]!;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    let p = n;
    while (p > 0 && w[2 * (B + (p - 1) * ROW)]! > off) p--;
    for (let j = B + n * ROW - 1; j >= B + p * ROW; j--) d[j + ROW] = d[j]!;
    const q = B + p * ROW;
    d[q] = row[0]!;
    d[q + 1] = row[1]!;
    d[q + 2] = row[2]!;
    d[q + 3] = row[3]!;
    meta[o + 1] = (meta[o + 1]! & ~LEN_MASK) | (n + 1);
  }

  /** Drops the first `h` rows. */
  drop(meta: Int32Array, o: number, h: number): void {
    if (h === 0) return;
    const at = meta[o]!;
    const c = meta[o + 1]! >>> CLS_SHIFT;
    const n = (meta[o + 1]! & LEN_MASK) - h;
    if (n === 0) {
      this.arena.release(at, c);
      meta[o] = -1;
      meta[o + 1] = 0;
      return;
    }
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    for (let j = B, end = B + n * ROW, k = h * ROW; j < end; j++) d[j] = d[j + k]!;
    meta[o + 1] = (c << CLS_SHIFT) | n;
    if (3 * n <= capOf(c) && c > 1) this.move(meta, o, classFor(n + 1 + (n >> 2)));
  }

  /** The sweep's compaction: slides regions over the arena's holes when it is holey (as the engine's stores do). */
  compact(meta: Int32Array, stride: number, o: number, count: number, whole = false): void {
    if (!whole && !this.arena.holey()) return;
    const arena = this.arena;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix < count; ix++) {
          const m = ix * stride + o;
          if ((meta[m + 1]! & LEN_MASK) !== 0) order.add(meta[m]!, capOf(meta[m + 1]! >>> CLS_SHIFT) * ROW, ix);
        }
      },
      (ix, from, to) => {
        if (from === to) return;
        const m = ix * stride + o;
        const src = arena.chunk(from);
        const dst = arena.chunk(to);
        const a = arena.base(from);
        const b = arena.base(to);
        for (let j = 0, n = (meta[m + 1]! & LEN_MASK) * ROW; j < n; j++) dst[b + j] = src[a + j]!;
        meta[m] = to;
      },
    );
  }

  bytes(): number {
    return this.arena.bytes();
  }

  private move(meta: Int32Array, o: number, c: number): void {
    const from = meta[o]!;
    const n = meta[o + 1]! & LEN_MASK;
    const to = this.arena.alloc(c);
    const src = this.arena.chunk(from);
    const dst = this.arena.chunk(to);
    const a = this.arena.base(from);
    const b = this.arena.base(to);
    for (let j = 0; j < n * ROW; j++) dst[b + j] = src[a + j]!;
    this.arena.release(from, meta[o + 1]! >>> CLS_SHIFT);
    meta[o] = to;
    meta[o + 1] = (c << CLS_SHIFT) | n;
    this.moved = true;
  }
}
