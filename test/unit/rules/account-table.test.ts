// The account table (account-table.ts over id-index.ts) must behave as the Map<string, number> it replaced: the same
// ids held, each under a number of its own, iteration in insertion order (a replaced id keeps its place), numbers
// of deleted accounts reused, every id read back exactly (non-ASCII, long, empty, ids that differ only at the end or
// share a 32-bit hash), through growth with moves under way during lookups, inserts and deletes. The dirty set
// (dirty-accounts.ts) must hold the ids a Set<string> would. Fixed seeds.
import { describe, expect, it } from 'vitest';
import { AccountTable } from '../../../src/rules/account-table.js';
import { DirtyAccounts } from '../../../src/rules/dirty-accounts.js';
import { idHash } from '../../../src/rules/id-index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Pairs of ids of equal idHash (found by search). */
const COLLIDING = [['kwetwtzyrk', 'kozvkmwatt'], ['kmhbepkkhd', 'kyxzhzotim'], ['knrcuddclx', 'krvzrwuruf'], ['kqmjcnygtr', 'kujnyuiiuo']];

const UNITS = [0x7f, 0x80, 0xe9, 0x4e2d, 0xd83d, 0xde00, 0xffff, 0x01];

/** A pool of ids: mostly `acct-<n>`, with a tail differing only in the last unit, non-ASCII, long and empty ones. */
function pool(r: () => number, n: number): string[] {
  const ids = new Set<string>(['', ...COLLIDING.flat()]);
  while (ids.size < n) {
    const k = Math.floor(r() * n * 4);
    const kind = r();
    if (kind < 0.7) ids.add(`acct-${k}`);
    else if (kind < 0.8) ids.add(`acct-${k}${String.fromCharCode(0x61 + Math.floor(r() * 3))}`);
    else if (kind < 0.9) ids.add(`a${String.fromCharCode(UNITS[Math.floor(r() * UNITS.length)]!)}${k}`);
    else ids.add(`${'x'.repeat(60 + Math.floor(r() * 10))}${k}`);
  }
  return [...ids];
}

class Model {
  readonly table: AccountTable<number>;
  readonly map = new Map<string, number>();
  readonly released: number[] = [];
  capacity = 0;

  constructor() {
    this.table = new AccountTable<number>((ix) => this.released.push(ix), (c) => (this.capacity = c), (ix) => ix);
  }

  add(id: string): void {
    const before = this.map.get(id);
    this.released.length = 0;
    const ix = this.table.add(id);
    expect(this.released).toEqual(before === undefined ? [] : [before]);
    expect(ix).toBeLessThan(this.capacity);
    this.map.set(id, ix);
  }

  delete(id: string): void {
    const before = this.map.get(id);
    this.released.length = 0;
    expect(this.table.delete(id)).toBe(before !== undefined);
    expect(this.released).toEqual(before === undefined ? [] : [before]);
    this.map.delete(id);
  }

  check(ids: readonly string[]): void {
    expect(this.table.size).toBe(this.map.size);
    expect(ids.filter((id) => this.table.indexOf(id) !== (this.map.get(id) ?? -1))).toEqual([]);
    expect([...this.table.numbers()]).toEqual([...this.map.entries()]);
    expect([...this.map].filter(([id, ix]) => this.table.idOf(ix) !== id)).toEqual([]);
    expect(new Set(this.map.values()).size).toBe(this.map.size);
  }
}

describe('account table', () => {
  it('colliding ids really share a hash', () => {
    for (const [a, b] of COLLIDING) expect(idHash(a!)).toBe(idHash(b!));
  });

  it('holds what a Map holds through random adds, deletes and re-adds, growth included', () => {
    for (const seed of [1, 2]) {
      const r = rng(seed);
      const ids = pool(r, 3000);
      const m = new Model();
      let wrong = 0;
      for (let step = 0; step < 20_000; step++) {
        const id = ids[Math.floor(r() * ids.length)]!;
        // lookups of held and absent ids while moves run
        const q = ids[Math.floor(r() * ids.length)]!;
        if (m.table.indexOf(q) !== (m.map.get(q) ?? -1)) wrong++;
        if (r() < (step < 10_000 ? 0.7 : 0.4)) m.add(id);
        else m.delete(id);
        if (step % 5000 === 4999) m.check(ids);
      }
      expect(wrong).toBe(0);
      m.check(ids);
      // the numbers stay below the most accounts held at once (free-list reuse)
      expect(m.capacity).toBeLessThan(2 * 3000);
    }
  });

  it('finds every id while the table grows, lookups only between inserts', () => {
    const m = new Model();
    const ids = Array.from({ length: 20_000 }, (_, i) => `acct-${i}`);
    let wrong = 0;
    for (let i = 0; i < ids.length; i++) {
      m.add(ids[i]!);
      // every lookup may move old slots: each held id must be found, an absent one not
      if (i % 97 === 0) for (let j = 0; j <= i; j += 13) if (m.table.indexOf(ids[j]!) !== (m.map.get(ids[j]!) ?? -1)) wrong++;
      if (m.table.indexOf(`acct-${i}x`) !== -1) wrong++;
      if (i % 3 === 0 && i > 10) m.delete(ids[i - 10]!);
    }
    expect(wrong).toBe(0);
    m.check(ids);
  });

  it('visits each entry once when the current one is deleted during iteration, and not one deleted ahead', () => {
    const m = new Model();
    for (let i = 0; i < 100; i++) m.add(`a${i}`);
    const seen: number[] = [];
    for (const ix of m.table.numbersInOrder()) {
      seen.push(ix);
      if (ix % 2 === 0) m.table.deleteAt(ix);
      if (ix === 10) m.table.delete('a51');
    }
    expect(seen).toHaveLength(99);
    expect(m.table.size).toBe(49);
    expect([...m.table.keys()]).toEqual(Array.from({ length: 50 }, (_, i) => `a${2 * i + 1}`).filter((id) => id !== 'a51'));
  });

  it('forEachNumber visits as numbersInOrder does, the current one deleted or one ahead', () => {
    const run = (each: (m: Model, fn: (ix: number) => void) => void): [number[], string[]] => {
      const m = new Model();
      for (let i = 0; i < 100; i++) m.add(`a${i}`);
      for (let i = 0; i < 100; i += 7) m.delete(`a${i}`);
      const seen: number[] = [];
      each(m, (ix) => {
        seen.push(ix);
        if (ix % 3 === 0) m.table.deleteAt(ix);
        if (ix === 10) m.table.delete('a52');
      });
      return [seen, [...m.table.keys()]];
    };
    const viaIterator = run((m, fn) => {
      for (const ix of m.table.numbersInOrder()) fn(ix);
    });
    expect(viaIterator[0].length).toBeGreaterThan(50);
    expect(run((m, fn) => m.table.forEachNumber(fn))).toEqual(viaIterator);
  });

  it('keeps the order of ids through deletes and the close-up of the holes', () => {
    const m = new Model();
    const r = rng(7);
    const ids = pool(r, 500);
    for (let round = 0; round < 20; round++) {
      for (const id of ids) if (r() < 0.5) m.add(id);
      for (const id of ids) if (r() < 0.4) m.delete(id);
      m.check(ids);
    }
  });
});

describe('dirty accounts', () => {
  it('hold the ids a Set<string> holds, through marks, releases, re-adds and clears', () => {
    for (const seed of [11, 12]) {
      const r = rng(seed);
      const ids = pool(r, 400);
      let dirty!: DirtyAccounts;
      const table: AccountTable<number> = new AccountTable<number>(
        (ix) => dirty.released(ix),
        (c) => dirty.grow(c),
        (ix) => ix,
        (ix, id) => dirty.added(ix, id),
      );
      dirty = new DirtyAccounts(table);
      const set = new Set<string>();
      for (let step = 0; step < 20_000; step++) {
        const id = ids[Math.floor(r() * ids.length)]!;
        const op = r();
        if (op < 0.35) {
          // a record: the account is filed (if new) and marked
          const ix = table.indexOf(id) >= 0 ? table.indexOf(id) : table.add(id);
          dirty.add(ix);
          set.add(id);
        } else if (op < 0.5) {
          // a restore over the account (replace) or of a new one: stays as dirty as it was
          table.add(id);
        } else if (op < 0.65) {
          // the sweep: forgotten and marked
          const ix = table.indexOf(id);
          if (ix >= 0) {
            dirty.add(ix);
            table.deleteAt(ix);
            set.add(id);
          }
        } else if (op < 0.75) {
          // a spill: only a clean account goes
          if (!dirty.has(id)) table.delete(id);
        } else if (op < 0.85) {
          dirty.addId(id);
          set.add(id);
        } else if (op < 0.995) {
          expect(dirty.has(id)).toBe(set.has(id));
        } else {
          dirty.clear();
          set.clear();
        }
        expect(dirty.size).toBe(set.size);
        if (step % 500 === 0) {
          const listed = dirty.ids();
          expect(listed).toHaveLength(set.size);
          expect(new Set(listed)).toEqual(set);
        }
      }
    }
  });
});
