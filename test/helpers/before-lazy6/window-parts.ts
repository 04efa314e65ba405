// One window group's logs (GroupLogs, window-state.ts) as stored account parts hold them (engine-snapshot.ts): an
// account's live rows flat, each its stored stride numbers (time first, one column per source: window-columns.ts),
// whatever the rows' layout in the arena and whichever columns they share. Owns writing them out and loading them
// back. Never writes cursor records: a loaded log has none, and the next query rebuilds them. Pure.
import { classFor } from '../../../src/rules/row-arena.js';
import { anyShared, heldBy, keptRow } from '../../../src/rules/window-columns.js';
import { WindowRegions } from './window-regions.js';

export abstract class WindowParts extends WindowRegions {
  /** Account `ix`'s live rows, flat (for the snapshot). */
  rows(ix: number): number[] {
    const h = this.headOf(ix);
    const n = this.endOf(ix);
    const at = this.regionOf(ix);
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
    return this.shared ? this.storedRows(out) : out;
  }

  /** Gives account `ix` (with no log yet) the rows of a snapshot, flat and sorted (stored stride numbers each). */
  load(ix: number, stored: readonly number[]): void {
    const rows = this.shared ? this.keptRows(stored) : stored;
    const S0 = this.S0;
    const n = rows.length / S0;
    if (n === 0) return;
    this.free(ix);
    for (let j = 0; j < n && this.pp !== null && !this.pp.wide; j++) {
      if (!this.pp.fits(rows[j * S0]!, rows[j * S0 + this.pc]!)) this.relayout({ wide: true, base: this.pp.base });
    }
    this.packed();
    const c = classFor(n);
    const at = this.arena.alloc(c);
    const d = this.arena.chunk(at);
    const w = this.arena.words(at);
    const B = this.arena.base(at);
    for (let j = 0; j < n; j++) this.putRow(d, w, B + j * this.S, rows, j * S0);
    this.setRegion(ix, at, c, 0, n);
  }

  /** Whether some of the group's columns are shared: stored rows then differ from the rows kept. */
  private get shared(): boolean {
    return this.spec.stored !== undefined && anyShared(this.spec.stored);
  }

  /** Kept rows (flat) as stored rows: each source in its own column, 0 where no rule of the row reads it. */
  private storedRows(kept: readonly number[]): number[] {
    const cols = this.spec.stored!;
    const S0 = this.S0;
    const n = kept.length / S0;
    const out = new Array<number>(n * cols.stride);
    for (let j = 0; j < n; j++) {
      const i = j * S0;
      const o = j * cols.stride;
      const mask = this.mc < 0 ? 1 : kept[i + this.mc]!;
      out[o] = kept[i]!;
      for (let c = 1; c <= cols.at.length; c++) out[o + c] = heldBy(cols, cols.at[c - 1]!, mask) === c ? kept[i + cols.at[c - 1]!]! : 0;
      if (cols.maskCol >= 0) out[o + cols.maskCol] = mask;
    }
    return out;
  }

  /** Stored rows (flat) as kept rows. */
  private keptRows(stored: readonly number[]): number[] {
    const cols = this.spec.stored!;
    const out: number[] = [];
    for (let o = 0; o < stored.length; o += cols.stride) out.push(...keptRow(cols, stored, o, this.S0, this.mc));
    return out;
  }
}
