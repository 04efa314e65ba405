// One window group's logs (GroupLogs, window-state.ts) as stored account parts hold them (engine-snapshot.ts): an
// account's live rows flat, each its stride numbers as the snapshot numbers them (time first), whatever the rows'
// layout in the arena. Owns writing them out and loading them back. Never writes cursor records: a loaded log has
// none, and the next query rebuilds them. Pure.
import { classFor } from './row-arena.js';
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
    this.setRegion(ix, at, c, 0, n);
  }
}
