// Account id -> account number for AccountTable (account-table.ts), without a string per account (issue 17: a
// Map<string, number> held each id as a ~40-byte heap string plus its entry, ~69 B an account, and its `get` was
// the engine's largest function). Two parts:
// - the ids by number, as bytes in rows of `width` (the longest id held), an id of code units below 0x80 and at most
//   MAX_BYTES long being one byte a unit; any other id (non-ASCII, longer, or longer than the rows once they are
//   too large to widen) is kept as the string itself in `wide` (rare), so every id comes back and compares exactly;
// - an open-addressing table (linear probing, backward-shift deletion) of slots (32-bit hash, number + 1), 8 bytes
//   a slot at 0.65-0.8 load, of any capacity, sized and probed as dedupe-table.ts's (table-sizing.ts: a power of
//   two would leave the table at 3/8 load at 100,000 accounts, 21 B an account). A probe compares the full id at every
//   slot of equal hash, so ids that collide stay apart.
//
// Growth is incremental, as dedupe-table.ts's (at 1,000,000 accounts a rehash in one step would hold the event loop
// for tens of milliseconds): a grow allocates a table ~1.23 times larger and moves the old one's slots a few at a time, on
// later inserts and lookups. While a move is under way `old` is read-only except that a removal marks its slot GONE
// (probes go on past it); its slots before `moveAt` are already in `slots` and stay in `old` too, so no probe of `old`
// is cut short (an entry found there before `moveAt` was removed after its move: it is absent). Never hands out a number for an id it does not hold. Pure.

import { capacityFor, homeOf, limitOf, MIN_CAPACITY, scaleOf } from '../../../src/rules/table-sizing.js';

/** A slot's number field: empty; removed from the old table during a move (probes go past it). */
const EMPTY = 0;
const GONE = -1;
/** Longest id held as bytes; a row length of WIDE means the id is in `wide`. */
const MAX_BYTES = 64;
const WIDE = 255;
/**
 * Rows widen (every row copied) only while they take at most this many bytes (~20 ms of copying on a busy VM);
 * past it an id longer than the rows is kept as a string, as a non-ASCII one is (a widening at 1,000,000 accounts
 * held the event loop for 0.3-0.9 s, load 11).
 */
const WIDEN_LIMIT = 1 << 22;
/** Old slots moved per insert and per lookup while a move is under way (a move ends within a third of the inserts
 * before the next grow: 0.81 cap / 16 of 0.15 cap). */
const STEP_INSERT = 16;
const STEP_LOOKUP = 2;

/** 32-bit hash of an id's UTF-16 code units (FNV-1a, then murmur3's finaliser so the low bits mix). */
export function idHash(id: string): number {
  let h = 0x811c9dc5 ^ id.length;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export class IdIndex {
  /** Slot i: hash at [2i], number + 1 at [2i + 1] (EMPTY: none). */
  private slots = new Int32Array(2 * MIN_CAPACITY);
  private cap = MIN_CAPACITY;
  private scale = scaleOf(MIN_CAPACITY);
  /** Entries in `slots` (moved ones included), and how many it takes before it grows. */
  private used = 0;
  private limit = limitOf(MIN_CAPACITY);
  private old: Int32Array | null = null;
  private oldCap = 0;
  private oldScale = 0;
  private moveAt = 0;
  /** Ids held (in either table). */
  size = 0;
  /** Row i: the id of number i as bytes, its length in `lens` (WIDE: in `wide`). */
  private chars = new Uint8Array(0);
  private lens = new Uint8Array(0);
  private width = 0;
  private capacity = 0;
  private readonly wide = new Map<number, string>();

  /** Numbers below `capacity` may be used. */
  grow(capacity: number): void {
    this.relayout(capacity, this.width);
    const lens = new Uint8Array(capacity);
    lens.set(this.lens);
    this.lens = lens;
    this.capacity = capacity;
  }

  /** The number held for `id`, or -1. */
  find(id: string): number {
    // Every lookup moves some old slots while a move is under way, not only one that missed the new table (until
    // branch `mem11`): with no inserts (every account known) the lookups that reach the old table thin out as it
    // empties, and its last few slots could stay unmoved for hours, the old table held beside the new one (at
    // 100,000 x 5 calls/h after a grow at the 99,700th account: 1 MB, 10 B an account, two slots short).
    if (this.old !== null) this.move(STEP_LOOKUP);
    const h = idHash(id);
    const s = this.slots;
    const cap = this.cap;
    for (let i = homeOf(h, this.scale); ; ) {
      const v = s[2 * i + 1]!;
      if (v === EMPTY) break;
      if (s[2 * i] === h && this.same(v - 1, id)) return v - 1;
      if (++i === cap) i = 0;
    }
    if (this.old === null) return -1;
    const i = this.findOld(id, h);
    return i < 0 ? -1 : this.old[2 * i + 1]! - 1;
  }

  /** Files `id` (not held) under number `ix` (below the capacity, not in use). */
  insert(id: string, ix: number): void {
    this.store(ix, id);
    if (this.old !== null) this.move(STEP_INSERT);
    if (this.used >= this.limit) this.startMove();
    this.put(idHash(id), ix + 1);
    this.size++;
  }

  /** Drops number `ix` (in use) and its id. */
  remove(ix: number): void {
    const h = this.hashAt(ix);
    if (!this.unlink(this.slots, this.cap, this.scale, h, ix + 1, true) && this.old !== null) this.unlink(this.old, this.oldCap, this.oldScale, h, ix + 1, false);
    if (this.lens[ix] === WIDE) this.wide.delete(ix);
    this.lens[ix] = 0;
    this.size--;
  }

  /** The id of number `ix` (in use). */
  idOf(ix: number): string {
    const n = this.lens[ix]!;
    if (n === WIDE) return this.wide.get(ix)!;
    const b = ix * this.width;
    return String.fromCharCode.apply(null, this.chars.subarray(b, b + n) as unknown as number[]);
  }

  /** Array-buffer bytes held (tables, rows, lengths). */
  bytes(): number {
    return this.slots.byteLength + (this.old?.byteLength ?? 0) + this.chars.byteLength + this.lens.byteLength;
  }

  /** Whether number `ix` holds exactly `id`. */
  private same(ix: number, id: string): boolean {
    const n = this.lens[ix]!;
    if (n === WIDE) return this.wide.get(ix) === id;
    if (id.length !== n) return false;
    const c = this.chars;
    const b = ix * this.width;
    for (let k = 0; k < n; k++) if (c[b + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  /** idHash of number `ix`'s id, from its bytes (the same units as the string's) without making the string. */
  private hashAt(ix: number): number {
    const n = this.lens[ix]!;
    if (n === WIDE) return idHash(this.wide.get(ix)!);
    const c = this.chars;
    const b = ix * this.width;
    let h = 0x811c9dc5 ^ n;
    for (let k = 0; k < n; k++) h = Math.imul(h ^ c[b + k]!, 0x01000193);
    return mix(h);
  }

  private store(ix: number, id: string): void {
    const n = id.length;
    let ascii = n <= this.width || (n <= MAX_BYTES && this.capacity * n <= WIDEN_LIMIT);
    for (let k = 0; ascii && k < n; k++) ascii = id.charCodeAt(k) < 0x80;
    if (!ascii) {
      this.lens[ix] = WIDE;
      this.wide.set(ix, id);
      return;
    }
    if (n > this.width) this.relayout(this.capacity, n);
    const b = ix * this.width;
    for (let k = 0; k < n; k++) this.chars[b + k] = id.charCodeAt(k);
    this.lens[ix] = n;
  }

  /** The rows at `capacity` numbers of `width` bytes (a longer id widens every row: at most MAX_BYTES times). */
  private relayout(capacity: number, width: number): void {
    const chars = new Uint8Array(capacity * width);
    const w = this.width;
    const from = this.chars;
    // byte by byte: a subarray per row would be an object per account (~100 ms at 1,000,000 accounts; this ~10)
    if (w === width) chars.set(from);
    else for (let ix = 0; ix < this.capacity; ix++) for (let k = 0; k < w; k++) chars[ix * width + k] = from[ix * w + k]!;
    this.chars = chars;
    this.width = width;
  }

  /** The old slot holding `id` and not yet moved, or -1. */
  private findOld(id: string, h: number): number {
    const o = this.old!;
    const cap = this.oldCap;
    for (let i = homeOf(h, this.oldScale); ; ) {
      const v = o[2 * i + 1]!;
      if (v === EMPTY) return -1;
      if (v !== GONE && o[2 * i] === h && this.same(v - 1, id)) return i >= this.moveAt ? i : -1;
      if (++i === cap) i = 0;
    }
  }

  /** Adds (hash, number + 1) to `slots`, which has room. */
  private put(h: number, v: number): void {
    const s = this.slots;
    const cap = this.cap;
    let i = homeOf(h, this.scale);
    while (s[2 * i + 1] !== EMPTY) if (++i === cap) i = 0;
    s[2 * i] = h;
    s[2 * i + 1] = v;
    this.used++;
  }

  /**
   * Removes the slot of (h, v) from table `s`, false when it has none. The current table closes the gap by
   * backward shift; the old one (read-only while moved) marks it GONE, and only a slot not yet moved counts.
   */
  private unlink(s: Int32Array, cap: number, scale: number, h: number, v: number, current: boolean): boolean {
    let i = homeOf(h, scale);
    for (; ; ) {
      const x = s[2 * i + 1]!;
      if (x === EMPTY) return false;
      if (x === v) break;
      if (++i === cap) i = 0;
    }
    if (!current) {
      s[2 * i + 1] = GONE;
      return i >= this.moveAt;
    }
    for (let j = i + 1 === cap ? 0 : i + 1; ; j = j + 1 === cap ? 0 : j + 1) {
      const x = s[2 * j + 1]!;
      if (x === EMPTY) break;
      // the entry at j may fill the gap at i unless its home lies cyclically in (i, j]
      if (distance(homeOf(s[2 * j]!, scale), j, cap) >= distance(i, j, cap)) {
        s[2 * i] = s[2 * j]!;
        s[2 * i + 1] = x;
        i = j;
      }
    }
    s[2 * i] = 0;
    s[2 * i + 1] = EMPTY;
    this.used--;
    return true;
  }

  /** A table for the entries at LOAD_AFTER; the slots move on later calls (a move still under way ends first). */
  private startMove(): void {
    if (this.old !== null) this.move(this.oldCap);
    this.old = this.slots;
    this.oldCap = this.cap;
    this.oldScale = this.scale;
    this.moveAt = 0;
    const n = capacityFor(this.size + 1);
    this.slots = new Int32Array(2 * n);
    this.cap = n;
    this.scale = scaleOf(n);
    this.used = 0;
    this.limit = limitOf(n);
  }

  /** Copies up to `k` old slots into `slots`; the old table goes when all are. */
  private move(k: number): void {
    const o = this.old!;
    const end = Math.min(this.oldCap, this.moveAt + k);
    for (let i = this.moveAt; i < end; i++) {
      const v = o[2 * i + 1]!;
      if (v > 0) this.put(o[2 * i]!, v);
    }
    this.moveAt = end;
    if (end === this.oldCap) this.old = null;
  }
}

/** Slots from `a` forward to `b` in a table of `cap`. */
function distance(a: number, b: number, cap: number): number {
  return b >= a ? b - a : b - a + cap;
}
