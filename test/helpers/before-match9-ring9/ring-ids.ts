// Frozen copy of src/rules/ring-ids.ts as it was on main (8107d1c) before branches match9 and ring9 (imports of unchanged modules from src).
// The evidence ring's ids of every account (EngineState.ringIds), as bytes in a row list store (row-lists.ts, 8
// bytes a row), so that remembering a matched CDR allocates nothing. Until issue 17's third engine-CPU pass the ids
// were one string per account, rebuilt for every matched CDR: a ~100-byte string that lived until the account's next
// CDR, so the young generation copied it and promoted it, and it died in old space (more scavenge copying and more
// mark-compacts per CDR). Each account's text is what that string held: every entry's id followed by RING_SEP, in
// entry order. A code unit below 0x80 is one byte; any other UTF-16 code unit (a lone surrogate too) is three bytes,
// as UTF-8 writes a code point of the basic plane, so every string comes back exactly; 0xff never occurs, and pads
// the rows after the text. A text of no entries ('', read from old parts) is held apart from no ring (null).
// A text that outgrows its region moves once to one with room for the entries its ring still lacks (the engine says
// how many; until branch `exo5` it grew a row at a time, each row a move of the list and a hole for the compaction
// to slide out), so a region may hold several rows of padding while its ring fills; an id as long as the one it
// replaces is written over it in place. Pure.
import { RowLists } from '../../../src/rules/row-lists.js';

/** Ends each id in an account's ring text: validated ids have no control characters (src/events/validate.ts). */
export const RING_SEP = '\u001f';
/** RING_SEP as a byte. */
const SEP = 0x1f;

/** The ring's ids by entry (null: no ring). */
export function ringList(ids: string | null): string[] | null {
  if (ids === null) return null;
  const list = ids.split(RING_SEP);
  list.length--;
  return list;
}

/** The ring's ids as an account's ring text holds them (from a stored part's list). */
export function ringText(list: readonly string[] | null): string | null {
  if (list === null) return null;
  return list.map((id) => (id.includes(RING_SEP) ? '' : id) + RING_SEP).join('');
}
const PAD = 0xff;

/** Rows a ring's first region holds (RowLists' first class): a text grows into them without a move. */
const FIRST_ROWS = 4;

export class RingIds {
  lists = new RowLists(1, FIRST_ROWS);
  /** Accounts whose text is '' (no row): entries of no ids. */
  private readonly empty = new Set<number>();
  /** A new entry's bytes. */
  private scratch = new Uint8Array(256);
  /** An account's text while its region is replaced by a larger one. */
  private keep = new Uint8Array(256);

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.lists.grow(capacity);
  }

  free(ix: number): void {
    this.lists.free(ix);
    if (this.empty.size > 0) this.empty.delete(ix);
  }

  /** Array-buffer bytes the account's text takes (as RowLists.bytes). */
  bytes(ix: number): number {
    return this.lists.bytes(ix);
  }

  /** Compacts the store in place when holey (the engine's sweep). */
  compact(): void {
    this.lists.compact();
  }

  /** The account's text (null: no ring). */
  text(ix: number): string | null {
    const n = this.length(ix);
    if (n === 0) return this.empty.has(ix) ? '' : null;
    const at = this.lists.at(ix);
    const b = this.view(at);
    return decode(b, 8 * this.lists.base(at), n);
  }

  /** The account's ids by entry (null: no ring). */
  list(ix: number): string[] | null {
    return ringList(this.text(ix));
  }

  /** Replaces the account's text (null: no ring). */
  setText(ix: number, text: string | null): void {
    this.free(ix);
    if (text === null) return;
    if (text.length === 0) {
      this.empty.add(ix);
      return;
    }
    const n = this.encode(text, false);
    this.fit(ix, 0, n, 0);
    const at = this.lists.at(ix);
    this.view(at).set(this.scratch.subarray(0, n), 8 * this.lists.base(at));
  }

  /**
   * Appends an entry of `id` (one holding RING_SEP, never a validated id, is kept as ''). When the text must move to
   * a larger region, the region is made large enough for `more` further entries of this one's size too (the engine
   * passes the entries its ring still lacks), so a filling ring moves once, not a row at a time.
   */
  append(ix: number, id: string, more = 0): void {
    if (this.appendAscii(ix, id)) return;
    const len = this.length(ix);
    let m = this.encode(id, true);
    this.scratch[m++] = SEP;
    this.splice(ix, len, len, len, m, len + m * (1 + Math.max(0, more)));
  }

  /**
   * Replaces entry `j` by `id` (one holding RING_SEP is kept as ''). As the string code did (slices around the
   * separators), a text of fewer entries than `j` + 1 is spliced at its start or its last byte, so rings come out as
   * they did. An id of the entry's size is written over it in place.
   */
  replace(ix: number, j: number, id: string): void {
    if (this.replaceAscii(ix, j, id)) return;
    const m = this.encode(id, true);
    const len = this.length(ix);
    if (len === 0) {
      this.scratch[m] = SEP;
      return this.splice(ix, len, 0, 0, m + 1, 0);
    }
    const at = this.lists.at(ix);
    const b = this.view(at);
    const B = 8 * this.lists.base(at);
    let a = 0;
    let k = 0;
    for (let i = 0; k < j && i < len; i++) {
      if (b[B + i] === SEP) {
        k++;
        a = i + 1;
      }
    }
    if (k < j) {
      // fewer entries than j + 1: the string code's slices, as they were
      a = 0;
      for (let q = 0; q < j; q++) a = find(b, B, len, a) + 1;
    }
    const f = find(b, B, len, a);
    // the entry's separator stays (the string code kept the text from it on)
    const e = f >= 0 ? f : len - 1;
    if (e - a === m && e >= a) {
      const s = this.scratch;
      for (let i = 0; i < m; i++) b[B + a + i] = s[i]!;
      if (this.empty.size > 0) this.empty.delete(ix);
      return;
    }
    this.splice(ix, len, a, e, m, 0);
  }

  /**
   * `replace`'s common case in one pass and with no scratch (branch `keep6`): entry `j` of the text exists and holds
   * as many bytes as `id` has code units, all of them below 0x80 and not RING_SEP. The entry is found by scanning the
   * text up to its `j`th separator (the text holds no PAD byte, so the first PAD ends it, as `length` would say), and
   * `id` is written over it, checked unit by unit; false (the slow path then does what it always did) when any of
   * that does not hold. Bytes written before a unit that fails are ASCII other than SEP over bytes other than SEP and
   * PAD inside the same entry, so the slow path finds the same entry and the same text length, and rewrites it whole.
   */
  private replaceAscii(ix: number, j: number, id: string): boolean {
    const L = this.lists;
    const at = L.at(ix);
    if (at < 0) return false;
    const b = this.view(at);
    const B = 8 * L.base(at);
    const end = B + 8 * L.length(ix);
    let a = B;
    for (let k = 0; k < j; ) {
      if (a >= end) return false;
      const x = b[a++]!;
      if (x === SEP) k++;
      else if (x === PAD) return false;
    }
    const n = id.length;
    const e = a + n;
    if (e >= end || b[e] !== SEP) return false;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      const x = b[a + i]!;
      if (c >= 0x80 || c === SEP || x === SEP) return false;
      b[a + i] = c;
    }
    if (this.empty.size > 0) this.empty.delete(ix);
    return true;
  }

  /**
   * `append`'s common case (branch `keep6`): the account has a region with room after its text for `id` and its
   * separator, and `id`'s code units are all below 0x80 and not RING_SEP: its bytes are written after the text, as
   * `splice` would write them without a move. False, with the region as it was, otherwise.
   */
  private appendAscii(ix: number, id: string): boolean {
    const L = this.lists;
    const rows = L.length(ix);
    if (rows === 0) return false;
    const at = L.at(ix);
    const b = this.view(at);
    const start = 8 * L.base(at);
    const len = textLength(b, L.words(at), start, rows);
    const n = id.length;
    if (len + n + 1 > 8 * rows) return false;
    const p = start + len;
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80 || c === SEP) {
        b.fill(PAD, p, p + i);
        return false;
      }
      b[p + i] = c;
    }
    b[p + n] = SEP;
    if (this.empty.size > 0) this.empty.delete(ix);
    return true;
  }

  /**
   * The account's text (`len` bytes): bytes [0, a), then the `m` bytes of `scratch`, then bytes [e, len). A larger
   * region, when needed, has room for `room` bytes.
   */
  private splice(ix: number, len: number, a: number, e: number, m: number, room: number): void {
    const next = len - (e - a) + m;
    if (next > len) this.fit(ix, len, next, room);
    const at = this.lists.at(ix);
    const b = this.view(at);
    const B = 8 * this.lists.base(at);
    if (e < len) b.copyWithin(B + a + m, B + e, B + len);
    const s = this.scratch;
    for (let i = 0; i < m; i++) b[B + a + i] = s[i]!;
    if (next < len) this.shrink(ix, next);
    if (this.empty.size > 0) this.empty.delete(ix);
  }

  /**
   * Bytes of the account's text: its rows less the padding at their end (a region made larger than its text for
   * the entries to come is padded over several rows: read a word at a time).
   */
  private length(ix: number): number {
    const L = this.lists;
    const rows = L.length(ix);
    if (rows === 0) return 0;
    const at = L.at(ix);
    return textLength(this.view(at), L.words(at), 8 * L.base(at), rows);
  }

  /**
   * Gives the account's text (`len` bytes, padded after) room for `want` bytes. A first region holds FIRST_ROWS rows
   * (or the text); a larger one replaces a full region, with room for `room` bytes (the text is copied over).
   */
  private fit(ix: number, len: number, want: number, room: number): void {
    const L = this.lists;
    const rows = L.length(ix);
    if (8 * rows >= want) return;
    const target = rows === 0 ? Math.max(FIRST_ROWS, (want + 7) >> 3) : (Math.max(want, room) + 7) >> 3;
    if (len > 0) {
      if (this.keep.length < len) this.keep = new Uint8Array(2 * len);
      const at = L.at(ix);
      const B = 8 * L.base(at);
      const b = this.view(at);
      for (let i = 0; i < len; i++) this.keep[i] = b[B + i]!;
    }
    L.load(ix, zeros(target));
    const at = L.at(ix);
    const B = 8 * L.base(at);
    const b = this.view(at);
    for (let i = 0; i < len; i++) b[B + i] = this.keep[i]!;
    b.fill(PAD, B + len, B + 8 * target);
  }

  /** The account's text now ends at `next` bytes: pads the rest; a region four times too large shrinks, as before. */
  private shrink(ix: number, next: number): void {
    const L = this.lists;
    const rows = L.length(ix);
    const want = (next + 7) >> 3;
    if (want === 0) return L.free(ix);
    if (4 * want < rows) L.truncate(ix, want);
    const at = L.at(ix);
    const B = 8 * L.base(at);
    this.view(at).fill(PAD, B + next, B + 8 * L.length(ix));
  }

  /** `s`'s bytes into `scratch` (room for one more after them); returns how many (0 when `noSep` and it holds RING_SEP). */
  private encode(s: string, noSep: boolean): number {
    if (this.scratch.length < 3 * s.length + 1) this.scratch = new Uint8Array(3 * s.length + 1);
    const out = this.scratch;
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c === SEP && noSep) return 0;
        out[n++] = c;
      } else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 0x3f);
      } else {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 0x3f);
        out[n++] = 0x80 | (c & 0x3f);
      }
    }
    return n;
  }

  /** The chunk holding region `at` as bytes (index it from 8 x `base(at)`). */
  private view(at: number): Uint8Array {
    return this.lists.arena.octets(at);
  }
}

/** Arrays of `n` zeros, for RowLists.load (made once per length). */
const ZEROS: number[][] = [];
function zeros(n: number): number[] {
  if (n > 256) return new Array<number>(n).fill(0);
  return (ZEROS[n] ??= new Array<number>(n).fill(0));
}

/** Bytes of the text at byte `start` of `b` (`w` its int32 view) in `rows` rows, less the PAD bytes after it. */
function textLength(b: Uint8Array, w: Int32Array, start: number, rows: number): number {
  const q0 = start >> 2;
  let q = q0 + 2 * rows;
  while (q > q0 && w[q - 1] === -1) q--;
  let end = 4 * q;
  while (end > start && b[end - 1] === PAD) end--;
  return end - start;
}

/** The first SEP byte at or after `from` of the text at `B` of `len` bytes, or -1. */
function find(b: Uint8Array, B: number, len: number, from: number): number {
  for (let i = from; i < len; i++) if (b[B + i] === SEP) return i;
  return -1;
}

/** The string of `n` bytes at `B` (as `encode` wrote it). */
function decode(b: Uint8Array, B: number, n: number): string {
  const units: number[] = [];
  for (let i = B, e = B + n; i < e; ) {
    const x = b[i]!;
    if (x < 0x80) {
      units.push(x);
      i++;
    } else if (x < 0xe0) {
      units.push(((x & 0x1f) << 6) | (b[i + 1]! & 0x3f));
      i += 2;
    } else {
      units.push(((x & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
      i += 3;
    }
  }
  let s = '';
  for (let k = 0; k < units.length; k += 4096) s += String.fromCharCode(...units.slice(k, k + 4096));
  return s;
}
