// The per-account fields of one window group's logs (GroupLogs, window-state.ts): three int32s per account number
// (`meta`: region, its class, first live row, end of the live rows, whether the account has a cursor block), so an
// account's log is no object of its own, and the map from an account to its cursor block. Owns the layout of these
// fields and the reading and writing of each. Never reads or moves rows (window-rows.ts, window-regions.ts) and never
// reads a cursor block (window-state.ts). Pure.
import { capOf, growFields } from '../../../src/rules/row-arena.js';
import { WindowRows } from './window-rows.js';

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

export class WindowMeta extends WindowRows {
  private meta = new Int32Array(0);
  private cap = 0;
  private inUse = false;
  /** Cursor blocks by account number (only accounts with a busy window have one). */
  private readonly cursorOf = new Map<number, number>();

  /** Account numbers below `capacity` may be used (the per-account fields exist once the group is in use). */
  grow(capacity: number): void {
    this.cap = capacity;
    if (!this.inUse) return;
    this.meta = growFields(this.meta, capacity, M, AT);
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

  /**
   * Reads account `ix`'s fields and returns its region (or -1): called for each group a record is fed to before any
   * of them, so the fields' cache misses overlap rather than queue up, one group after another.
   */
  touch(ix: number): number {
    const o = ix * M;
    return o < this.meta.length ? this.meta[o + AT]! : -1;
  }

  /** Live rows of account `ix`. */
  length(ix: number): number {
    if (!this.known(ix)) return 0;
    return this.endOf(ix) - this.headOf(ix);
  }

  /** Account numbers with fields (below the capacity once in use, else none). */
  protected accounts(): number {
    return this.meta.length / M;
  }

  /** Whether account `ix` has fields (the group is in use and `ix` below its capacity). */
  protected known(ix: number): boolean {
    return ix * M < this.meta.length;
  }

  /** Account `ix`'s region, or -1. */
  protected regionOf(ix: number): number {
    return this.meta[ix * M + AT]!;
  }

  /** Account `ix`'s first live row. */
  protected headOf(ix: number): number {
    return this.meta[ix * M + HC]! & HEAD_MASK;
  }

  /** The end of account `ix`'s live rows. */
  protected endOf(ix: number): number {
    return this.meta[ix * M + END]!;
  }

  /** The class of account `ix`'s region. */
  protected classOf(ix: number): number {
    return (this.meta[ix * M + HC]! >> CLS_SHIFT) & CLS_MASK;
  }

  /** Account `ix`'s cursor block, or -1. */
  protected blockOf(ix: number): number {
    return (this.meta[ix * M + HC]! & HAS_CUR) === 0 ? -1 : this.cursorOf.get(ix)!;
  }

  /** Gives account `ix` region `at` of class `c`, with its live rows [head, end) (its cursor block stays). */
  protected setRegion(ix: number, at: number, c: number, head: number, end: number): void {
    if (capOf(c) > MAX_ROWS) throw new Error(`a window log of one account past ${MAX_ROWS} rows`);
    const o = ix * M;
    this.meta[o + AT] = at;
    this.meta[o + HC] = (this.meta[o + HC]! & HAS_CUR) | (c << CLS_SHIFT) | head;
    this.meta[o + END] = end;
  }

  protected setHead(ix: number, h: number): void {
    const o = ix * M + HC;
    this.meta[o] = (this.meta[o]! & ~HEAD_MASK) | h;
  }

  protected setEnd(ix: number, n: number): void {
    this.meta[ix * M + END] = n;
  }

  /** Sets account `ix`'s cursor block (-1: none). */
  protected setBlock(ix: number, b: number): void {
    const o = ix * M + HC;
    if (b < 0) {
      this.cursorOf.delete(ix);
      this.meta[o]! &= ~HAS_CUR;
    } else {
      this.cursorOf.set(ix, b);
      this.meta[o]! |= HAS_CUR;
    }
  }

  /** Clears account `ix`'s fields: no region, no cursor block. */
  protected clear(ix: number): void {
    const o = ix * M;
    this.cursorOf.delete(ix);
    this.meta[o + AT] = -1;
    this.meta[o + HC] = this.meta[o + END] = 0;
  }

  /** Bytes of one account's fields. */
  protected fieldsBytes(): number {
    return 4 * M;
  }

  /** Bytes of fields per account number (none while no record has reached the group). */
  fieldBytesPerNumber(): number {
    return this.inUse ? 4 * M : 0;
  }
}
