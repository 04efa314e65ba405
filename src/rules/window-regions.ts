// Where one window group's logs (GroupLogs, window-state.ts) keep their rows: a region of the group's row arena
// (row-arena.ts) per account, from a first class of 2 rows, grown or compacted in place when full, shrunk when a
// quarter full, given back when emptied; at the engine's sweep, when holey, every region slid down over the holes in
// place (RowArena.slide, its dead rows dropped), and moved into a fresh arena only when the packed rows must turn
// wide, narrow again, or take a new base (packed-pairs.ts).
// Owns moving rows between regions and arenas, and telling the cursor records how far their rows moved. Never reads
// or changes a cursor record itself (window-state.ts does, through `shiftCursors`). Pure.
import type { Layout } from './packed-pairs.js';
import { capOf, classFor, copy, RowArena, withRoom } from './row-arena.js';
import { WindowMeta } from './window-meta.js';

/** A new log's class: room for 2 rows (a move saved for most logs, a row's room lost for logs of one). */
const FIRST_CLASS = 1;

export abstract class WindowRegions extends WindowMeta {
  /** Account `ix`'s live rows moved down by `h` rows: its cursor records follow them. */
  protected abstract shiftCursors(ix: number, h: number): void;
  /** Frees cursor block `b` (its account is being freed). */
  protected abstract releaseBlock(b: number): void;

  /**
   * Reads account `ix`'s live rows, a double in each 64 bytes (at most four) and the last (after `touch`, for the same
   * reason): a number to keep, so that the reads are not dropped.
   */
  touchRows(ix: number): number {
    const at = this.touch(ix);
    if (at < 0) return 0;
    const d = this.arena.chunk(at);
    const B = this.arena.base(at);
    const e = B + this.endOf(ix) * this.S;
    if (e === B) return 0;
    let x = d[e - 1]!;
    for (let i = B + this.headOf(ix) * this.S, k = 0; i < e && k < 4; i += 8, k++) x += d[i]!;
    return x;
  }

  /**
   * Adds a row (`row` holds its stride numbers, time first) to account `ix`'s log at its time order (rows of equal
   * time keep arrival order); returns its row number. The cursor records are the caller's to update.
   */
  protected insertRow(ix: number, row: readonly number[]): number {
    const pp = this.pp;
    if (pp !== null && !pp.wide) {
      if (!pp.fits(row[0]!, row[this.pc]!)) this.relayout({ wide: true, base: pp.base });
      else if (this.tb !== pp.base) this.packed(); // the first row set the base
    }
    if (this.regionOf(ix) < 0) this.setRegion(ix, this.arena.alloc(FIRST_CLASS), FIRST_CLASS, 0, 0);
    else if (this.endOf(ix) >= capOf(this.classOf(ix))) this.room(ix);
    const at = this.regionOf(ix);
    return this.placeRow(ix, this.arena.chunk(at), this.arena.words(at), this.arena.base(at), this.headOf(ix), this.endOf(ix), row);
  }

  /**
   * Puts `row` among account `ix`'s rows [h, n) of its region (d, w, B: with room for one more) at its time order,
   * after rows of equal time; returns its row number.
   */
  protected placeRow(ix: number, d: Float64Array, w: Int32Array, B: number, h: number, n: number, row: readonly number[]): number {
    const S = this.S;
    const time = row[0]!;
    // most rows are the newest: one compare
    let p = n;
    while (p > h && this.timeAt(d, w, B + (p - 1) * S) > time) p--;
    // rows [p, n) move up one, last first (a loop: a few doubles, cheaper than copyWithin's call)
    for (let i = B + n * S - 1, e = B + p * S; i >= e; i--) d[i + S] = d[i]!;
    this.putRow(d, w, B + p * S, row);
    this.setEnd(ix, n + 1);
    return p;
  }

  /** Account `ix`'s full region made room for a row (insertRow): its rows may move, and every account's. */
  protected room(ix: number): void {
    this.makeRoom(ix);
    if (this.arena.sparse()) this.slide();
  }

  /**
   * Makes row `h` account `ix`'s first live one (cursor records already past it): an emptied log is freed, unless
   * `refill` (a row comes next) and its region is of the first class, which a new log would take: it is kept, empty.
   */
  protected dropTo(ix: number, h: number, refill = false): void {
    const live = this.endOf(ix) - h;
    if (live === 0) {
      if (!refill || this.classOf(ix) !== FIRST_CLASS) return this.free(ix);
      const b = this.blockOf(ix);
      if (b >= 0) {
        this.releaseBlock(b);
        this.setBlock(ix, -1);
      }
      this.setRegion(ix, this.regionOf(ix), FIRST_CLASS, 0, 0);
      return;
    }
    this.setHead(ix, h);
    if (capOf(this.classOf(ix)) > 4 * Math.max(2, live)) this.move(ix, classFor(2 * live));
  }

  /** Releases account `ix`'s region and cursors. */
  free(ix: number): void {
    if (!this.known(ix)) return;
    if (this.regionOf(ix) >= 0) this.arena.release(this.regionOf(ix), this.classOf(ix));
    const b = this.blockOf(ix);
    if (b >= 0) this.releaseBlock(b);
    this.clear(ix);
  }

  /**
   * Called at the engine's sweep: moves the packed times' base up when their offsets pass half the limit, goes back
   * to packed rows when every row fits again, else compacts in place when holes pass a sixteenth of the rows in use.
   */
  compact(): void {
    const next = this.pp?.relayout((fn) => {
      for (let ix = 0; ix < this.accounts(); ix++) {
        const at = this.regionOf(ix);
        if (at < 0) continue;
        const d = this.arena.chunk(at);
        const w = this.arena.words(at);
        const B = this.arena.base(at);
        for (let p = this.headOf(ix); p < this.endOf(ix); p++) fn(this.timeAt(d, w, B + p * this.S), this.colAt(d, w, B + p * this.S, this.pc));
      }
    });
    if (next) this.relayout(next);
    else if (this.arena.holey()) this.slide(false);
  }

  /**
   * Slides the accounts' live rows down over the arena's holes, in place, each to the start of its region (classes
   * kept): every chunk, or the sweep's run of them (RowArena.slide).
   */
  private slide(whole = true): void {
    const arena = this.arena;
    arena.slide(
      whole,
      (order) => {
        for (let ix = 0; ix < this.accounts(); ix++) {
          const at = this.regionOf(ix);
          if (at >= 0) order.add(at, this.S * capOf(this.classOf(ix)), ix);
        }
      },
      (ix, from, to) => {
        const h = this.headOf(ix);
        if (from === to && h === 0) return;
        const n = this.endOf(ix) - h;
        copy(arena.chunk(from), arena.base(from) + h * this.S, arena.chunk(to), arena.base(to), n * this.S);
        this.setRegion(ix, to, this.classOf(ix), 0, n);
        this.shiftCursors(ix, h);
      },
    );
  }

  /**
   * Moves every account's live rows into a fresh arena, packed (classes kept), with rows in `layout` (packed: every
   * row must fit), and drops the old one.
   */
  protected relayout(layout: Layout): void {
    const from = this.pp;
    const to = from === null ? from : from.to(layout);
    const S1 = this.S;
    const S2 = to === from ? S1 : to!.wide ? this.S0 : this.S0 - 1;
    const old = this.arena;
    const fresh = new RowArena(S2, withRoom(Math.ceil((old.used / S1) * S2)));
    for (let ix = 0; ix < this.accounts(); ix++) {
      const at = this.regionOf(ix);
      if (at < 0) continue;
      const c = this.classOf(ix);
      const r = fresh.alloc(c);
      const d = old.chunk(at);
      const B = old.base(at);
      const T = fresh.base(r);
      const h = this.headOf(ix);
      const n = this.endOf(ix) - h;
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
      this.setRegion(ix, r, c, 0, n);
      this.shiftCursors(ix, h);
    }
    this.pp = to;
    this.S = S2;
    this.arena = fresh;
    this.packed();
  }

  /**
   * A full region: compacts it in place when a quarter or more of it is dead rows, or when its live rows and one more
   * need its class anyway, else moves them to the class that holds them and one more (the classes a region takes are
   * those of main before branch `win5`, which moved a region to a new one of its own class instead).
   */
  private makeRoom(ix: number): void {
    const h = this.headOf(ix);
    const n = this.endOf(ix);
    if (h * 4 < n) {
      const c = classFor(n - h + 1);
      if (c !== this.classOf(ix)) return this.move(ix, c);
    }
    const S = this.S;
    const at = this.regionOf(ix);
    const B = this.arena.base(at);
    const d = this.arena.chunk(at);
    // down over the dead rows: a forward copy (the target is below)
    for (let i = B + h * S, e = B + n * S, k = B; i < e; i++, k++) d[k] = d[i]!;
    this.setHead(ix, 0);
    this.setEnd(ix, n - h);
    this.shiftCursors(ix, h);
  }

  /** Moves account `ix`'s live rows to the start of a new region of class `c` (which holds them). */
  private move(ix: number, c: number): void {
    const h = this.headOf(ix);
    const n = this.endOf(ix);
    const S = this.S;
    const from = this.regionOf(ix);
    const to = this.arena.alloc(c);
    const B = this.arena.base(from);
    copy(this.arena.chunk(from), B + h * S, this.arena.chunk(to), this.arena.base(to), (n - h) * S);
    this.arena.release(from, this.classOf(ix));
    this.setRegion(ix, to, c, 0, n - h);
    this.shiftCursors(ix, h);
  }
}
