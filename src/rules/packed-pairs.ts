// The packed-pair scheme, in one place, for the stores that hold a time with a partner number (ring-times.ts: event
// time and mask; concurrency-state.ts: an interval's start and end; window-rows.ts: a row's time and its mask or
// cost). Narrow while every pair fits: the time as an int32 millisecond offset from `base` in the high word of one
// double's room and the partner in the low word (an int32 as it is, or a second time as an offset from `base`), so
// a pair takes 8 bytes, not 16. A pair that does not fit (an absurd or fractional time, a partner that is not an
// int32) turns the whole store wide: the two numbers as doubles, the partner `gap` doubles after the time. At the
// engine's sweep `relayout` says where the store should go: back to narrow when every pair fits again, with `base`
// moved up before offsets pass half the limit. The owner moves its rows; this class only packs, reads and decides.
// With `zero`, time 0 has its own offset (the unused entries of old stored rings). Offsets stay below 0x7ff00000,
// so no packed pair reads as a NaN double (whose bits a copy through a number might not keep). Every number is kept
// exactly either way. Pure.

/** Narrow offsets are below this (ZERO: time 0, with `zero`). */
const LIMIT = 0x7ff00000 - 1;
const ZERO = LIMIT;
/** A new `base` is this far below the earliest time it must hold (room for late times). */
const ROOM = 2 ** 28;

export interface PairKind {
  /** The partner is a second time (offset from `base`), not an int32. */
  twoTimes: boolean;
  /** Time 0 packs (its own offset). */
  zero: boolean;
  /** Wide: doubles from the time to its partner. */
  gap: number;
}

/** Where a store's pairs should move at a sweep. */
export interface Layout {
  wide: boolean;
  base: number;
}

export class PackedPairs {
  /** The largest offset written since `base` was set (narrow): past LIMIT / 2, the sweep moves `base` up. */
  private top = 0;

  constructor(
    readonly kind: PairKind,
    /** Two doubles a pair (true), or packed offsets from `base` (NaN: none written yet). */
    readonly wide = false,
    public base = Number.NaN,
  ) {}

  /** The same kind of pairs in another layout (an owner's relayout writes its pairs through it). */
  to(layout: Layout): PackedPairs {
    return new PackedPairs(this.kind, layout.wide, layout.base);
  }

  /** Whether the pair packs in this narrow store; the first time that is not 0 sets `base`. */
  fits(t: number, v: number): boolean {
    if (Number.isNaN(this.base)) {
      const lo = this.kind.twoTimes ? Math.min(t, v) : t;
      if (this.kind.zero && Object.is(t, 0)) return this.fitsFrom(this.base, t, v);
      if (!Number.isSafeInteger(lo)) return false;
      this.base = lo - ROOM;
    }
    return this.fitsFrom(this.base, t, v);
  }

  /** The pair's time; `p`: the index of its first double in `d` (`w` is `d` as int32s). */
  time(d: Float64Array, w: Int32Array, p: number): number {
    if (this.wide) return d[p]!;
    const off = w[2 * p + 1]!;
    return this.kind.zero && off === ZERO ? 0 : this.base + off;
  }

  /** The pair's partner. */
  partner(d: Float64Array, w: Int32Array, p: number): number {
    if (this.wide) return d[p + this.kind.gap]!;
    return this.kind.twoTimes ? this.base + w[2 * p]! : w[2 * p]!;
  }

  /**
   * `fits` then `put` for the common pair of a narrow store of single times (branch `keep6`): a time other than 0
   * within the offsets of a `base` already set, and an int32 partner other than -0. False, with nothing written, for
   * any other pair or store (the caller then goes the long way: `fits`, a relayout when it does not, `put`).
   */
  putNarrow(w: Int32Array, p: number, t: number, v: number): boolean {
    if (!this.narrowFits(t, v)) return false;
    this.putFit(w, p, t, v);
    return true;
  }

  /** Whether `putNarrow` would write the pair (nothing changes). */
  narrowFits(t: number, v: number): boolean {
    if (this.wide || this.kind.twoTimes) return false;
    const off = t - this.base;
    // NaN base, time 0 (its own offset with `zero`), fractions and -0 partners fail these
    return off >= 0 && off < LIMIT && (off | 0) === off && t !== 0 && (v | 0) === v && (v !== 0 || 1 / v > 0);
  }

  /** Writes a pair `narrowFits` took. */
  putFit(w: Int32Array, p: number, t: number, v: number): void {
    const off = t - this.base;
    w[2 * p + 1] = off;
    if (off > this.top) this.top = off;
    w[2 * p] = v;
  }

  /** Writes a pair (narrow: it must fit, as `fits` said). */
  put(d: Float64Array, w: Int32Array, p: number, t: number, v: number): void {
    if (this.wide) {
      d[p] = t;
      d[p + this.kind.gap] = v;
      return;
    }
    const off = this.kind.zero && Object.is(t, 0) ? ZERO : t - this.base;
    w[2 * p + 1] = off;
    if (off !== ZERO && off > this.top) this.top = off;
    if (!this.kind.twoTimes) {
      w[2 * p] = v;
      return;
    }
    const b = v - this.base;
    w[2 * p] = b;
    if (b > this.top) this.top = b;
  }

  /**
   * Called at the engine's sweep with every pair of the store (`each` calls its argument once a pair): the layout
   * the store should move to (narrow again when every pair fits, with `base` moved up when offsets passed half the
   * limit; wide when a narrow store's pairs no longer all fit), or null to stay as it is.
   */
  relayout(each: (fn: (t: number, v: number) => void) => void): Layout | null {
    if (!this.wide && this.top <= LIMIT / 2) return null;
    let lo = Number.POSITIVE_INFINITY;
    each((t, v) => {
      if (!(this.kind.zero && Object.is(t, 0)) && t < lo) lo = t;
      if (this.kind.twoTimes && v < lo) lo = v;
    });
    const base = lo === Number.POSITIVE_INFINITY ? Number.NaN : Number.isSafeInteger(lo) ? lo - ROOM : Number.NaN;
    let all = lo === Number.POSITIVE_INFINITY || !Number.isNaN(base);
    if (all) each((t, v) => (all &&= this.fitsFrom(base, t, v)));
    if (all) return { wide: false, base };
    return this.wide ? null : { wide: true, base: this.base };
  }

  private fitsFrom(base: number, t: number, v: number): boolean {
    if (this.kind.twoTimes) {
      const b = v - base;
      if (!(b >= 0 && b < LIMIT && Number.isInteger(b))) return false;
    } else if ((v | 0) !== v || Object.is(v, -0)) return false;
    if (this.kind.zero && Object.is(t, 0)) return true;
    const off = t - base;
    return off >= 0 && off < LIMIT && Number.isInteger(off);
  }
}
