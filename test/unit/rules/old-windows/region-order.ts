// The regions of one row arena's owner gathered for an in-place compaction (RowArena.slide, row-arena.ts), those of
// the run of chunks it compacts: each region's name (chunk number * CHUNK + offset), its size in doubles and the number its owner knows it by (an account
// number, or an account number and a list), put in address order by a radix sort (two passes of 16 bits over the
// name: linear in the regions, no comparator calls). Owners never keep a back pointer per region: this order is
// rebuilt by each compaction from their per-account fields and lives only while it runs.
// One scratch for the whole process (the engine is single-threaded and a compaction never starts another); `drop`
// gives its buffers back (the engine's sweep calls it last), so a million accounts' scratch does not stay as memory.
// Pure.

const DIGIT = 16;
const DIGITS = 1 << DIGIT;

export class RegionOrder {
  /** Regions gathered, and their names, sizes and owners' numbers by gathering order. */
  n = 0;
  at = new Int32Array(0);
  size = new Int32Array(0);
  key = new Int32Array(0);
  /** Gathering order by address (`sorted`), and the first pass's order. */
  private order = new Int32Array(0);
  private pass = new Int32Array(0);
  private counts = new Int32Array(0);

  /** Regions named in [lo, hi) are kept, others ignored. */
  private lo = 0;
  private hi = 0;

  /** Forgets the regions gathered before (keeping the buffers); those named in [lo, hi) will be kept. */
  clear(lo: number, hi: number): void {
    this.n = 0;
    this.lo = lo;
    this.hi = hi;
  }

  add(at: number, size: number, key: number): void {
    if (at < this.lo || at >= this.hi) return;
    const i = this.n;
    if (i === this.at.length) this.widen(2 * i);
    this.at[i] = at;
    this.size[i] = size;
    this.key[i] = key;
    this.n = i + 1;
  }

  /** Indices into `at`, `size` and `key` in address order (regions never share a name). */
  sorted(): Int32Array {
    const n = this.n;
    if (this.counts.length === 0) this.counts = new Int32Array(DIGITS);
    this.spread(null, this.pass, 0, n);
    this.spread(this.pass, this.order, DIGIT, n);
    return this.order;
  }

  /** Gives the buffers back (the next `add` grows them again). */
  drop(): void {
    this.n = 0;
    this.at = new Int32Array(0);
    this.size = new Int32Array(0);
    this.key = new Int32Array(0);
    this.order = new Int32Array(0);
    this.pass = new Int32Array(0);
    this.counts = new Int32Array(0);
  }

  /** One stable counting pass by the 16 bits of the name at `shift`, reading indices from `src` (null: 0..n-1). */
  private spread(src: Int32Array | null, dst: Int32Array, shift: number, n: number): void {
    const c = this.counts;
    const at = this.at;
    c.fill(0);
    for (let i = 0; i < n; i++) c[(at[i]! >>> shift) & (DIGITS - 1)]!++;
    let sum = 0;
    for (let d = 0; d < DIGITS; d++) {
      const k = c[d]!;
      c[d] = sum;
      sum += k;
    }
    for (let j = 0; j < n; j++) {
      const i = src === null ? j : src[j]!;
      dst[c[(at[i]! >>> shift) & (DIGITS - 1)]!++] = i;
    }
  }

  private widen(room: number): void {
    const len = Math.max(1024, room);
    const grown = (a: Int32Array) => {
      const b = new Int32Array(len);
      b.set(a);
      return b;
    };
    this.at = grown(this.at);
    this.size = grown(this.size);
    this.key = grown(this.key);
    this.order = new Int32Array(len);
    this.pass = new Int32Array(len);
  }
}

/** The process's one compaction scratch. */
export const regionOrder = new RegionOrder();
