// The in-memory answers behind GET /v1/accounts/{id}: the account, its holds and its ancestors (AccountView),
// kept for the most recently read accounts so a read costs no database round trip. Kept correct by the status
// view's LISTEN connection (src/status-view, migration 0012):
// - a changed account (updated, moved, a hold placed or lifted) evicts itself and every cached account below it
//   (an index from each ancestor to the cached accounts under it makes that cheap);
// - while the feed is not following, nothing is cached or answered from the cache, and a reset empties it;
// - a write through this process's API empties it when answered (`forgetAll`), so a client reads its own writes
//   even before the notification arrives;
// - a load that raced any change or write (the epoch moved while it read the store) is not kept;
// - `ttlMs` (default 5 min) bounds an entry's life as a safety net;
// - `maxEntries` (default 25,000; about 1.5 KB each in bench/api-get.ts) keeps at least that many of the most
//   recently read accounts, and at most twice that (~75 MB) whatever the number of accounts. They are held in two
//   generations of `maxEntries` (src/generational-map.ts): when the newer is full, the older is dropped whole and its
//   entries leave the ancestor index, so no read pays for an eviction. (One Map evicting its first key per miss
//   walked every slot V8 keeps for the keys deleted before it, and each read's move to the end deleted one. Two
//   generations of half the bound instead held too few: a 20,000-account working set hit 81%, not 100%.)
// Never: caches an unknown account, or mutates a cached view (callers must not either).
import { GenerationalMap } from '../generational-map.js';
import type { Queryable } from '../store/db.js';
import { loadAccountView, type AccountView } from './queries/account-queries.js';
import type { ChangeFeed } from './token-cache.js';

export interface AccountCacheOptions {
  /** Told the outcome of each lookup (metrics). */
  onLookup?: (outcome: 'hit' | 'miss' | 'bypass') => void;
  maxEntries?: number;
  ttlMs?: number;
  now?: () => number;
}

export interface AccountCache {
  /** The account's view, from memory when cached and current, else from the store (then kept). */
  load(db: Queryable, id: string): Promise<AccountView | null>;
  /** Forgets every entry (a write through this process was answered). */
  forgetAll(): void;
  /** Stops following the feed. */
  close(): void;
  readonly size: number;
}

interface Entry {
  view: AccountView;
  until: number;
}

export function createAccountCache(feed: ChangeFeed, opts: AccountCacheOptions = {}): AccountCache {
  const max = opts.maxEntries ?? 25_000;
  const ttl = opts.ttlMs ?? 300_000;
  const now = opts.now ?? Date.now;
  const count = opts.onLookup ?? (() => undefined);
  // Ancestor id -> the cached accounts below it.
  const below = new Map<string, Set<string>>();
  const unindex = (id: string, view: AccountView) => {
    for (const a of view.ancestors) {
      const s = below.get(a.id);
      if (!s) continue;
      s.delete(id);
      if (s.size === 0) below.delete(a.id);
    }
  };
  const entries = new GenerationalMap<string, Entry>(2 * max, (forgotten) => {
    for (const [id, e] of forgotten) unindex(id, e.view);
  });
  let epoch = 0;

  const drop = (id: string) => {
    const e = entries.get(id);
    if (!e) return;
    entries.delete(id);
    unindex(id, e.view);
  };
  const forgetAll = () => {
    epoch++;
    entries.clear();
    below.clear();
  };
  const keep = (id: string, view: AccountView) => {
    drop(id);
    entries.set(id, { view, until: now() + ttl });
    for (const a of view.ancestors) {
      let s = below.get(a.id);
      if (!s) below.set(a.id, (s = new Set()));
      s.add(id);
    }
  };

  const unwatch = feed.watch({
    accountChanged(id) {
      epoch++;
      drop(id);
      const s = below.get(id);
      if (s) for (const d of [...s]) drop(d);
    },
    reset: forgetAll,
  });

  return {
    async load(db, id) {
      if (!feed.following) {
        count('bypass');
        return loadAccountView(db, id);
      }
      const hit = entries.get(id);
      if (hit && hit.until > now()) {
        count('hit');
        // The most recently read stay: a hit in the older generation moves to the newer.
        entries.set(id, hit);
        return hit.view;
      }
      count('miss');
      const before = epoch;
      const view = await loadAccountView(db, id);
      if (view && epoch === before && feed.following) keep(id, view);
      return view;
    },
    forgetAll,
    close: unwatch,
    get size() {
      return entries.size;
    },
  };
}
