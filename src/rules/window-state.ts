// Sliding windows for a group of windowed rules sharing one window length (WindowPlan.groups), for ALL accounts of
// an engine, on event time, exact under out-of-order arrival. Each account has ONE event log per group: rows sorted
// by time (window-rows.ts), held as a region of the group's row arena (window-regions.ts) and found through
// per-account-number int32 fields (window-meta.ts). No per-account object. Stored parts: window-parts.ts.
// A query for a rule (slot) over the rows [lo, hi):
// - a window of at most `scanUpTo` rows is answered by scanning them (count, sum, or the brute-force distinct
//   measures of window-keys.ts), with no state;
// - a busier window keeps a cursor [lo, hi) and running aggregate (count, sum) in the account's cursor block (one
//   block per account with any, a record per slot, lo = -1 for a slot without one); a query moves the two ends,
//   adding or removing the rows whose bit is set (amortised O(1) as windows slide forward). A record is dropped
//   when its window falls to half the scan limit. Distinct measures keep Maps and a histogram of counts (KeyIndex)
//   once their window holds more than `indexAbove` events, so removals stay O(1); below, a scan.
// Owns the cursor blocks and the queries. Cursors, aggregates and indexes are derived: a restored log has none and
// the next query rebuilds them. Never lays out or moves rows itself. Pure.
import { capOf } from './row-arena.js';
import { KeyIndex, scanKeys, WindowKind } from './window-keys.js';
import { WindowParts } from './window-parts.js';

export { WindowKind } from './window-keys.js';
export type { GroupSpec } from './window-keys.js';

/** Key measures keep no Maps while their window holds at most this many events: a scan is cheaper and smaller. */
const INDEX_ABOVE = 24;
/** Windows of at most this many rows are scanned; busier ones keep a cursor record. */
const SCAN_UP_TO = 16;

/** Overridable by tests, to drive every path: scanned and cursored windows, scanned and indexed key measures. */
export class WindowState {
  static indexAbove = INDEX_ABOVE;
  static scanUpTo = SCAN_UP_TO;
}

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
export class GroupLogs extends WindowParts {
  /** Doubles per cursor block (F per slot). */
  private readonly BS = F * this.spec.rules.length;
  private blocks = new Float64Array(0);
  private blockTop = 0;
  private readonly blockFree: number[] = [];
  /** Per cursor block: the key indexes of its slots (null: none). */
  private readonly keys: ((KeyIndex | null)[] | null)[] = [];

  /** The query bounds [lo, hi) the last `feed` found. */
  lo = 0;
  hi = 0;

  /**
   * A record's work on account `ix`'s log, as evict(ix, before, true), insert(ix, row), then lo = bound(ix, from,
   * false) and hi = bound(ix, to, true) (into `lo` and `hi`), where before <= from <= the row's time: the row's place
   * p bounds the search for lo to [head, p], and hi is p + 1 when `to` is the row's time (the rows after p are later:
   * an in-order record, the common case, is judged at its own time).
   */
  feed(ix: number, row: readonly number[], before: number, from: number, to: number): void {
    const p = this.evictInsert(ix, row, before);
    const t = row[0]!;
    if (!(from <= t && t === to)) {
      this.lo = this.bound(ix, from, false);
      this.hi = this.bound(ix, to, true);
      return;
    }
    this.hi = p + 1;
    this.lo = this.bound(ix, from, false, p);
  }

  /**
   * evict(ix, before, true) then insert(ix, row) (returning the row's number), in one pass over the account's fields
   * and rows in the common case: a log with a region and no cursor block, rows that stay in their layout, room for the
   * row once the evicted ones are dropped (no move), and so no cursor records to update; else the two in turn.
   */
  private evictInsert(ix: number, row: readonly number[], before: number): number {
    const at = this.regionOf(ix);
    const pp = this.pp;
    if (at < 0 || this.blockOf(ix) >= 0 || (pp !== null && !pp.wide && (this.tb !== pp.base || !pp.fits(row[0]!, row[this.pc]!)))) {
      this.evict(ix, before, true);
      return this.insert(ix, row);
    }
    const S = this.S;
    let d = this.arena.chunk(at);
    let w = this.arena.words(at);
    let B = this.arena.base(at);
    let n = this.endOf(ix);
    const h0 = this.headOf(ix);
    let h = h0;
    while (h < n && this.timeAt(d, w, B + h * S) < before) h++;
    if (h !== h0) {
      // evict's own (no cursor records to move); a log moved to a smaller region or freed takes the row as insert does
      this.dropTo(ix, h, true);
      if (this.regionOf(ix) !== at) return this.insert(ix, row);
      h = this.headOf(ix);
      n = this.endOf(ix);
    }
    if (n >= capOf(this.classOf(ix))) {
      // insertRow's own: its rows move (to a larger region, or down over its dead rows), maybe every account's
      this.room(ix);
      const to = this.regionOf(ix);
      d = this.arena.chunk(to);
      w = this.arena.words(to);
      B = this.arena.base(to);
      h = this.headOf(ix);
      n = this.endOf(ix);
    }
    return this.placeRow(ix, d, w, B, h, n, row);
  }

  /**
   * Adds a row (`row` holds its stride numbers, time first) at its time order; rows of equal time keep arrival order.
   * Returns its row number.
   */
  insert(ix: number, row: readonly number[]): number {
    const p = this.insertRow(ix, row);
    const b = this.blockOf(ix);
    if (b < 0) return p;
    const at = this.regionOf(ix);
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
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
    return p;
  }

  /**
   * Drops rows older than `before`; no later query reaches them. An emptied log gives its region back, unless
   * `refill` (an insert comes next) and the region is the one a new log would take (WindowRegions.dropTo).
   */
  evict(ix: number, before: number, refill = false): void {
    const at = this.regionOf(ix);
    if (at < 0) return;
    const S = this.S;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    const n = this.endOf(ix);
    const h0 = this.headOf(ix);
    let h = h0;
    while (h < n && this.timeAt(d, w, B + h * S) < before) h++;
    if (h === h0) return;
    const b = this.blockOf(ix);
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
    this.dropTo(ix, h, refill);
  }

  /** Lowest live row below `end` (default: the log's end) whose time is >= x (or > x when `after`), else `end`. */
  bound(ix: number, x: number, after: boolean, end = this.endOf(ix)): number {
    let a = this.headOf(ix);
    let z = end;
    const at = this.regionOf(ix);
    if (at < 0) return a;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    const S = this.S;
    if (a === z) return a;
    // most bounds are at an end: the window's end past the newest row, its start at or before the oldest
    if (after ? this.timeAt(d, w, B + (z - 1) * S) <= x : this.timeAt(d, w, B + a * S) >= x) return after ? z : a;
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
    const at = this.regionOf(ix);
    if (at < 0) return 0;
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    let b = this.blockOf(ix);
    if (b >= 0 && this.blocks[b * this.BS + s * F + LO]! >= 0) return this.moveCursor(d, w, B, ix, b, s, lo, hi);
    if (hi - lo <= WindowState.scanUpTo) {
      const kind = this.spec.kinds[s]!;
      if (kind === WindowKind.Sum) return this.sumOf(d, w, B, s, lo, hi);
      const count = this.countOf(d, w, B, s, lo, hi);
      if (kind === WindowKind.Count) return count;
      if (count <= WindowState.indexAbove) return scanKeys(d, this.maskWords(w), B, this.S, this.mc, this.spec, s, lo, hi);
    }
    // a busy window: a cursor record, an empty window at the head that the query moves from
    if (b < 0) this.setBlock(ix, (b = this.newBlock()));
    const r = b * this.BS + s * F;
    this.blocks[r + LO] = this.blocks[r + HI] = this.headOf(ix);
    this.blocks[r + CNT] = this.blocks[r + SUM] = 0;
    return this.moveCursor(d, w, B, ix, b, s, lo, hi);
  }

  /**
   * Whether slot `s`'s query over [lo, hi) is a scan (no cursor record, few rows) of a count-type measure (not Sum),
   * so that its value is at most hi - lo (a row counts once; a key, or a key of a range, at most once a row) and
   * asking it changes nothing (FraudEngine.measure skips it when no such value can matter).
   */
  scanned(ix: number, s: number, lo: number, hi: number): boolean {
    // (query's scan of a key measure needs at most `indexAbove` of the rows counted, else it makes a cursor record)
    if (hi - lo > WindowState.scanUpTo || hi - lo > WindowState.indexAbove || this.spec.kinds[s] === WindowKind.Sum) return false;
    const b = this.blockOf(ix);
    return b < 0 || this.blocks[b * this.BS + s * F + LO]! < 0;
  }

  /** Estimated bytes account `ix` holds here: its region, its meta fields, its cursor block and key indexes. */
  bytes(ix: number): number {
    if (!this.known(ix)) return 0;
    let n = this.fieldsBytes();
    if (this.regionOf(ix) >= 0) n += 8 * this.S * capOf(this.classOf(ix));
    const b = this.blockOf(ix);
    if (b >= 0) {
      n += 8 * this.BS;
      for (const x of this.keys[b] ?? []) if (x) n += 120 + INDEX_ENTRY * (x.counts.size + (x.groups?.size ?? 0)) + 8 * x.freq.length;
    }
    return n;
  }

  /** Whether account `ix` keeps a cursor record for slot `s` (for tests). */
  cursored(ix: number, s: number): boolean {
    const b = this.blockOf(ix);
    return b >= 0 && this.blocks[b * this.BS + s * F + LO]! >= 0;
  }

  protected shiftCursors(ix: number, h: number): void {
    const b = this.blockOf(ix);
    if (b < 0 || h === 0) return;
    const c = this.blocks;
    for (let s = 0, r = b * this.BS; s < this.spec.rules.length; s++, r += F) {
      if (c[r + LO]! < 0) continue;
      c[r + LO]! -= h;
      c[r + HI]! -= h;
    }
  }

  protected releaseBlock(b: number): void {
    this.keys[b] = null;
    this.blockFree.push(b);
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
    this.releaseBlock(b);
    this.setBlock(ix, -1);
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
