// The evidence ring's ids of every account (EngineState.ringIds), as fixed-width byte cells in a row arena
// (row-arena.ts, regions of 8-byte rows), so that remembering a matched CDR allocates nothing and finds its entry
// with no search. An account's region holds its entries in order, entry j at byte j x width: a length byte, then the
// id's code units, one byte each; the width is the account's longest id so far plus one (it only grows, until the
// ring is freed or set anew). An id with a code unit of 0x80 or more (a lone surrogate too) or of 255 units or more
// is kept as a string in a side table (`wide`, by account and entry; length byte 255), so every string comes back
// exactly; an id holding RING_SEP is kept as '' (as the one text of separated ids before it did). A ring of no entries
// ('', read from old parts) is held apart from no ring. Until branch `ring9` the ids were one text per account, each
// id followed by RING_SEP, and an entry was found by scanning the separators (~4% of the engine's profile).
// Per account number two int32s: the region (-1: none) and a word of the cell width (bits 0-7; 0: no ring), the
// region's class (bits 8-14) and the entry count (bits 16-31). A list of 65,535 entries or more (never written by
// the engine, whose rings hold RING) is kept as an array in `odd`.
// What a replacement of entry j does when the ring holds fewer entries than j + 1 is what the text code did (its
// slices around the separators): entry j mod (count + 1), which appends when it is the count. Pure.
import { capOf, classFor, growFields, RowArena } from './row-arena.js';

/** Ended each id in an account's ring text (ringList, ringText: the text form tests and old code read). */
export const RING_SEP = '\u001f';
/** RING_SEP as a code unit. */
const SEP = 0x1f;

/** The ring's ids by entry, from its text (null: no ring). */
export function ringList(ids: string | null): string[] | null {
  if (ids === null) return null;
  const list = ids.split(RING_SEP);
  list.length--;
  return list;
}

/** The ring's ids as one text, each id followed by RING_SEP (one holding RING_SEP as ''). */
export function ringText(list: readonly string[] | null): string | null {
  if (list === null) return null;
  return list.map((id) => (id.includes(RING_SEP) ? '' : id) + RING_SEP).join('');
}

/** Rows a ring's first region holds at least (as the text store's first class): a ring grows into them without a move. */
const FIRST_ROWS = 4;
/** The length byte of an entry kept in `wide`. */
const WIDE = 255;
const M = 2;
const AT = 0;
const WORD = 1;
const WIDTH = 0xff;
const CLS_SHIFT = 8;
const CLS = 0x7f;
const ODD = 1 << 15;
const COUNT_SHIFT = 16;
/** Entries a ring of cells holds at most (the count's 16 bits). */
const MAX_CELLS = 0xffff;

export class RingIds {
  readonly arena = new RowArena(1);
  private meta = new Int32Array(0);
  /** Ids kept as strings (length byte WIDE), by account number, by entry. */
  private readonly wide = new Map<number, string[]>();
  /** Rings of MAX_CELLS entries or more, by account number (the word holds ODD). */
  private readonly odd = new Map<number, string[]>();

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.meta = growFields(this.meta, capacity, M, AT);
  }

  free(ix: number): void {
    const o = ix * M;
    if (o >= this.meta.length) return;
    const at = this.meta[o + AT]!;
    if (at >= 0) this.arena.release(at, (this.meta[o + WORD]! >>> CLS_SHIFT) & CLS);
    this.meta[o + AT] = -1;
    this.meta[o + WORD] = 0;
    if (this.wide.size > 0) this.wide.delete(ix);
    if (this.odd.size > 0) this.odd.delete(ix);
  }

  /** Array-buffer bytes the account's ring takes (its region and its two int32s, as RowLists.bytes). */
  bytes(ix: number): number {
    const at = this.meta[ix * M + AT]!;
    return 4 * M + (at < 0 ? 0 : 8 * capOf((this.meta[ix * M + WORD]! >>> CLS_SHIFT) & CLS));
  }

  /** Entries in the account's ring (-1: no ring). */
  size(ix: number): number {
    const w = this.meta[ix * M + WORD]!;
    if (w === 0) return -1;
    if ((w & ODD) !== 0) return this.odd.get(ix)!.length;
    return w >>> COUNT_SHIFT;
  }

  /** Entry `j` (below `size(ix)`) of the account's ring. */
  entry(ix: number, j: number): string {
    const w = this.meta[ix * M + WORD]!;
    if ((w & ODD) !== 0) return this.odd.get(ix)![j]!;
    const at = this.meta[ix * M + AT]!;
    const b = this.arena.octets(at);
    const p = 8 * this.arena.base(at) + j * (w & WIDTH);
    const n = b[p]!;
    if (n === WIDE) return this.wide.get(ix)![j]!;
    if (n === 0) return '';
    let s = '';
    for (let i = p + 1, e = p + 1 + n; i < e; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** The account's ids by entry (null: no ring). */
  list(ix: number): string[] | null {
    const n = this.size(ix);
    if (n < 0) return null;
    const out = new Array<string>(n);
    for (let j = 0; j < n; j++) out[j] = this.entry(ix, j);
    return out;
  }

  /** The account's ring as one text (ringText of its list; null: no ring). */
  text(ix: number): string | null {
    return ringText(this.list(ix));
  }

  /** Replaces the account's ring by a text as ringText makes them (null: no ring). */
  setText(ix: number, text: string | null): void {
    this.setList(ix, ringList(text));
  }

  /** Replaces the account's ring by `list` (null: no ring; an id holding RING_SEP is kept as ''). */
  setList(ix: number, list: readonly string[] | null): void {
    this.free(ix);
    if (list === null) return;
    const o = ix * M;
    const n = list.length;
    if (n >= MAX_CELLS) {
      this.odd.set(ix, list.map(clean));
      this.meta[o + WORD] = ODD | 1;
      return;
    }
    // no entries: a ring with no region (width 1 marks it held)
    this.meta[o + WORD] = 1;
    if (n === 0) return;
    let width = 1;
    for (let j = 0; j < n; j++) width = Math.max(width, cellWidth(clean(list[j]!)));
    this.place(ix, n, width, 0);
    for (let j = 0; j < n; j++) this.put(ix, j, clean(list[j]!));
    this.meta[o + WORD] = (this.meta[o + WORD]! & 0xffff) | (n << COUNT_SHIFT);
  }

  /**
   * Appends an entry of `id` (one holding RING_SEP, never a validated id, is kept as ''). When the ring's cells must
   * move to a larger region, the region is made large enough for `more` further entries too (the engine passes the
   * entries its ring still lacks), so a filling ring moves once.
   */
  append(ix: number, id: string, more = 0): void {
    const m = this.meta;
    const o = ix * M;
    const at = m[o + AT]!;
    if (at >= 0) {
      // the common case: room for one more cell, an id narrower than the cells, plain ASCII
      const w = m[o + WORD]!;
      const width = w & WIDTH;
      const c = w >>> COUNT_SHIFT;
      const n = id.length;
      if (n < width && (c + 1) * width <= 8 * capOf((w >>> CLS_SHIFT) & CLS) && c < MAX_CELLS - 1 && this.putAscii(at, c * width, id)) {
        m[o + WORD] = w + (1 << COUNT_SHIFT);
        if (this.wide.size > 0) this.unwide(ix, c);
        return;
      }
    }
    const c = this.size(ix);
    this.write(ix, c < 0 ? 0 : c, id, more);
  }

  /**
   * Replaces entry `j` by `id` (one holding RING_SEP is kept as ''). A ring of fewer entries than j + 1 has entry
   * j mod (count + 1) replaced, or an entry appended when that is the count, as the text code did.
   */
  replace(ix: number, j: number, id: string): void {
    const m = this.meta;
    const o = ix * M;
    const at = m[o + AT]!;
    const w = m[o + WORD]!;
    if (at >= 0 && j < w >>> COUNT_SHIFT) {
      const width = w & WIDTH;
      if (id.length < width && this.putAscii(at, j * width, id)) {
        if (this.wide.size > 0) this.unwide(ix, j);
        return;
      }
    }
    const c = this.size(ix);
    const n = c < 0 ? 0 : c;
    this.write(ix, j % (n + 1), id, 0);
  }

  /** Compacts the store in place when holey (the engine's sweep), as RowLists.compact. */
  compact(): void {
    if (this.arena.holey()) this.slide(false);
  }

  /**
   * Writes `id` as entry `j` (at most the count: the count appends), widening or moving the cells as needed (a new
   * region with room for `more` further entries), or as the odd ring's entry.
   */
  private write(ix: number, j: number, id: string, more: number): void {
    const o = ix * M;
    const s = clean(id);
    const c = Math.max(0, this.size(ix));
    const w = this.meta[o + WORD]!;
    if ((w & ODD) !== 0 || (j === c && c + 1 >= MAX_CELLS)) {
      const list = (w & ODD) !== 0 ? this.odd.get(ix)! : this.list(ix)!;
      if (j === list.length) list.push(s);
      else list[j] = s;
      if ((w & ODD) === 0) {
        this.free(ix);
        this.odd.set(ix, list);
        this.meta[o + WORD] = ODD | 1;
      }
      return;
    }
    const cells = j === c ? c + 1 : c;
    this.place(ix, cells, Math.max(w & WIDTH, cellWidth(s)), j === c ? more : 0);
    this.put(ix, j, s);
    if (j === c) this.meta[o + WORD] = this.meta[o + WORD]! + (1 << COUNT_SHIFT);
  }

  /** Writes `s` (no RING_SEP) into cell `j`, which holds it (the region is placed). */
  private put(ix: number, j: number, s: string): void {
    const w = this.meta[ix * M + WORD]!;
    const at = this.meta[ix * M + AT]!;
    const p = j * (w & WIDTH);
    if (inline(s) && this.putAscii(at, p, s)) {
      if (this.wide.size > 0) this.unwide(ix, j);
      return;
    }
    this.arena.octets(at)[8 * this.arena.base(at) + p] = WIDE;
    let list = this.wide.get(ix);
    if (list === undefined) this.wide.set(ix, (list = []));
    list[j] = s;
  }

  /**
   * Writes `id` into the cell at byte `p` of region `at` when its code units are all below 0x80 and not RING_SEP
   * (the caller saw that it fits); false otherwise, the cell's length byte as it was (its other bytes may differ: the
   * caller then writes the cell whole).
   */
  private putAscii(at: number, p: number, id: string): boolean {
    const b = this.arena.octets(at);
    const q = 8 * this.arena.base(at) + p;
    const n = id.length;
    for (let i = 0; i < n; i++) {
      const x = id.charCodeAt(i);
      if (x >= 0x80 || x === SEP) return false;
      b[q + 1 + i] = x;
    }
    b[q] = n;
    return true;
  }

  private unwide(ix: number, j: number): void {
    const list = this.wide.get(ix);
    if (list === undefined || list[j] === undefined) return;
    list[j] = undefined!;
    if (list.every((x) => x === undefined)) this.wide.delete(ix);
  }

  /**
   * Gives the account's cells room for `cells` cells of `width` bytes (at least its width), the entries it holds kept.
   * In its region when they fit (cells widened in place, the last first); else in a new region, with room for
   * `more` further cells (a first region has FIRST_ROWS rows at least).
   */
  private place(ix: number, cells: number, width: number, more: number): void {
    const m = this.meta;
    const o = ix * M;
    const w = m[o + WORD]!;
    const old = w & WIDTH;
    const c = w >>> COUNT_SHIFT;
    const at = m[o + AT]!;
    const cls = (w >>> CLS_SHIFT) & CLS;
    if (at >= 0 && cells * width <= 8 * capOf(cls)) {
      if (width !== old) widen(this.arena.octets(at), 8 * this.arena.base(at), c, old, this.arena.octets(at), 8 * this.arena.base(at), width);
      m[o + WORD] = (w & ~WIDTH) | width;
      return;
    }
    const rows = at < 0 ? Math.max(FIRST_ROWS, (cells * width + 7) >> 3) : ((cells + more) * width + 7) >> 3;
    const k = classFor(rows);
    const to = this.arena.alloc(k);
    if (at >= 0) {
      widen(this.arena.octets(at), 8 * this.arena.base(at), c, old, this.arena.octets(to), 8 * this.arena.base(to), width);
      this.arena.release(at, cls);
    }
    m[o + AT] = to;
    m[o + WORD] = (c << COUNT_SHIFT) | (k << CLS_SHIFT) | width;
    if (this.arena.sparse()) this.slide(true);
  }

  /** Slides the regions down over the arena's holes, in place (RowArena.slide): every chunk, or the sweep's run of them. */
  private slide(whole: boolean): void {
    const m = this.meta;
    const arena = this.arena;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix * M < m.length; ix++) if (m[ix * M + AT]! >= 0) order.add(m[ix * M + AT]!, capOf((m[ix * M + WORD]! >>> CLS_SHIFT) & CLS), ix);
      },
      (ix, from, to) => {
        if (from === to) return;
        const w = m[ix * M + WORD]!;
        // the cells in use, as int32s (bytes are no doubles: copied as doubles a NaN's bits could change)
        const n = 2 * (((w >>> COUNT_SHIFT) * (w & WIDTH) + 7) >> 3);
        const a = arena.words(from);
        const d = arena.words(to);
        const x = 2 * arena.base(from);
        const y = 2 * arena.base(to);
        for (let i = 0; i < n; i++) d[y + i] = a[x + i]!;
        m[ix * M + AT] = to;
      },
    );
  }
}

/** What an entry holds for `id`: '' when it holds RING_SEP. */
function clean(id: string): string {
  return id.includes(RING_SEP) ? '' : id;
}

/** Bytes of the cell `s` (no RING_SEP) needs: a length byte, and its units when plain ASCII under 255 of them. */
function cellWidth(s: string): number {
  return inline(s) ? s.length + 1 : 1;
}

/** Whether `s` (no RING_SEP) is kept in its cell: plain ASCII, under 255 units. */
function inline(s: string): boolean {
  if (s.length >= WIDE) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * Copies `c` cells of width `from` at byte `p` of `a` to cells of width `to` (>= from) at byte `q` of `b` (the same
 * bytes when widened in place: the last cell first, each from its end, so nothing is read after it is written).
 */
function widen(a: Uint8Array, p: number, c: number, from: number, b: Uint8Array, q: number, to: number): void {
  for (let j = c - 1; j >= 0; j--) for (let k = from - 1; k >= 0; k--) b[q + j * to + k] = a[p + j * from + k]!;
}
