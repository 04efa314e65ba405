// The dedupe horizon: hash(id, phase) -> event time, in an open-addressing table of two columns: keys (float64: a
// probe reads only these) and times as uint32 milliseconds after the table's `base` (12 bytes a slot, ~24-48 an
// entry at the load factor used, against ~80 for a Map of boxed numbers). A time that does not fit (before `base`,
// 49.7 days or more after it, or not whole) is marked FAR in its slot and kept exactly in `far` (rare: absurd
// event times), so every time is kept exactly. `base` is set by the first insert and moved up to the threshold of
// each sweep that removes entries. Entries are only removed by a sweep: by rebuilding a table grown oversized, else
// in place by backward-shift deletion, so no tombstones are needed. Pure.
//
// Sizes (issue 17 item 1, branch `dedupe`): a capacity is any whole number of slots, not a power of two; a key's
// home slot is the high part of (its low 32 bits x capacity) ("fastrange", exact in doubles). The table grows when
// an insert would pass MAX_LOAD, to the capacity that holds its entries at LOAD_AFTER, and a sweep that rebuilds it
// sizes it the same way, so the load stays between 0.6 and 0.75 (before: powers of two, grown at 1/2 to 1/4 and
// rebuilt by a sweep to 1/6-1/3, which on a steady day, when every sweep expires entries, was 36-72 B a key).
//
// Resizing is incremental (issue 17, decision latency): a grow or a sweep allocates the new table and moves the old
// one's slots some at a time, on later inserts, instead of rehashing every entry in one step (at 1,000,000 entries
// that step held the event loop for tens of milliseconds). While a move is under way there are two tables: `slots`,
// which takes every insert, and `old`, read-only, whose slots before `moveAt` are already copied into `slots` (they
// stay in `old` too, so a probe of `old` is never cut short) and whose entries older than `oldBefore` are swept (not
// copied, and not found). A key is in the table when `slots` has it or `old` has it with a time >= `oldBefore`; the
// two never hold different times for one key (keys are only added when absent from both). `size` counts the live
// entries of both, each once. Each insert moves `step` old slots, chosen so the move ends within a sixteenth of the
// inserts left before the next grow; a grow or sweep that comes first finishes the move at once.

import { capacityFor, homeOf, limitOf, MIN_CAPACITY, scaleOf } from './table-sizing.js';

// The sizing rules are shared with id-index.ts (table-sizing.ts); re-exported for the tests that check them here.
export { capacityFor, homeOf, scaleOf } from './table-sizing.js';

const EMPTY = -1;
/** A slot's time that is kept in `far`. */
const FAR = 0xffffffff;
/** `base` below a first time: room for times a little before it (late records, restored parts). */
const BACK = 2 ** 31;
/** Old slots moved per insert, at least. */
const MIN_STEP = 16;
/** A move ends within 1/MOVE_WITHIN of the inserts before the next grow. */
const MOVE_WITHIN = 16;

export class DedupeTable {
  /** Slot i: key at keys[i], time at base + times[i] (FAR: far.get(key)). */
  private keys: Float64Array;
  private times: Uint32Array;
  private base = Number.NaN;
  /** Slots of `keys`, and the entries it holds before it grows. */
  private cap: number;
  private scale: number;
  private limit: number;
  /** The table being moved out of (null: none), its times and base, the next of its slots to move and its sweep threshold. */
  private old: Float64Array | null = null;
  private oldTimes: Uint32Array = new Uint32Array(0);
  private oldBase = 0;
  private oldCap = 0;
  private oldScale = 0;
  private moveAt = 0;
  private oldBefore = Number.NEGATIVE_INFINITY;
  private step = MIN_STEP;
  /** Exact times of the slots marked FAR (in either table), by key. */
  private readonly far = new Map<number, number>();
  size = 0;

  constructor(capacity = 1024) {
    const cap = Math.max(MIN_CAPACITY, Math.ceil(capacity));
    this.keys = emptyKeys(cap);
    this.times = new Uint32Array(cap);
    this.cap = cap;
    this.scale = scaleOf(cap);
    this.limit = limitOf(cap);
  }

  /** Slots of the table taking inserts (for tests). */
  get capacity(): number {
    return this.cap;
  }

  has(key: number): boolean {
    const s = this.keys;
    const cap = this.cap;
    for (let i = homeOf(key, this.scale); ; ) {
      const k = s[i]!;
      if (k === key) return true;
      if (k === EMPTY) break;
      if (++i === cap) i = 0;
    }
    return this.old !== null && this.inOld(key);
  }

  /** The key's event time, or NaN when it is not in the table (never added, or swept). */
  timeOf(key: number): number {
    const s = this.keys;
    const cap = this.cap;
    for (let i = homeOf(key, this.scale); ; ) {
      const k = s[i]!;
      if (k === key) return this.timeAt(this.times, this.base, i, k);
      if (k === EMPTY) break;
      if (++i === cap) i = 0;
    }
    const o = this.old;
    if (o === null) return Number.NaN;
    const oldCap = this.oldCap;
    for (let i = homeOf(key, this.oldScale); ; ) {
      const k = o[i]!;
      if (k === EMPTY) return Number.NaN;
      if (k === key) {
        const t = this.timeAt(this.oldTimes, this.oldBase, i, k);
        return t >= this.oldBefore ? t : Number.NaN;
      }
      if (++i === oldCap) i = 0;
    }
  }

  /** Adds a key that is not present (callers check `has` first). */
  add(key: number, time: number): void {
    this.beforeInsert();
    this.insert(key, time);
    this.size++;
  }

  /** `has` then `add` in one probe: false (and nothing added) when the key is present. */
  addIfAbsent(key: number, time: number): boolean {
    this.beforeInsert();
    const s = this.keys;
    const cap = this.cap;
    let i = homeOf(key, this.scale);
    for (; ;) {
      const k = s[i]!;
      if (k === key) return false;
      if (k === EMPTY) break;
      if (++i === cap) i = 0;
    }
    if (this.old !== null && this.inOld(key)) return false;
    s[i] = key;
    this.setTime(i, key, time);
    this.size++;
    return true;
  }

  /** Drops every entry older than `before`. */
  sweep(before: number): void {
    this.finishMove();
    const s = this.keys;
    let live = 0;
    for (let i = 0; i < s.length; i++) if (s[i] !== EMPTY && this.timeAt(this.times, this.base, i, s[i]!) >= before) live++;
    const cap = capacityFor(live);
    // Nothing expired and the table is not oversized: the same contents, so skip the move.
    if (live === this.size && this.cap <= 2 * cap) {
      this.dropFar(before);
      return;
    }
    // Still half full after it: the expired entries are deleted in place, with no second table (a steady day expires
    // ~1% of the entries at each sweep; a move there never finished before the next sweep, so two tables were held
    // throughout). Else the table is rebuilt at LOAD_AFTER.
    if (live * 2 >= this.cap && Number.isFinite(before)) this.deleteBefore(before, live);
    else this.startMove(cap, before, live);
    this.dropFar(before);
  }

  private dropFar(before: number): void {
    for (const [k, t] of this.far) if (t < before) this.far.delete(k);
  }

  /**
   * Deletes every entry older than `before` in place (backward-shift deletion: no tombstones), then counts the times
   * from `before` (the `base` a rebuilt table would have). The scan starts after an empty slot, so no cluster wraps
   * past its start: a deletion moves only entries not scanned yet into the hole, and the slot is looked at again.
   */
  private deleteBefore(before: number, live: number): void {
    const s = this.keys;
    const cap = this.cap;
    let e = 0;
    while (s[e] !== EMPTY) e++;
    for (let q = 1; q <= cap; q++) {
      const p = (e + q) % cap;
      while (s[p] !== EMPTY && this.timeAt(this.times, this.base, p, s[p]!) < before) this.deleteAt(p);
    }
    this.size = live;
    const to = Math.floor(before);
    if (!(to > this.base)) return;
    const shift = to - this.base;
    const tm = this.times;
    for (let i = 0; i < cap; i++) if (s[i] !== EMPTY && tm[i] !== FAR) tm[i] = tm[i]! - shift;
    this.base = to;
  }

  /** Empties slot `i`, moving later entries of its cluster back into the hole where their home allows. */
  private deleteAt(i: number): void {
    const s = this.keys;
    const tm = this.times;
    const cap = this.cap;
    let j = i;
    for (;;) {
      if (++j === cap) j = 0;
      const k = s[j]!;
      if (k === EMPTY) break;
      const h = homeOf(k, this.scale);
      // stays when its home is cyclically in (i, j]: the hole is not on its probe path
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      s[i] = k;
      tm[i] = tm[j]!;
      i = j;
    }
    s[i] = EMPTY;
  }

  /** [key, time] pairs sorted by key, so equal contents serialise equally. */
  entries(): number[] {
    const pairs: [number, number][] = [];
    const s = this.keys;
    for (let i = 0; i < s.length; i++) if (s[i] !== EMPTY) pairs.push([s[i]!, this.timeAt(this.times, this.base, i, s[i]!)]);
    const o = this.old;
    if (o !== null) {
      for (let i = this.moveAt; i < o.length; i++) {
        if (o[i] === EMPTY) continue;
        const t = this.timeAt(this.oldTimes, this.oldBase, i, o[i]!);
        if (t >= this.oldBefore) pairs.push([o[i]!, t]);
      }
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [k, t] of pairs) out.push(k, t);
    return out;
  }

  /** Whether a move is under way (for tests). */
  get moving(): boolean {
    return this.old !== null;
  }

  /** Array-buffer bytes of the table (and of the one being moved out of). */
  bytes(): number {
    return this.keys.byteLength + this.times.byteLength + (this.old ? this.old.byteLength + this.oldTimes.byteLength : 0);
  }

  private timeAt(times: Uint32Array, base: number, i: number, key: number): number {
    const v = times[i]!;
    return v === FAR ? this.far.get(key)! : base + v;
  }

  private setTime(i: number, key: number, time: number): void {
    if (Number.isNaN(this.base)) this.base = Number.isFinite(time) ? Math.floor(time) - BACK : 0;
    const off = time - this.base;
    if (off >= 0 && off < FAR && Number.isInteger(off)) this.times[i] = off;
    else {
      this.times[i] = FAR;
      this.far.set(key, time);
    }
  }

  private inOld(key: number): boolean {
    const o = this.old!;
    const oldCap = this.oldCap;
    for (let i = homeOf(key, this.oldScale); ; ) {
      const k = o[i]!;
      if (k === key) return this.timeAt(this.oldTimes, this.oldBase, i, k) >= this.oldBefore;
      if (k === EMPTY) return false;
      if (++i === oldCap) i = 0;
    }
  }

  /** Grows when the insert would pass MAX_LOAD; else moves the next few old slots. */
  private beforeInsert(): void {
    if (this.size + 1 > this.limit) {
      this.finishMove();
      this.startMove(capacityFor(this.size + 1), Number.NEGATIVE_INFINITY, this.size);
    } else if (this.old !== null) this.moveSome(this.step);
  }

  /**
   * A new, empty table of `capacity`; the current one is moved into it from now on, dropping times < `before`. A
   * sweep's table counts its times from `before` (every time kept or added later is at or after it).
   */
  private startMove(capacity: number, before: number, live: number): void {
    this.old = this.keys;
    this.oldTimes = this.times;
    this.oldBase = this.base;
    this.oldCap = this.cap;
    this.oldScale = this.scale;
    this.oldBefore = before;
    this.moveAt = 0;
    this.keys = emptyKeys(capacity);
    this.times = new Uint32Array(capacity);
    if (Number.isFinite(before)) this.base = Math.floor(before);
    this.cap = capacity;
    this.scale = scaleOf(capacity);
    this.limit = limitOf(capacity);
    this.size = live;
    // Done within a sixteenth of the inserts left before `slots` reaches its limit (the next grow): the two tables
    // are held together for a short part of the growth. Old slots are visited in order, and a key's home rises with
    // its low 32 bits in both tables, so the new table is written nearly in order too.
    const inserts = Math.max(1, Math.floor((this.limit - live) / MOVE_WITHIN));
    this.step = Math.max(MIN_STEP, Math.ceil(this.oldCap / inserts));
  }

  private moveSome(n: number): void {
    const o = this.old!;
    const end = Math.min(this.oldCap, this.moveAt + n);
    for (let i = this.moveAt; i < end; i++) {
      const k = o[i]!;
      if (k === EMPTY) continue;
      const t = this.timeAt(this.oldTimes, this.oldBase, i, k);
      if (t >= this.oldBefore) this.insert(k, t);
    }
    this.moveAt = end;
    if (end === this.oldCap) {
      this.old = null;
      this.oldTimes = new Uint32Array(0);
    }
  }

  private finishMove(): void {
    if (this.old !== null) this.moveSome(this.oldCap);
  }

  private insert(key: number, time: number): void {
    const s = this.keys;
    const cap = this.cap;
    let i = homeOf(key, this.scale);
    while (s[i] !== EMPTY) if (++i === cap) i = 0;
    s[i] = key;
    this.setTime(i, key, time);
  }
}

function emptyKeys(capacity: number): Float64Array {
  return new Float64Array(capacity).fill(EMPTY);
}
