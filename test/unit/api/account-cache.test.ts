// The account cache's rules (src/api/account-cache.ts), with an in-memory change feed and a counting store: a read
// of a cached account costs no store query; the bound holds however many accounts are read, the most recently read
// staying; a change to an account evicts it and every cached account below it, whichever generation holds them.
import { describe, expect, it } from 'vitest';
import { createAccountCache } from '../../../src/api/account-cache.js';
import { accountDetail, accountDetailJson } from '../../../src/api/account-view.js';
import type { ChangeFeed } from '../../../src/api/token-cache.js';
import type { Queryable } from '../../../src/store/db.js';
import type { ChangeWatcher } from '../../../src/status-view/status-view.js';

function feed(): ChangeFeed & { watchers: Set<ChangeWatcher>; following: boolean } {
  const watchers = new Set<ChangeWatcher>();
  return { following: true, watchers, watch: (w) => (watchers.add(w), () => void watchers.delete(w)) };
}

/** A tree r1 -> c1 -> u0..u(n-1), answered as loadAccountView's query answers (the account, then its ancestors). */
function store(customers: number) {
  const parent = new Map<string, string | null>([['r1', null], ['c1', 'r1']]);
  for (let i = 0; i < customers; i++) parent.set(`u${i}`, 'c1');
  const queries: string[] = [];
  const row = (id: string, depth: number) => ({
    id, type: id === 'r1' ? 'reseller' : id === 'c1' ? 'channel' : 'customer', parent_id: parent.get(id) ?? null,
    name: id, main_contact: null, timezone: null, currency: null, tags: [], closed: false,
    updated_at: new Date('2026-11-30T00:00:00Z'), depth, held: false, holds: null,
  });
  const db: Queryable = {
    async query<R>(_text: string, params?: readonly unknown[]) {
      const id = String(params?.[0]);
      queries.push(id);
      const rows = [];
      for (let at: string | null | undefined = id, depth = 0; at != null && parent.has(at); at = parent.get(at), depth++) rows.push(row(at, depth));
      return { rows: rows as R[], rowCount: rows.length } as never;
    },
  };
  return { db, queries };
}

describe('account cache', () => {
  it('answers a cached account without a query, and keeps at most twice the bound however many accounts are read', async () => {
    const f = feed();
    const { db, queries } = store(1_000);
    const cache = createAccountCache(f, { maxEntries: 10 });
    for (let i = 0; i < 1_000; i++) {
      expect((await cache.load(db, `u${i}`))?.account.id).toBe(`u${i}`);
      expect(cache.size).toBeLessThanOrEqual(20);
    }
    expect(queries).toHaveLength(1_000);
    // The most recently read are kept (at least the bound).
    for (let i = 990; i < 1_000; i++) await cache.load(db, `u${i}`);
    expect(queries).toHaveLength(1_000);
    // One read long ago asks the store again.
    await cache.load(db, 'u0');
    expect(queries).toHaveLength(1_001);
  });

  it('a read keeps an account among the most recently read, across generations', async () => {
    const f = feed();
    const { db, queries } = store(100);
    const cache = createAccountCache(f, { maxEntries: 2 });
    await cache.load(db, 'u0');
    for (let i = 1; i < 40; i++) {
      await cache.load(db, `u${i}`);
      await cache.load(db, 'u0'); // read between every other account: never forgotten
    }
    expect(queries.filter((id) => id === 'u0')).toHaveLength(1);
  });

  it('a change to the channel evicts every cached account below it, including ones moved between generations', async () => {
    const f = feed();
    const { db, queries } = store(100);
    const cache = createAccountCache(f, { maxEntries: 8 });
    for (let i = 0; i < 100; i++) await cache.load(db, `u${i}`);
    // The eight most recently read (the bound) are cached; reading them moves any in the older generation.
    const kept = ['u92', 'u93', 'u94', 'u95', 'u96', 'u97', 'u98', 'u99'];
    const read = queries.length;
    for (const id of kept) await cache.load(db, id);
    expect(queries.length).toBe(read);
    for (const w of f.watchers) w.accountChanged?.('c1');
    expect(cache.size).toBe(0);
    const before = queries.length;
    for (const id of kept) await cache.load(db, id);
    expect(queries.length - before).toBe(kept.length);
  });

  it("a cached account's answer is one JSON text, equal to accountDetail's, and a new one once the account changed", async () => {
    const f = feed();
    const { db } = store(10);
    const cache = createAccountCache(f, { maxEntries: 8 });
    const first = (await cache.load(db, 'u1'))!;
    const text = accountDetailJson(first);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(accountDetail(first))));
    expect(JSON.parse(text)).toMatchObject({ id: 'u1', status: 'active', holds: [], outboundCalls: 'allowed' });
    // The same cached view: the very same string, nothing built again.
    expect(accountDetailJson((await cache.load(db, 'u1'))!)).toBe(text);
    // A change evicts the view; the next read's view is new, and so is its text (made from what the store says now).
    for (const w of f.watchers) w.accountChanged?.('u1');
    const second = (await cache.load(db, 'u1'))!;
    expect(second).not.toBe(first);
    expect(accountDetailJson(second)).toBe(JSON.stringify(accountDetail(second)));
  });

  it('nothing is answered from memory while the feed is not following', async () => {
    const f = feed();
    const { db, queries } = store(10);
    const cache = createAccountCache(f, { maxEntries: 8 });
    await cache.load(db, 'u1');
    f.following = false;
    await cache.load(db, 'u1');
    await cache.load(db, 'u1');
    expect(queries).toHaveLength(3);
  });
});

describe('account cache working set', () => {
  it('a working set as large as the bound, read at random, is answered from memory once read', async () => {
    const f = feed();
    const { db, queries } = store(1_000);
    const cache = createAccountCache(f, { maxEntries: 1_000 });
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % 1_000;
    for (let i = 0; i < 20_000; i++) await cache.load(db, `u${next()}`);
    const before = queries.length;
    for (let i = 0; i < 5_000; i++) await cache.load(db, `u${next()}`);
    expect(queries.length - before).toBe(0);
  });
});
