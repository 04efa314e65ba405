// The evidence ring's ids for the fused evaluator (bench/fused/fused-evaluator.ts): each account's RING entries as
// fixed-width byte cells (a length byte, then the id's code units) in a region of the engine's RowArena (8-byte
// rows), the cell width the account's longest id so far plus one. Writing entry j is a store at j x width, with no
// search for it (RingIds keeps one text of separated ids and finds an entry by its separators). An id with a code unit
// of 0x80 or more, or longer than 254, is kept as a string in `wide` (length byte 255); one holding RING_SEP is kept
// as '' (as RingIds does). The region's name and the width are two int32s the caller keeps in its account slot.
// Benchmark prototype.
import { RING } from '../../src/rules/engine-state.js';
import { capOf, classFor, RowArena } from '../../src/rules/row-arena.js';

const SEP = 0x1f;
const WIDE = 255;

export class RingBytes {
  readonly arena = new RowArena(1);
  private readonly wide = new Map<number, string>();
  /** A region moved since the owner last looked. */
  moved = false;

  /** Writes `id` as entry j of account ix's ring; `meta[o]` its region (-1: none), `meta[o + 1]` its cell width. */
  write(meta: Int32Array, o: number, ix: number, j: number, id: string): void {
    const n = id.length;
    let width = meta[o + 1]!;
    if (n + 1 > width && n < WIDE) width = this.widen(meta, o, n + 1);
    else if (width === 0) width = this.widen(meta, o, 2);
    const at = meta[o]!;
    const b = this.arena.octets(at);
    const p = 8 * this.arena.base(at) + j * width;
    if (n >= WIDE) return this.writeWide(b, p, ix, j, id);
    let i = 0;
    for (; i < n; i++) {
      const ch = id.charCodeAt(i);
      if (ch >= 0x80 || ch === SEP) break;
      b[p + 1 + i] = ch;
    }
    if (i < n) return this.writeWide(b, p, ix, j, id.charCodeAt(i) === SEP || id.includes('\u001f') ? '' : id);
    b[p] = n;
    if (this.wide.size > 0) this.wide.delete(ix * RING + j);
  }

  /** Entry j of account ix's ring. */
  read(meta: Int32Array, o: number, ix: number, j: number): string {
    const at = meta[o]!;
    const b = this.arena.octets(at);
    const p = 8 * this.arena.base(at) + j * meta[o + 1]!;
    const n = b[p]!;
    if (n === WIDE) return this.wide.get(ix * RING + j)!;
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + 1 + i]!);
    return s;
  }

  /** The sweep's compaction when the arena is sparse (as the engine's stores), every region slid down whole. */
  compact(meta: Int32Array, stride: number, o: number, count: number): void {
    if (!this.arena.sparse()) return;
    const arena = this.arena;
    arena.slide(
      true,
      (order) => {
        for (let ix = 0; ix < count; ix++) {
          const m = ix * stride + o;
          if (meta[m + 1]! > 0) order.add(meta[m]!, capOf(classFor(rowsFor(meta[m + 1]!))), ix);
        }
      },
      (ix, from, to) => {
        if (from === to) return;
        const m = ix * stride + o;
        const src = arena.chunk(from);
        const dst = arena.chunk(to);
        const a = arena.base(from);
        const c = arena.base(to);
        for (let k = 0, n = rowsFor(meta[m + 1]!); k < n; k++) dst[c + k] = src[a + k]!;
        meta[m] = to;
      },
    );
  }

  bytes(): number {
    return this.arena.bytes();
  }

  private writeWide(b: Uint8Array, p: number, ix: number, j: number, id: string): void {
    b[p] = WIDE;
    this.wide.set(ix * RING + j, id);
  }

  /** Moves the account's cells to width `width`, keeping its entries. */
  private widen(meta: Int32Array, o: number, width: number): number {
    const old = meta[o + 1]!;
    const to = this.arena.alloc(classFor(rowsFor(width)));
    const dst = this.arena.octets(to);
    const q = 8 * this.arena.base(to);
    if (old > 0) {
      const from = meta[o]!;
      const src = this.arena.octets(from);
      const p = 8 * this.arena.base(from);
      for (let j = 0; j < RING; j++) for (let k = 0; k < old; k++) dst[q + j * width + k] = src[p + j * old + k]!;
      this.arena.release(from, classFor(rowsFor(old)));
      this.moved = true;
    } else for (let j = 0; j < RING; j++) dst[q + j * width] = 0;
    meta[o] = to;
    meta[o + 1] = width;
    return width;
  }
}

/** 8-byte rows of RING cells of `width` bytes. */
function rowsFor(width: number): number {
  return (RING * width + 7) >> 3;
}
