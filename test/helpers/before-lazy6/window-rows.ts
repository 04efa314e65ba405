// The row layout of one window group's logs (GroupLogs, window-state.ts): rows sorted by time, each the time, the
// columns its measures need (one for sources whose rules never count the same CDR: window-columns.ts; stored parts
// have one per source, window-parts.ts), then a bitmask of the group's rules the event counts for, in one row arena
// (row-arena.ts). A row's time and its last column (the mask; in a one-slot sum group, the value) are packed into one
// double's room while every row fits (packed-pairs.ts: the time an offset from the group's base, the other an int32),
// so a row takes one double less; a row that does not fit (an absurd or fractional time, a cost past an int32) keeps
// every row of the group wide, as the group spec numbers them, until a sweep finds them fitting again.
// Owns reading and writing one row in either layout, and the scans over rows [lo, hi) of one region. Never knows
// which account a region belongs to, and never moves rows (window-regions.ts does). Pure.
import { PackedPairs } from '../../../src/rules/packed-pairs.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { WindowKind, type GroupSpec } from './window-keys.js';

export class WindowRows {
  arena: RowArena;
  /** Numbers per row as the group spec numbers them (time first); `S` is the doubles a row takes now. */
  protected readonly S0: number;
  protected S: number;
  /** The mask column (as the group spec numbers them), or -1: a one-slot group has none. */
  protected readonly mc: number;
  /** The column packed with the time (the mask, or a one-slot sum's value: the last column), or -1: none. */
  protected readonly pc: number;
  /** How the time and column `pc` pack (null: no column packs, rows stay as the group spec numbers them). */
  protected pp: PackedPairs | null;
  /** `pp` read without its indirections (kept by `packed()` whenever `pp` or its base may change): rows are packed
   * (narrow), and their times' base. Windows never pack time 0 apart (PairKind.zero is false). */
  protected narrow = false;
  protected tb = 0;

  constructor(readonly spec: GroupSpec) {
    this.S0 = spec.stride;
    this.mc = spec.maskCol;
    const sum = spec.rules.length === 1 && spec.kinds[0] === WindowKind.Sum && spec.stride === 2;
    this.pc = spec.maskCol >= 0 || sum ? spec.stride - 1 : -1;
    this.pp = this.pc < 0 ? null : new PackedPairs({ twoTimes: false, zero: false, gap: this.pc });
    this.S = this.pc < 0 ? spec.stride : spec.stride - 1;
    this.arena = new RowArena(this.S);
    this.packed();
  }

  /** Copies `pp`'s layout and base into `narrow` and `tb` (after `fits`, which may set the base, and relayouts). */
  protected packed(): void {
    const pp = this.pp;
    this.narrow = pp !== null && !pp.wide;
    this.tb = pp === null ? 0 : pp.base;
  }

  /** Whether rows are held as the group spec numbers them (for tests): no packed column, or a row did not fit. */
  get wideRows(): boolean {
    return this.pp === null || this.pp.wide;
  }

  /** The time of the row at `i` (the index of its first double in `d`; `w` is `d` as int32s). */
  protected timeAt(d: Float64Array, w: Int32Array, i: number): number {
    return this.narrow ? this.tb + w[2 * i + 1]! : d[i]!;
  }

  /** Column `c` (as the group spec numbers them, c >= 1) of the row at `i`. */
  protected colAt(d: Float64Array, w: Int32Array, i: number, c: number): number {
    // wide, the packed column is in its own place (PackedPairs: `gap` is `pc`)
    return this.narrow && c === this.pc ? w[2 * i]! : d[i + c]!;
  }

  /** Writes a row (`row` as the group spec numbers them, from `from`) at `i`; narrow, it must fit. */
  protected putRow(d: Float64Array, w: Int32Array, i: number, row: readonly number[], from = 0): void {
    const pp = this.pp;
    if (pp === null || pp.wide) {
      for (let k = 0; k < this.S0; k++) d[i + k] = row[from + k]!;
      return;
    }
    pp.put(d, w, i, row[from]!, row[from + this.pc]!);
    for (let k = 1; k < this.S; k++) d[i + k] = row[from + k]!;
  }

  /** The int32 view for packed masks (`scanKeys`), or null while the mask is a column of its own. */
  protected maskWords(w: Int32Array): Int32Array | null {
    return this.mc >= 0 && this.narrow ? w : null;
  }

  /** Whether row `row` of the region at `B` counts for slot `s`. */
  protected has(d: Float64Array, w: Int32Array, B: number, s: number, row: number): boolean {
    const mc = this.mc;
    if (mc < 0) return true;
    // the mask is the packed column (`pc` is the last column, the mask's, in a group with one)
    return ((this.narrow && mc === this.pc ? w[2 * (B + row * this.S)]! : d[B + row * this.S + mc]!) & (1 << s)) !== 0;
  }

  /** Rows of [lo, hi) that count for slot `s`. */
  protected countOf(d: Float64Array, w: Int32Array, B: number, s: number, lo: number, hi: number): number {
    if (this.mc < 0) return hi - lo;
    const bit = 1 << s;
    let n = 0;
    if (!this.narrow) {
      for (let i = B + lo * this.S + this.mc, e = B + hi * this.S; i < e; i += this.S) if ((d[i]! & bit) !== 0) n++;
    } else {
      for (let i = 2 * (B + lo * this.S), e = 2 * (B + hi * this.S); i < e; i += 2 * this.S) if ((w[i]! & bit) !== 0) n++;
    }
    return n;
  }

  /** Slot `s`'s value column summed over the rows of [lo, hi) that count for it. */
  protected sumOf(d: Float64Array, w: Int32Array, B: number, s: number, lo: number, hi: number): number {
    const vc = this.spec.valCol[s]!;
    const S = this.S;
    let sum = 0;
    if (this.mc < 0 && this.narrow && vc === this.pc) {
      // a one-slot sum, packed: the values are the rows' low words
      for (let i = 2 * (B + lo * S), e = 2 * (B + hi * S); i < e; i += 2 * S) sum += w[i]!;
      return sum;
    }
    for (let i = lo; i < hi; i++) if (this.has(d, w, B, s, i)) sum += this.colAt(d, w, B + i * S, vc);
    return sum;
  }
}
