// A bounded map that forgets the least recently set keys, in two generations: `set` writes to the young Map; when
// the young Map holds half the bound it becomes the old one, and the previous old Map is dropped whole. So it keeps
// between half the bound and the bound of the most recently set keys, and no `set` pays for an eviction.
// Why not one Map evicting its first key (`delete(keys().next().value)`): V8 keeps a deleted entry's slot until the
// Map is rehashed, and every new iterator walks the deleted slots before the first live key. An insert-and-evict
// per new key therefore costs the number of keys evicted since the last rehash: past its bound, a 200,000-entry
// cache filling 4,400 new keys a second spent 80-900 ms a second in those walks (bench/README.md, Ingest, "The
// stalls at fixed moments of (c)", branch `stall`).
// Shared by the ingest's profile cache and set-up results and the API's account cache. `onForget` is told each
// generation it drops (a Map of the keys no longer held), for owners that index the entries elsewhere.
// Never: iterates its Maps itself (no operation is O(size), apart from the drop of a whole generation by the GC).

export class GenerationalMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  /** `maxEntries`: the most keys held (at least 2). */
  constructor(
    maxEntries: number,
    private readonly onForget?: (forgotten: ReadonlyMap<K, V>) => void,
  ) {
    this.half = Math.max(1, Math.floor(maxEntries / 2));
  }

  get(key: K): V | undefined {
    // a key is in one generation at most (set takes it out of the old one), so a key the young Map holds as
    // undefined is not in the old one either: no second look-up in the young Map on a miss
    const v = this.young.get(key);
    return v !== undefined ? v : this.old.get(key);
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  /** Sets `key` as the most recently set one. */
  set(key: K, value: V): void {
    this.old.delete(key);
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      const forgotten = this.old;
      this.old = this.young;
      this.young = new Map();
      if (forgotten.size > 0) this.onForget?.(forgotten);
    }
  }

  delete(key: K): boolean {
    const a = this.young.delete(key);
    const b = this.old.delete(key);
    return a || b;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  get size(): number {
    return this.young.size + this.old.size;
  }
}
