// The accounts of one engine state by id, each with an interned number (its index, `ix`) by which the arenas
// (window-state.ts) file the account's rows in their typed arrays. The numbers of dropped accounts are reused first
// (a free list), so the arenas' per-account arrays stay as long as the most accounts held at once. Map-like (get,
// has, set, delete, size, keys, values, entries, iteration in insertion order), so the code that knew
// `EngineState.accounts` as a Map keeps working; what an account leaves behind in the arenas is released through
// `onRelease` when it is deleted or replaced by set(). Must never hand out a number still in use. Pure.

/** What the table stores: anything that carries its number (-1 while not in a table). */
export interface Numbered {
  ix: number;
}

export class AccountTable<T extends Numbered> {
  /** id -> number. */
  private readonly ids = new Map<string, number>();
  /** number -> account (undefined: free). */
  private readonly byIndex: (T | undefined)[] = [];
  private readonly free: number[] = [];
  /** Length the arenas' per-account arrays have (onGrow is told before a number at or past it is used). */
  private capacity = 0;

  constructor(
    private readonly onRelease: (ix: number) => void,
    private readonly onGrow: (capacity: number) => void,
  ) {}

  get size(): number {
    return this.ids.size;
  }

  get(id: string): T | undefined {
    const ix = this.ids.get(id);
    return ix === undefined ? undefined : this.byIndex[ix];
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The account's number, or -1. */
  indexOf(id: string): number {
    return this.ids.get(id) ?? -1;
  }

  /** Files `acct` under `id` with a number of its own; an account held under `id` before is released first. */
  set(id: string, acct: T): this {
    const old = this.ids.get(id);
    if (old !== undefined) {
      if (this.byIndex[old] === acct) return this;
      this.release(old);
    }
    let ix: number;
    if (this.free.length > 0) ix = this.free.pop()!;
    else {
      ix = this.byIndex.length;
      this.byIndex.push(undefined);
      if (ix >= this.capacity) {
        // 1.25x: the arenas' per-account arrays carry at most a quarter of unused room (the copies stay amortised O(1))
        this.capacity = Math.max(1024, Math.ceil(this.capacity * 1.25));
        this.onGrow(this.capacity);
      }
    }
    this.byIndex[ix] = acct;
    acct.ix = ix;
    // on a Map, set() over an existing key keeps its place in the iteration order; so does this
    this.ids.set(id, ix);
    return this;
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

  *values(): IterableIterator<T> {
    for (const ix of this.ids.values()) yield this.byIndex[ix]!;
  }

  *entries(): IterableIterator<[string, T]> {
    for (const [id, ix] of this.ids) yield [id, this.byIndex[ix]!];
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }

  private release(ix: number): void {
    this.onRelease(ix);
    this.byIndex[ix]!.ix = -1;
    this.byIndex[ix] = undefined;
    this.free.push(ix);
  }
}
