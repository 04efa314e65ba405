// The accounts changed, created or forgotten since the last state write (EngineState.dirty): what an incremental
// checkpoint encodes (src/ingest/partition-checkpoint.ts) and what the memory budget must not spill. A set of ids,
// held without a string per account (issue 17: a Set<string> was ~26 B an account, and the engine added to it for
// every CDR): a mark per account number and the list of numbers marked, in order; the ids of accounts forgotten
// while dirty (no number any more) are kept as strings in `gone`, as before. An id is in at most one of the two:
// releasing a marked number moves its id to `gone`, and an id of `gone` given a number again (AccountTable's onAdd)
// moves back to a mark, so `size` is exact. Pure.
import type { AccountTable } from './account-table.js';

export class DirtyAccounts {
  /** Per account number: 1 when dirty (2 only inside ids()). */
  private marks = new Uint8Array(0);
  /** The numbers marked since the last clear, in order (a number released and marked again may repeat). */
  private list = new Int32Array(64);
  private listed = 0;
  private marked = 0;
  private readonly gone = new Set<string>();

  constructor(private readonly accounts: AccountTable<unknown>) {}

  /** Ids in the set. */
  get size(): number {
    return this.marked + this.gone.size;
  }

  /** Account numbers below `capacity` may be used. */
  grow(capacity: number): void {
    const marks = new Uint8Array(capacity);
    marks.set(this.marks);
    this.marks = marks;
  }

  /** Marks the account of number `ix` (in use). */
  add(ix: number): void {
    if (this.marks[ix] !== 0) return;
    this.marks[ix] = 1;
    this.marked++;
    if (this.listed === this.list.length) {
      const list = new Int32Array(2 * this.list.length);
      list.set(this.list);
      this.list = list;
    }
    this.list[this.listed++] = ix;
  }

  /** Adds an id, held by the table or not. */
  addId(id: string): void {
    const ix = this.accounts.indexOf(id);
    if (ix >= 0) this.add(ix);
    else this.gone.add(id);
  }

  has(id: string): boolean {
    const ix = this.accounts.indexOf(id);
    return ix >= 0 ? this.marks[ix] !== 0 : this.gone.has(id);
  }

  /** Whether the account of number `ix` (in use) is in the set. */
  hasAt(ix: number): boolean {
    return this.marks[ix] !== 0;
  }

  /** Number `ix` is being released (its id still readable): a dirty account's id stays, as forgotten. */
  released(ix: number): void {
    if (this.marks[ix] === 0) return;
    this.marks[ix] = 0;
    this.marked--;
    this.gone.add(this.accounts.idOf(ix));
  }

  /** `id` was given number `ix`: an id forgotten while dirty is marked again. */
  added(ix: number, id: string): void {
    if (this.gone.size > 0 && this.gone.delete(id)) this.add(ix);
  }

  /** The ids: accounts held, in the order first marked, then forgotten ones in the order forgotten. */
  ids(): string[] {
    const out: string[] = [];
    const m = this.marks;
    for (let p = 0; p < this.listed; p++) {
      const ix = this.list[p]!;
      if (m[ix] !== 1) continue;
      m[ix] = 2;
      out.push(this.accounts.idOf(ix));
    }
    for (let p = 0; p < this.listed; p++) if (m[this.list[p]!] === 2) m[this.list[p]!] = 1;
    for (const id of this.gone) out.push(id);
    return out;
  }

  clear(): void {
    for (let p = 0; p < this.listed; p++) this.marks[this.list[p]!] = 0;
    this.listed = 0;
    this.marked = 0;
    this.gone.clear();
  }
}
