// Sliding windows for a group of windowed rules sharing one window length (WindowPlan.groups), for ALL accounts of
// an engine, on event time, exact under out-of-order arrival. Each account has ONE event log per group: rows sorted
// by time (time, then the columns its measures need, then a bitmask of the group's rules the event counts for),
// held as a region of the group's row arena (row-arena.ts) and found through per-account-number int32 fields
// (`meta`: region, its class, first live row, end of the live rows, cursor block). No per-account object.
// A query for a rule (slot) over the rows [lo, hi):
// - a window of at most `scanUpTo` rows is answered by scanning them (count, sum, or the brute-force distinct
//   measures below), with no state;
// - a busier window keeps a cursor [lo, hi) and running aggregate (count, sum) in the account's cursor block (one
//   block per account with any, a record per slot, lo = -1 for a slot without one); a query moves the two ends,
//   adding or removing the rows whose bit is set (amortised O(1) as windows slide forward). A record is dropped
//   when its window falls to half the scan limit. Distinct measures keep Maps and a histogram of counts (KeyIndex)
//   once their window holds more than `indexAbove` events, so removals stay O(1); below, a scan.
// Cursors, aggregates and indexes are derived: a restored log has none and the next query rebuilds them.
// A row's time and its last column (the mask; in a one-slot sum group, the value) are packed into one double's room
// while every row fits (packed-pairs.ts: the time an offset from the group's base, the other an int32), so a row
// takes one double less; until a sweep finds them fitting again, a row that does not fit (an absurd or fractional
// time, a cost past an int32) keeps every row of the group wide, as the snapshot numbers them. Pure.
import { PackedPairs, type Layout } from './packed-pairs.js';
import { capOf, classFor, copy, RowArena, withRoom } from './row-arena.js';
import { KeyIndex, scanKeys, WindowKind, type GroupSpec } from './window-keys.js';

export { WindowKind } from './window-keys.js';

/** Key measures keep no Maps while their window holds at most this many events: a scan is cheaper and smaller. */
const INDEX_ABOVE = 24;
/** Windows of at most this many rows are scanned; busier ones keep a cursor record. */
const SCAN_UP_TO = 16;
/** A new log's class: room for 2 rows (a move saved for most logs, a row's room lost for logs of one). */
const FIRST_CLASS = 1;

export type { GroupSpec } from './window-keys.js';

/** Overridable by tests, to drive every path: scanned and cursored windows, scanned and indexed key measures. */
export class WindowState {
  static indexAbove = INDEX_ABOVE;
  static scanUpTo = SCAN_UP_TO;
}

// `meta` fields per account number: region (-1: none); first live row (bits 0-23), the region's class (24-29) and
// whether the account has a cursor block (bit 30, the block in `cursorOf`); end of the live rows (rows are counted
// from the region's start). A log holds at most 2^24 rows, as a row list (row-lists.ts).
const M = 3;
const AT = 0;
const HC = 1;
const END = 2;
const HEAD_MASK = (1 << 24) - 1;
const CLS_SHIFT = 24;
const CLS_MASK = 0x3f;
const HAS_CUR = 1 << 30;
const MAX_ROWS = 1 << 24;
// A cursor record (per slot, in the account's block): its window [lo, hi) (lo = -1: no record), the count of its
// rows there and the sum of their values.
const F = 4;
const LO = 0;
const HI = 1;
const CNT = 2;
const SUM = 3;


/** A KeyIndex Map entry (key, count) with its share of the table, for estimates. */
const INDEX_ENTRY = 40;

/** One window group's logs of every account, by account number (EngineState.accounts). */
export class GroupLogs {
  arena: RowArena;
  /** Numbers per row as the snapshot holds them (time first); `S` is the doubles a row takes now. */
  private readonly S0: number;
  private S: number;
  private readonly mc: number;
  /** The column packed with the time (the mask, or a one-slot sum's value: the last column), or -1: none. */
  private readonly pc: number;
  /** How the time and column `pc` pack (null: no column packs, rows stay as the snapshot numbers them). */
  private pp: PackedPairs | null;
  /** Doubles per cursor block (F per slot). */
  private readonly BS: number;
  private meta = new Int32Array(0);
  private cap = 0;
  private inUse = false;
  private blocks = new Float64Array(0);
  /** Cursor blocks by the account's `meta` offset (only accounts with a busy window have one). */
  private readonly cursorOf = new Map<number, number>();
  private blockTop = 0;
  private readonly blockFree: number[] = [];
  /** Per cursor block: the key indexes of its slots (null: none). */
  private readonly keys: ((KeyIndex | null)[] | null)[] = [];

  constructor(readonly spec: GroupSpec) {
    this.S0 = spec.stride;
    this.mc = spec.maskCol;
    this.BS = F * spec.rules.length;
    const sum = spec.rules.length === 1 && spec.kinds[0] === WindowKind.Sum && spec.stride === 2;
    this.pc = spec.maskCol >= 0 || sum ? spec.stride - 1 : -1;
    this.pp = this.pc < 0 ? null : new PackedPairs({ twoTimes: false, zero: false, gap: this.pc });
    this.S = this.pc < 0 ? spec.stride : spec.stride - 1;
    this.arena = new RowArena(this.S);
  }

  /** Whether rows are held as the snapshot numbers them (for tests): no packed column, or a row did not fit. */
  get wideRows(): boolean {
    return this.pp === null || this.pp.wide;
  }

  /** The time of the row at `i` (the index of its first double in `d`; `w` is `d` as int32s). */
  private timeAt(d: Float64Array, w: Int32Array, i: number): number {
    const pp = this.pp;
    return pp === null ? d[i]! : pp.time(d, w, i);
  }

  /** Column `c` (as the snapshot numbers them, c >= 1) of the row at `i`. */
  private colAt(d: Float64Array, w: Int32Array, i: number, c: number): number {
    return c === this.pc ? this.pp!.partner(d, w, i) : d[i + c]!;
  }

  /** Writes a row (`row` as the snapshot numbers them) at `i`; narrow, it must fit. */
  private putRow(d: Float64Array, w: Int32Array, i: number, row: readonly number[], from = 0): void {
    const pp = this.pp;
    if (pp === null || pp.wide) {
      for (let k = 0; k < this.S0; k++) d[i + k] = row[from + k]!;
      return;
    }
    pp.put(d, w, i, row[from]!, row[from + this.pc]!);
    for (let k = 1; k < this.S; k++) d[i + k] = row[from + k]!;
  }

  private headAt(o: number): number {
    return this.meta[o + HC]! & HEAD_MASK;
  }

  private clsAt(o: number): number {
    return (this.meta[o + HC]! >> CLS_SHIFT) & CLS_MASK;
  }

  /** The account's cursor block, or -1. */
  private curAt(o: number): number {
    return (this.meta[o + HC]! & HAS_CUR) === 0 ? -1 : this.cursorOf.get(o)!;
  }

  private setHead(o: number, h: number): void {
    this.meta[o + HC] = (this.meta[o + HC]! & ~HEAD_MASK) | h;
  }

  private setCls(o: number, c: number): void {
    if (capOf(c) > MAX_ROWS) throw new Error(`a window log of one account past ${MAX_ROWS} rows`);
    this.meta[o + HC] = (this.meta[o + HC]! & ~(CLS_MASK << CLS_SHIFT)) | (c << CLS_SHIFT);
  }

  private setCur(o: number, b: number): void {
    if (b < 0) {
      this.cursorOf.delete(o);
      this.meta[o + HC]! &= ~HAS_CUR;
    } else {
      this.cursorOf.set(o, b);
      this.meta[o + HC]! |= HAS_CUR;
    }
  }

  /** The int32 view for packed masks (`scanKeys`), or null while the mask is a column of its own. */
  private maskWords(w: Int32Array): Int32Array | null {
    return this.mc >= 0 && !this.wideRows ? w : null;
  }

  /** Account numbers below `capacity` may be used (the per-account fields exist once the group is in use). */
  grow(capacity: number): void {
    this.cap = capacity;
    if (!this.inUse) return;
    const next = new Int32Array(capacity * M);
    next.set(this.meta);
    for (let o = this.meta.length; o < next.length; o += M) {
      next[o + AT] = -1;
    }
    this.meta = next;
  }

  /**
   * Called before the first insert or load: a group no record has reached (a rule that never matched) keeps no
   * per-account fields.
   */
  use(): void {
    if (this.inUse) return;
    this.inUse = true;
    this.grow(this.cap);
  }

  /** Live rows of account `ix`. */
  length(ix: number): number {
    const o = ix * M;
    if (o >= this.meta.length) return 0;
    return this.meta[o + END]! - this.headAt(o);
  }

  /** Adds a row (`row` holds its stride numbers, time first) at its time order; rows of equal time keep arrival order. */
  insert(ix: number, row: readonly number[]): void {
    const pp = this.pp;
    if (pp !== null && !pp.wide && !pp.fits(row[0]!, row[this.pc]!)) this.relayout({ wide: true, base: pp.base });
    const m = this.meta;
    const o = ix * M;
    const S = this.S;
    if (m[o + AT]! < 0) {
      m[o + AT] = this.arena.alloc(FIRST_CLASS);
      m[o + HC]! &= HAS_CUR;
      this.setCls(o, FIRST_CLASS);
      m[o + END] = 0;
    }
    if (m[o + END]! >= capOf(this.clsAt(o))) {
      this.makeRoom(ix);
      if (this.arena.sparse()) this.relayout(null);
    }
    const h = this.headAt(o);
    const n = m[o + END]!;
    const d = this.arena.chunk(m[o + AT]!);
    const w = this.arena.words(m[o + AT]!);
    const B = this.arena.base(m[o + AT]!);
    const time = row[0]!;
    let p = n;
    while (p > h && this.timeAt(d, w, B + (p - 1) * S) > time) p--;
    if (p < n) d.copyWithin(B + (p + 1) * S, B + p * S, B + n * S);
    this.putRow(d, w, B + p * S, row);
    m[o + END] = n + 1;
    const b = this.curAt(o);
    if (b < 0) return;
    const mask = this.mc < 0 ? 1 : row[this.mc]!;
    const c = this.blocks;
    for (let s = 0, r = b * this.BS; s < this.spec.rules.length; s++, r += F) {
      const lo = c[r + LO]!;
      if (lo < 0) continue;
      if (p < lo) {
        c[r + LO] = lo + 1;
        c[r + HI]!++;
      } else if (p < c[r + HI]!) {
        c[r + HI]!++;
        if ((mask & (1 << s)) !== 0) this.add(d, w, B, b, s, r, p);
      }
    }
  }

  /** Drops rows older than `before`; no later query reaches them. An emptied log gives its region back. */
  evict(ix: number, before: number): void {
    const m = this.meta;
    const o = ix * M;
    const at = m[o + AT]!;
    if (at < 0) return;
    const S = this.S;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    const n = m[o + END]!;
    const h0 = this.headAt(o);
    let h = h0;
    while (h < n && this.timeAt(d, w, B + h * S) < before) h++;
    if (h === h0) return;
    const b = this.curAt(o);
    if (b >= 0) {
      const c = this.blocks;
      for (let s = 0, r = b * this.BS; s < this.spec.rules.length; s++, r += F) {
        let lo = c[r + LO]!;
        if (lo < 0) continue;
        const hi = c[r + HI]!;
        while (lo < h && lo < hi) {
          if (this.has(d, w, B, s, lo)) this.remove(d, w, B, b, s, r, lo);
          lo++;
        }
        if (lo < h) lo = h;
        c[r + LO] = lo;
        if (hi < lo) c[r + HI] = lo;
      }
    }
    if (h === n) return this.free(ix);
    this.setHead(o, h);
    const live = n - h;
    if (capOf(this.clsAt(o)) > 4 * Math.max(2, live)) this.move(ix, classFor(2 * live));
  }

  /** Lowest live row whose time is >= x (or > x when `after`). */
  bound(ix: number, x: number, after: boolean): number {
    const m = this.meta;
    const o = ix * M;
    let a = this.headAt(o);
    let z = m[o + END]!;
    if (m[o + AT]! < 0) return a;
    const d = this.arena.chunk(m[o + AT]!);
    const w = this.arena.words(m[o + AT]!);
    const B = this.arena.base(m[o + AT]!);
    const S = this.S;
    while (a < z) {
      const mid = (a + z) >>> 1;
      const tm = this.timeAt(d, w, B + mid * S);
      if (after ? tm <= x : tm < x) a = mid + 1;
      else z = mid;
    }
    return a;
  }

  /** Slot `s`'s measure over account `ix`'s rows [lo, hi) (from `bound`). */
  query(ix: number, s: number, lo: number, hi: number): number {
    const m = this.meta;
    const o = ix * M;
    const at = m[o + AT]!;
    if (at < 0) return 0;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    let b = this.curAt(o);
    if (b >= 0 && this.blocks[b * this.BS + s * F + LO]! >= 0) return this.moveCursor(d, w, B, ix, b, s, lo, hi);
    if (hi - lo <= WindowState.scanUpTo) {
      const kind = this.spec.kinds[s]!;
      if (kind === WindowKind.Sum) return this.sumOf(d, w, B, s, lo, hi);
      const count = this.countOf(d, w, B, s, lo, hi);
      if (kind === WindowKind.Count) return count;
      if (count <= WindowState.indexAbove) return scanKeys(d, this.maskWords(w), B, this.S, this.mc, this.spec, s, lo, hi);
    }
    // a busy window: a cursor record, an empty window at the head that the query moves from
    if (b < 0) this.setCur(o, (b = this.newBlock()));
    const r = b * this.BS + s * F;
    this.blocks[r + LO] = this.blocks[r + HI] = this.headAt(o);
    this.blocks[r + CNT] = this.blocks[r + SUM] = 0;
    return this.moveCursor(d, w, B, ix, b, s, lo, hi);
  }

  /** Account `ix`'s live rows, flat (for the snapshot). */
  rows(ix: number): number[] {
    const o = ix * M;
    const h = this.headAt(o);
    const n = this.meta[o + END]!;
    const at = this.meta[o + AT]!;
    if (at < 0 || n === h) return [];
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    const S0 = this.S0;
    const out = new Array<number>((n - h) * S0);
    for (let j = 0; j < n - h; j++) {
      const i = B + (h + j) * this.S;
      out[j * S0] = this.timeAt(d, w, i);
      for (let k = 1; k < S0; k++) out[j * S0 + k] = this.colAt(d, w, i, k);
    }
    return out;
  }

  /** Gives account `ix` (with no log yet) the rows of a snapshot, flat and sorted. */
  load(ix: number, rows: readonly number[]): void {
    const S0 = this.S0;
    const n = rows.length / S0;
    if (n === 0) return;
    this.free(ix);
    for (let j = 0; j < n && this.pp !== null && !this.pp.wide; j++) {
      if (!this.pp.fits(rows[j * S0]!, rows[j * S0 + this.pc]!)) this.relayout({ wide: true, base: this.pp.base });
    }
    const c = classFor(n);
    const at = this.arena.alloc(c);
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    for (let j = 0; j < n; j++) this.putRow(d, w, B + j * this.S, rows, j * S0);
    const o = ix * M;
    this.meta[o + AT] = at;
    this.setHead(o, 0);
    this.setCls(o, c);
    this.meta[o + END] = n;
  }

  /** Releases account `ix`'s region and cursors. */
  free(ix: number): void {
    const m = this.meta;
    const o = ix * M;
    if (o >= m.length) return;
    if (m[o + AT]! >= 0) this.arena.release(m[o + AT]!, this.clsAt(o));
    const b = this.curAt(o);
    if (b >= 0) {
      this.keys[b] = null;
      this.blockFree.push(b);
      this.cursorOf.delete(o);
    }
    m[o + AT] = -1;
    m[o + HC] = m[o + END] = 0;
  }

  /** Estimated bytes account `ix` holds here: its region, its meta fields, its cursor block and key indexes. */
  bytes(ix: number): number {
    const o = ix * M;
    if (o >= this.meta.length) return 0;
    let n = 4 * M;
    if (this.meta[o + AT]! >= 0) n += 8 * this.S * capOf(this.clsAt(o));
    const b = this.curAt(o);
    if (b >= 0) {
      n += 8 * this.BS;
      for (const x of this.keys[b] ?? []) if (x) n += 120 + INDEX_ENTRY * (x.counts.size + (x.groups?.size ?? 0)) + 8 * x.freq.length;
    }
    return n;
  }

  /** Whether account `ix` keeps a cursor record for slot `s` (for tests). */
  cursored(ix: number, s: number): boolean {
    const b = this.curAt(ix * M);
    return b >= 0 && this.blocks[b * this.BS + s * F + LO]! >= 0;
  }

  /**
   * Called at the engine's sweep: moves the packed times' base up when their offsets pass half the limit, goes back
   * to packed rows when every row fits again, else repacks when holes pass a sixteenth of the rows in use.
   */
  compact(): void {
    const next = this.pp?.relayout((fn) => {
      const m = this.meta;
      for (let o = 0; o < m.length; o += M) {
        const at = m[o + AT]!;
        if (at < 0) continue;
        const d = this.arena.chunk(at);
        const w = this.arena.words(at);
        const B = this.arena.base(at);
        for (let p = this.headAt(o); p < m[o + END]!; p++) fn(this.timeAt(d, w, B + p * this.S), this.colAt(d, w, B + p * this.S, this.pc));
      }
    });
    if (next) this.relayout(next);
    else if (this.arena.holey()) this.relayout(null);
  }

  /**
   * Moves every account's live rows into a fresh arena, packed (classes kept), with rows in `layout` (packed: every
   * row must fit; null: as they are), and drops the old one.
   */
  private relayout(layout: Layout | null): void {
    const from = this.pp;
    const to = layout === null || from === null ? from : from.to(layout);
    const S1 = this.S;
    const S2 = to === from ? S1 : to!.wide ? this.S0 : this.S0 - 1;
    const old = this.arena;
    const fresh = new RowArena(S2, withRoom(Math.ceil((old.used / S1) * S2)));
    const m = this.meta;
    for (let o = 0; o < m.length; o += M) {
      const at = m[o + AT]!;
      if (at < 0) continue;
      const r = fresh.alloc(this.clsAt(o));
      const d = old.chunk(at);
      const B = old.base(at);
      const T = fresh.base(r);
      const h = this.headAt(o);
      const n = m[o + END]! - h;
      if (to === from) copy(d, B + h * S1, fresh.chunk(r), T, n * S1);
      else {
        const w = old.words(at);
        const d2 = fresh.chunk(r);
        const w2 = fresh.words(r);
        for (let p = 0; p < n; p++) {
          // the columns between the time and the packed one keep their places in either layout
          const i = B + (h + p) * S1;
          const j = T + p * S2;
          for (let k = 1; k < this.pc; k++) d2[j + k] = d[i + k]!;
          to!.put(d2, w2, j, from!.time(d, w, i), from!.partner(d, w, i));
        }
      }
      m[o + AT] = r;
      m[o + END] = n;
      this.shiftCursors(this.curAt(o), h);
      this.setHead(o, 0);
    }
    this.pp = to;
    this.S = S2;
    this.arena = fresh;
  }

  /** A full region: compacts it in place when a quarter or more of it is dead rows, else moves it to the next class. */
  private makeRoom(ix: number): void {
    const m = this.meta;
    const o = ix * M;
    const h = this.headAt(o);
    const n = m[o + END]!;
    if (h * 4 < n) return this.move(ix, classFor(n - h + 1));
    const S = this.S;
    const at = m[o + AT]!;
    const B = this.arena.base(at);
    this.arena.chunk(at).copyWithin(B, B + h * S, B + n * S);
    this.setHead(o, 0);
    m[o + END] = n - h;
    this.shiftCursors(this.curAt(o), h);
  }

  /** Moves account `ix`'s live rows to the start of a new region of class `c` (which holds them). */
  private move(ix: number, c: number): void {
    const m = this.meta;
    const o = ix * M;
    const h = this.headAt(o);
    const n = m[o + END]!;
    const S = this.S;
    const from = m[o + AT]!;
    const to = this.arena.alloc(c);
    const B = this.arena.base(from);
    copy(this.arena.chunk(from), B + h * S, this.arena.chunk(to), this.arena.base(to), (n - h) * S);
    this.arena.release(from, this.clsAt(o));
    m[o + AT] = to;
    this.setCls(o, c);
    this.setHead(o, 0);
    m[o + END] = n - h;
    this.shiftCursors(this.curAt(o), h);
  }

  private shiftCursors(b: number, h: number): void {
    if (b < 0 || h === 0) return;
    const c = this.blocks;
    for (let s = 0, r = b * this.BS; s < this.spec.rules.length; s++, r += F) {
      if (c[r + LO]! < 0) continue;
      c[r + LO]! -= h;
      c[r + HI]! -= h;
    }
  }

  private newBlock(): number {
    const b = this.blockFree.length > 0 ? this.blockFree.pop()! : this.blockTop++;
    if ((b + 1) * this.BS > this.blocks.length) {
      const next = new Float64Array(Math.max(64 * this.BS, 2 * this.blocks.length));
      next.set(this.blocks);
      this.blocks = next;
    }
    for (let s = 0, r = b * this.BS; s < this.spec.rules.length; s++, r += F) this.blocks[r + LO] = -1;
    this.keys[b] = null;
    return b;
  }

  /** Moves slot `s`'s cursor record to [lo, hi) and returns its measure; drops the record once the window is small. */
  private moveCursor(d: Float64Array, w: Int32Array, B: number, ix: number, b: number, s: number, lo: number, hi: number): number {
    const c = this.blocks;
    const r = b * this.BS + s * F;
    let clo = c[r + LO]!;
    let chi = c[r + HI]!;
    while (chi < hi) {
      if (this.has(d, w, B, s, chi)) this.add(d, w, B, b, s, r, chi);
      chi++;
    }
    while (clo > lo) {
      clo--;
      if (this.has(d, w, B, s, clo)) this.add(d, w, B, b, s, r, clo);
    }
    while (chi > hi) {
      chi--;
      if (this.has(d, w, B, s, chi)) this.remove(d, w, B, b, s, r, chi);
    }
    while (clo < lo) {
      if (this.has(d, w, B, s, clo)) this.remove(d, w, B, b, s, r, clo);
      clo++;
    }
    c[r + LO] = clo;
    c[r + HI] = chi;
    const kind = this.spec.kinds[s]!;
    let value: number;
    if (kind === WindowKind.Count) value = c[r + CNT]!;
    else if (kind === WindowKind.Sum) value = c[r + SUM]!;
    else {
      this.reindex(d, w, B, b, s, r);
      const x = this.keys[b]?.[s];
      if (x) return kind === WindowKind.Distinct ? x.counts.size : x.max;
      value = scanKeys(d, this.maskWords(w), B, this.S, this.mc, this.spec, s, lo, hi);
    }
    if (hi - lo <= WindowState.scanUpTo >> 1) this.dropCursor(ix, b, r);
    return value;
  }

  /** Drops a record (no key index); the block goes when it holds none. */
  private dropCursor(ix: number, b: number, r: number): void {
    const c = this.blocks;
    c[r + LO] = -1;
    for (let q = b * this.BS; q < (b + 1) * this.BS; q += F) if (c[q + LO]! >= 0) return;
    this.keys[b] = null;
    this.blockFree.push(b);
    this.setCur(ix * M, -1);
  }

  private has(d: Float64Array, w: Int32Array, B: number, s: number, row: number): boolean {
    return this.mc < 0 || (this.colAt(d, w, B + row * this.S, this.mc) & (1 << s)) !== 0;
  }

  private countOf(d: Float64Array, w: Int32Array, B: number, s: number, lo: number, hi: number): number {
    if (this.mc < 0) return hi - lo;
    const bit = 1 << s;
    let n = 0;
    if (this.wideRows) {
      for (let i = B + lo * this.S + this.mc, e = B + hi * this.S; i < e; i += this.S) if ((d[i]! & bit) !== 0) n++;
    } else {
      for (let i = 2 * (B + lo * this.S), e = 2 * (B + hi * this.S); i < e; i += 2 * this.S) if ((w[i]! & bit) !== 0) n++;
    }
    return n;
  }

  private sumOf(d: Float64Array, w: Int32Array, B: number, s: number, lo: number, hi: number): number {
    const vc = this.spec.valCol[s]!;
    let sum = 0;
    for (let i = lo; i < hi; i++) if (this.has(d, w, B, s, i)) sum += this.colAt(d, w, B + i * this.S, vc);
    return sum;
  }

  /** Builds the key index when the window grows past the limit; drops it when it shrinks well below. */
  private reindex(d: Float64Array, w: Int32Array, B: number, b: number, s: number, r: number): void {
    const n = this.blocks[r + CNT]!;
    const x = this.keys[b]?.[s];
    if (!x && n > WindowState.indexAbove) {
      const keys = (this.keys[b] ??= this.spec.rules.map(() => null));
      keys[s] = new KeyIndex();
      for (let i = this.blocks[r + LO]!; i < this.blocks[r + HI]!; i++) if (this.has(d, w, B, s, i)) this.index(d, w, B, b, s, i, 1);
    } else if (x && n <= WindowState.indexAbove >> 1) {
      this.keys[b]![s] = null;
    }
  }

  private add(d: Float64Array, w: Int32Array, B: number, b: number, s: number, r: number, row: number): void {
    const c = this.blocks;
    c[r + CNT]!++;
    const kind = this.spec.kinds[s]!;
    if (kind === WindowKind.Sum) c[r + SUM]! += this.colAt(d, w, B + row * this.S, this.spec.valCol[s]!);
    else if (kind >= WindowKind.Distinct && this.keys[b]?.[s]) this.index(d, w, B, b, s, row, 1);
  }

  private remove(d: Float64Array, w: Int32Array, B: number, b: number, s: number, r: number, row: number): void {
    const c = this.blocks;
    c[r + CNT]!--;
    const kind = this.spec.kinds[s]!;
    if (kind === WindowKind.Sum) c[r + SUM]! -= this.colAt(d, w, B + row * this.S, this.spec.valCol[s]!);
    else if (kind >= WindowKind.Distinct && this.keys[b]?.[s]) this.index(d, w, B, b, s, row, -1);
  }

  /** Adds (+1) or removes (-1) one row's key in slot `s`'s index. */
  private index(d: Float64Array, w: Int32Array, B: number, b: number, s: number, row: number, delta: 1 | -1): void {
    const x = this.keys[b]![s]!;
    const kind = this.spec.kinds[s]!;
    const k = this.colAt(d, w, B + row * this.S, this.spec.valCol[s]!);
    const before = x.counts.get(k) ?? 0;
    const after = before + delta;
    if (after === 0) x.counts.delete(k);
    else x.counts.set(k, after);
    if (kind === WindowKind.MostPerKey) x.bump(before, after);
    else if (kind === WindowKind.RangeScan && (before === 0 || after === 0)) {
      const groups = (x.groups ??= new Map());
      const g = d[B + row * this.S + this.spec.grpCol[s]!]!;
      const size = groups.get(g) ?? 0;
      if (size + delta === 0) groups.delete(g);
      else groups.set(g, size + delta);
      x.bump(size, size + delta);
    }
  }

}
