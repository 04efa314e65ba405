// The dedupe horizon: hash(id, phase) -> event time, in an open-addressing table over one Float64Array of
// interleaved (key, time) pairs (one cache line per probe; ~32 bytes an entry at the load factor used, against ~80
// for a Map of boxed numbers). Entries are only removed by a sweep, which rebuilds the table, so no tombstones are
// needed. Pure.

const EMPTY = -1;

export class DedupeTable {
  /** Slot i: key at 2i, time at 2i + 1. */
  private slots: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.slots = emptySlots(cap);
    this.mask = cap - 1;
  }

  has(key: number): boolean {
    const s = this.slots;
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const k = s[2 * i]!;
      if (k === key) return true;
      if (k === EMPTY) return false;
    }
  }

  /** Adds a key that is not present (callers check `has` first). */
  add(key: number, time: number): void {
    if ((this.size + 1) * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2, Number.NEGATIVE_INFINITY);
    this.insert(key, time);
    this.size++;
  }

  /** `has` then `add` in one probe: false (and nothing added) when the key is present. */
  addIfAbsent(key: number, time: number): boolean {
    if ((this.size + 1) * 2 > this.mask + 1) this.rebuild((this.mask + 1) * 2, Number.NEGATIVE_INFINITY);
    const s = this.slots;
    let i = (key >>> 0) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const k = s[2 * i]!;
      if (k === key) return false;
      if (k === EMPTY) break;
    }
    s[2 * i] = key;
    s[2 * i + 1] = time;
    this.size++;
    return true;
  }

  /** Drops every entry older than `before`. */
  sweep(before: number): void {
    const s = this.slots;
    let cap = 16;
    let live = 0;
    for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY && s[i + 1]! >= before) live++;
    while (cap < live * 3) cap *= 2;
    // Nothing expired and the table is not oversized: the same contents, so skip the O(capacity) rebuild.
    if (live === this.size && this.mask + 1 <= 2 * cap) return;
    this.rebuild(cap, before);
  }

  /** [key, time] pairs sorted by key, so equal contents serialise equally. */
  entries(): number[] {
    const s = this.slots;
    const order: number[] = [];
    for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY) order.push(i);
    order.sort((a, b) => s[a]! - s[b]!);
    const out: number[] = [];
    for (const i of order) out.push(s[i]!, s[i + 1]!);
    return out;
  }

  private insert(key: number, time: number): void {
    const s = this.slots;
    let i = (key >>> 0) & this.mask;
    while (s[2 * i] !== EMPTY) i = (i + 1) & this.mask;
    s[2 * i] = key;
    s[2 * i + 1] = time;
  }

  private rebuild(capacity: number, before: number): void {
    const old = this.slots;
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i] !== EMPTY && old[i + 1]! >= before) {
        this.insert(old[i]!, old[i + 1]!);
        this.size++;
      }
    }
  }
}

function emptySlots(capacity: number): Float64Array {
  const s = new Float64Array(2 * capacity);
  for (let i = 0; i < s.length; i += 2) s[i] = EMPTY;
  return s;
}
