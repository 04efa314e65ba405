// The dedupe horizon: hash(id, phase) -> event time, in an open-addressing table over two Float64Arrays (~32 bytes
// an entry at the load factor used, against ~80 for a Map of boxed numbers). Entries are only removed by a sweep,
// which rebuilds the table, so no tombstones are needed. Pure.

const EMPTY = -1;

export class DedupeTable {
  private keys: Float64Array;
  private times: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.times = new Float64Array(cap);
    this.mask = cap - 1;
  }

  has(key: number): boolean {
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === key) return true;
      if (k === EMPTY) return false;
    }
  }

  /** Adds a key that is not present (callers check `has` first). */
  add(key: number, time: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.rebuild(this.keys.length * 2, Number.NEGATIVE_INFINITY);
    this.insert(key, time);
    this.size++;
  }

  /** Drops every entry older than `before`. */
  sweep(before: number): void {
    let cap = 16;
    let live = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY && this.times[i]! >= before) live++;
    while (cap < live * 3) cap *= 2;
    this.rebuild(cap, before);
  }

  /** [key, time] pairs sorted by key, so equal contents serialise equally. */
  entries(): number[] {
    const order: number[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY) order.push(i);
    order.sort((a, b) => this.keys[a]! - this.keys[b]!);
    const out: number[] = [];
    for (const i of order) out.push(this.keys[i]!, this.times[i]!);
    return out;
  }

  private insert(key: number, time: number): void {
    let i = (key >>> 0) & this.mask;
    while (this.keys[i] !== EMPTY) i = (i + 1) & this.mask;
    this.keys[i] = key;
    this.times[i] = time;
  }

  private rebuild(capacity: number, before: number): void {
    const keys = this.keys;
    const times = this.times;
    this.keys = new Float64Array(capacity).fill(EMPTY);
    this.times = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== EMPTY && times[i]! >= before) {
        this.insert(keys[i]!, times[i]!);
        this.size++;
      }
    }
  }
}
