// The accounts of one engine state by id, each with an interned number (its index, `ix`) by which the engine's
// columns and arenas (engine-state.ts, window-state.ts, row-lists.ts) file the account's state. The numbers of
// dropped accounts are reused first (a free list), so the per-account arrays stay as long as the most accounts held
// at once. No object or string per account: the ids are bytes in id-index.ts, and `get` hands out a view made on the
// spot (`view(ix)`), for the code and tests that read an account as a whole; the engine's hot path uses `indexOf`
// and `add`. Map-like (get, has, delete, size, keys, values, entries, iteration in insertion order, an entry deleted
// during iteration is not visited); what an account leaves behind is released through `onRelease` when it is
// deleted or replaced by add(), while its id can still be read (`idOf`). Must never hand out a number still in use.
// Pure.
import { IdIndex } from './id-index.js';

/** An entry of `order` whose account was deleted. */
const HOLE = -1;

export class AccountTable<T> {
  private readonly ids = new IdIndex();
  private readonly free: number[] = [];
  /** Numbers handed out so far (the next new one). */
  private top = 0;
  /** Length the per-account arrays have (onGrow is told before a number at or past it is used). */
  private capacity = 0;
  /**
   * Insertion order: the numbers in order of their ids' first add, HOLE for deleted ones, and each number's place
   * in it. Closed up by an add that finds it full and a quarter holes (`shape` counts those, for the iterators).
   */
  private order = new Int32Array(16);
  private orderLength = 0;
  private holes = 0;
  private place = new Int32Array(0);
  private shape = 0;

  constructor(
    private readonly onRelease: (ix: number) => void,
    private readonly onGrow: (capacity: number) => void,
    private readonly view: (ix: number) => T,
    /** Told of each number given to an id (a new account, or one replacing the id's account). */
    private readonly onAdd: (ix: number, id: string) => void = () => {},
  ) {}

  get size(): number {
    return this.ids.size;
  }

  /** A view of the account (made on each call), or undefined. */
  get(id: string): T | undefined {
    const ix = this.ids.find(id);
    return ix < 0 ? undefined : this.view(ix);
  }

  has(id: string): boolean {
    return this.ids.find(id) >= 0;
  }

  /** The account's number, or -1. */
  indexOf(id: string): number {
    return this.ids.find(id);
  }

  /** The id of number `ix` (in use; a new string each call). */
  idOf(ix: number): string {
    return this.ids.idOf(ix);
  }

  /**
   * Files a fresh account under `id` with a number of its own and returns the number; an account held under `id`
   * before is released first (its place in the iteration order is kept, as Map.set keeps it).
   */
  add(id: string): number {
    const old = this.ids.find(id);
    let at = -1;
    if (old >= 0) {
      at = this.place[old]!;
      this.drop(old);
    }
    let ix: number;
    if (this.free.length > 0) ix = this.free.pop()!;
    else {
      ix = this.top++;
      if (ix >= this.capacity) {
        // 1.0625x: the per-account arrays (~100 B a number: every store's fields, the id rows) carry at most a
        // sixteenth of unused room (1.25x until branch `mem10`: 11 B an account at 100,000); the copies stay
        // amortised O(1), ~2 KB copied per new account, and a grow is rare once the accounts are in
        this.capacity = Math.max(1024, Math.ceil(this.capacity * 1.0625));
        this.ids.grow(this.capacity);
        const place = new Int32Array(this.capacity);
        place.set(this.place);
        this.place = place;
        this.onGrow(this.capacity);
      }
    }
    this.ids.insert(id, ix);
    if (at < 0) at = this.append(ix);
    else this.order[at] = ix;
    this.place[ix] = at;
    this.onAdd(ix, id);
    return ix;
  }

  delete(id: string): boolean {
    const ix = this.ids.find(id);
    if (ix < 0) return false;
    this.deleteAt(ix);
    return true;
  }

  /** Deletes the account of number `ix` (in use). */
  deleteAt(ix: number): void {
    this.order[this.place[ix]!] = HOLE;
    this.holes++;
    this.drop(ix);
  }

  /** The numbers in use, in insertion order. */
  *numbersInOrder(): IterableIterator<number> {
    const shape = this.shape;
    for (let p = 0; p < this.orderLength; p++) {
      const ix = this.order[p]!;
      if (ix === HOLE) continue;
      yield ix;
      if (this.shape !== shape) throw new Error('account table closed up during an iteration (an add while iterating)');
    }
  }

  /**
   * Calls `fn` with each number in use, in insertion order, as numbersInOrder yields them but without a generator's
   * result object per account (the engine's sweep visits every account four times an hour: ~30 B an account each
   * time, until branch `exo5`). `fn` may delete the account it is given; an add throws, as in an iteration.
   */
  forEachNumber(fn: (ix: number) => void): void {
    const shape = this.shape;
    for (let p = 0; p < this.orderLength; p++) {
      const ix = this.order[p]!;
      if (ix === HOLE) continue;
      fn(ix);
      if (this.shape !== shape) throw new Error('account table closed up during an iteration (an add while iterating)');
    }
  }

  *keys(): IterableIterator<string> {
    for (const ix of this.numbersInOrder()) yield this.ids.idOf(ix);
  }

  /** (id, number) pairs in insertion order. */
  *numbers(): IterableIterator<[string, number]> {
    for (const ix of this.numbersInOrder()) yield [this.ids.idOf(ix), ix];
  }

  *values(): IterableIterator<T> {
    for (const ix of this.numbersInOrder()) yield this.view(ix);
  }

  *entries(): IterableIterator<[string, T]> {
    for (const ix of this.numbersInOrder()) yield [this.ids.idOf(ix), this.view(ix)];
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.entries();
  }

  /** Array-buffer bytes of the ids and the order (for the memory breakdown). */
  bytes(): number {
    return this.ids.bytes() + this.order.byteLength + this.place.byteLength;
  }

  /** Releases number `ix` (its id still readable in onRelease), then frees it. */
  private drop(ix: number): void {
    this.onRelease(ix);
    this.ids.remove(ix);
    this.free.push(ix);
  }

  /** Puts `ix` last in the order and returns its place. */
  private append(ix: number): number {
    if (this.orderLength === this.order.length) {
      if (this.holes * 4 >= this.orderLength) this.closeUp();
      else {
        const order = new Int32Array(Math.ceil(this.order.length * 1.5));
        order.set(this.order);
        this.order = order;
      }
    }
    this.order[this.orderLength] = ix;
    return this.orderLength++;
  }

  /** Drops the holes of the order (one pass; iterators under way would lose their place, so they throw). */
  private closeUp(): void {
    const o = this.order;
    let w = 0;
    for (let p = 0; p < this.orderLength; p++) {
      const ix = o[p]!;
      if (ix === HOLE) continue;
      o[w] = ix;
      this.place[ix] = w++;
    }
    this.orderLength = w;
    this.holes = 0;
    this.shape++;
  }
}
