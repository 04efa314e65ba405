// The code as it was on main before branch `exo5` (issue 17, per-account bookkeeping), kept as the oracle of the
// property tests that check the rewrite decides and stores the same (test/unit/rules/ring-bookkeeping-oracle.test.ts).
// The evidence ring's ids of every account (EngineState.ringIds), as bytes in a row list store (row-lists.ts, 8
// bytes a row), so that remembering a matched CDR allocates nothing. Until issue 17's third engine-CPU pass the ids
// were one string per account, rebuilt for every matched CDR: a ~100-byte string that lived until the account's next
// CDR, so the young generation copied it and promoted it, and it died in old space (more scavenge copying and more
// mark-compacts per CDR). Each account's text is what that string held: every entry's id followed by RING_SEP, in
// entry order. A code unit below 0x80 is one byte; any other UTF-16 code unit (a lone surrogate too) is three bytes,
// as UTF-8 writes a code point of the basic plane, so every string comes back exactly; 0xff never occurs, and pads
// the last row. A text of no entries ('', read from old parts) is held apart from no ring (null). Pure.
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

export class RingIds {
  lists = new RowLists(1, 4);
  /** Accounts whose text is '' (no row): entries of no ids. */
  private readonly empty = new Set<number>();
  /** A new entry's bytes. */
  private scratch = new Uint8Array(256);

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
    const n = this.encode(text);
    this.resize(ix, 0, n);
    const at = this.lists.at(ix);
    this.view(at).set(this.scratch.subarray(0, n), 8 * this.lists.base(at));
  }

  /** Appends an entry of `id` (which holds no RING_SEP). */
  append(ix: number, id: string): void {
    const len = this.length(ix);
    this.splice(ix, len, len, id, true);
  }

  /**
   * Replaces entry `j` by `id` (which holds no RING_SEP). As the string code did (slices around the separators), a
   * text of fewer entries than `j` + 1 is spliced at its start or its last byte, so rings come out as they did.
   */
  replace(ix: number, j: number, id: string): void {
    const len = this.length(ix);
    if (len === 0) return this.splice(ix, 0, 0, id, true);
    const at = this.lists.at(ix);
    const b = this.view(at);
    const B = 8 * this.lists.base(at);
    let a = 0;
    for (let k = 0; k < j; k++) a = find(b, B, len, a) + 1;
    const e = find(b, B, len, a);
    // the entry's separator stays (the string code kept the text from it on)
    this.splice(ix, a, e >= 0 ? e : len - 1, id, false);
  }

  /** The account's text: bytes [0, a), then `id`'s bytes (and RING_SEP with `sep`), then bytes [e, end). */
  private splice(ix: number, a: number, e: number, id: string, sep: boolean): void {
    const len = this.length(ix);
    let m = this.encode(id);
    if (sep) this.scratch[m++] = SEP;
    const next = len - (e - a) + m;
    if (next > len) this.resize(ix, len, next);
    const at = this.lists.at(ix);
    const b = this.view(at);
    const B = 8 * this.lists.base(at);
    if (e < len) b.copyWithin(B + a + m, B + e, B + len);
    for (let i = 0; i < m; i++) b[B + a + i] = this.scratch[i]!;
    if (next < len) this.resize(ix, len, next);
    if (this.empty.size > 0) this.empty.delete(ix);
  }

  /** Bytes of the account's text: its rows less the padding of the last. */
  private length(ix: number): number {
    const rows = this.lists.length(ix);
    if (rows === 0) return 0;
    const at = this.lists.at(ix);
    const b = this.view(at);
    let end = 8 * (this.lists.base(at) + rows);
    const start = end - 8;
    while (end > start && b[end - 1] === PAD) end--;
    return end - 8 * this.lists.base(at);
  }

  /** Gives the account's text room for `next` bytes (it holds `len`), padding the last row. */
  private resize(ix: number, len: number, next: number): void {
    const rows = this.lists.length(ix);
    const want = (next + 7) >> 3;
    if (want > rows) for (let r = rows; r < want; r++) this.lists.insert(ix, r);
    else if (want < rows) this.lists.truncate(ix, want);
    if (want === 0) return;
    const at = this.lists.at(ix);
    const b = this.view(at);
    const B = 8 * this.lists.base(at);
    b.fill(PAD, B + Math.min(len, next), B + 8 * want);
  }

  /** `s`'s bytes into `scratch` (room for one more after them); returns how many. */
  private encode(s: string): number {
    if (this.scratch.length < 3 * s.length + 1) this.scratch = new Uint8Array(3 * s.length + 1);
    const out = this.scratch;
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) out[n++] = c;
      else if (c < 0x800) {
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
