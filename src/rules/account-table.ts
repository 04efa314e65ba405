// The accounts of one engine state by id, each with an interned number (its index, `ix`) by which the engine's
// columns and arenas (engine-state.ts, window-state.ts, row-lists.ts) file the account's state. The numbers of
// dropped accounts are reused first (a free list), so the per-account arrays stay as long as the most accounts held
// at once. No object per account: `get` hands out a view made on the spot (`view(ix)`), for the code and tests that
// read an account as a whole; the engine's hot path uses `indexOf` and `add`. Map-like (get, has, delete, size,
// keys, values, entries, iteration in insertion order); what an account leaves behind is released through
// `onRelease` when it is deleted or replaced by add(). Must never hand out a number still in use. Pure.

export class AccountTable<T> {
  /** id -> number. */
  private readonly ids = new Map<string, number>();
  private readonly free: number[] = [];
  /** Numbers handed out so far (the next new one). */
  private top = 0;
  /** Length the per-account arrays have (onGrow is told before a number at or past it is used). */
  private capacity = 0;

  constructor(
    private readonly onRelease: (ix: number) => void,
    private readonly onGrow: (capacity: number) => void,
    private readonly view: (ix: number) => T,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /** A view of the account (made on each call), or undefined. */
  get(id: string): T | undefined {
    const ix = this.ids.get(id);
    return ix === undefined ? undefined : this.view(ix);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The account's number, or -1. */
  indexOf(id: string): number {
    return this.ids.get(id) ?? -1;
  }

  /**
   * Files a fresh account under `id` with a number of its own and returns the number; an account held under `id`
   * before is released first (its place in the iteration order is kept, as Map.set keeps it).
   */
  add(id: string): number {
    const old = this.ids.get(id);
    if (old !== undefined) this.release(old);
    let ix: number;
    if (this.free.length > 0) ix = this.free.pop()!;
    else {
      ix = this.top++;
      if (ix >= this.capacity) {
        // 1.25x: the per-account arrays carry at most a quarter of unused room (the copies stay amortised O(1))
        this.capacity = Math.max(1024, Math.ceil(this.capacity * 1.25));
        this.onGrow(this.capacity);
      }
    }
    this.ids.set(id, ix);
    return ix;
  }

  delete(id: string): boolean {
    const ix = this.ids.get(id);
    if (ix === undefined) return false;
    this.ids.delete(id);
    this.release(ix);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.ids.keys();
  }

  /** (id, number) pairs in insertion order. */
  numbers(): IterableIterator<[string, number]> {
    return this.ids.entries();
  }

  *values(): IterableIterator<T> {
    for (const ix of this.ids.values()) yield this.view(ix);
  }

  *entries(): IterableIterator<[string, T]> {
    for (const [id, ix] of this.ids) yield [id, this.view(ix)];
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }

  private release(ix: number): void {
    this.onRelease(ix);
    this.free.push(ix);
  }
}
