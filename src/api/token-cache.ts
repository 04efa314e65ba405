// The bearer-token cache in front of every route's authentication, so a request costs no token lookup in the
// database. Revocation still takes effect within 1 s on every replica:
// - the `api_tokens` triggers (migration 0012) NOTIFY each revoked or deleted token id; the status view's LISTEN
//   connection hands it to `revoked`, which evicts the token at once;
// - while the feed is not following (LISTEN lost, still loading) nothing is cached or answered from the cache, so
//   every request asks the store, as without a cache; a reset empties the cache;
// - a lookup that raced a revocation (any revocation or reset arrived while it read the store) is not cached;
// - `ttlMs` (default 5 s) bounds an entry's life as a safety net.
// `peek` (the /v1/authorize fast path, once per call set-up) also keeps the live entries it found by the exact
// Authorization header, so a switch's repeated header costs a Map lookup instead of a regex and a sha256. Those
// entries are the cache's own objects: evicted with them on a revocation or a reset, dead with them at their TTL
// (and swept out by the first peek after each TTL), so they answer no longer than the cache does.
// Owns: the cache only. Never: caches a failure; keeps a token in clear except as a header in that index, which
// drops it by the first peek a TTL or more after its entry died (the cache's own key is the token's sha256).
import * as crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ChangeWatcher } from '../status-view/status-view.js';
import type { Authenticate } from './route.js';
import type { TokenActor } from './tokens.js';

/** Where revocations and account changes come from: the status view (src/status-view). */
export interface ChangeFeed {
  readonly following: boolean;
  watch(w: ChangeWatcher): () => void;
}

export interface TokenCacheOptions {
  ttlMs?: number;
  /** Entries kept at most; the oldest go first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
  /** Told the outcome of each lookup of a bearer token (metrics). */
  onLookup?: (outcome: 'hit' | 'miss' | 'bypass') => void;
}

interface Entry {
  actor: TokenActor;
  until: number;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

// The cache key of a token: its sha256, by the one-shot crypto.hash where Node has it (>= 20.12; a third the cost).
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64') => string }).hash;
const keyOf = oneShot ? (token: string) => oneShot('sha256', token, 'base64') : (token: string) => crypto.createHash('sha256').update(token).digest('base64');

export interface CachedAuthentication {
  authenticate: Authenticate;
  /**
   * The actor for an Authorization header only when it is a live cache hit (counted as one), without asking the
   * store; null for anything else (no bearer token, a miss, an expired entry, the feed not following), uncounted,
   * so a caller that then goes through `authenticate` counts the lookup once.
   */
  peek(authorization: string | undefined): TokenActor | null;
  /** Stops following the feed. */
  close(): void;
  readonly size: number;
}

export function cachedAuthentication(inner: Authenticate, feed: ChangeFeed, opts: TokenCacheOptions = {}): CachedAuthentication {
  const ttl = opts.ttlMs ?? 5_000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const count = opts.onLookup ?? (() => undefined);
  const cache = new Map<string, Entry>();
  // peek's index: exact Authorization header -> the cache's entry for its token (see the file's head).
  const byHeader = new Map<string, Entry>();
  let sweepAt = 0;
  // Bumped by every revocation and reset: a store lookup that saw it change does not cache its answer.
  let epoch = 0;
  const unwatch = feed.watch({
    tokenRevoked(tokenId) {
      epoch++;
      for (const [key, e] of cache) if (e.actor.tokenId === tokenId) cache.delete(key);
      for (const [header, e] of byHeader) if (e.actor.tokenId === tokenId) byHeader.delete(header);
    },
    reset() {
      epoch++;
      cache.clear();
      byHeader.clear();
    },
  });

  const authenticate: Authenticate = async (req: FastifyRequest) => {
    if (req.actor !== undefined) return req.actor;
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) return inner(req);
    if (!feed.following) {
      count('bypass');
      return inner(req);
    }
    const key = keyOf(m[1]!);
    const t = now();
    const hit = cache.get(key);
    if (hit && hit.until > t) {
      count('hit');
      req.actor = hit.actor;
      return hit.actor;
    }
    count('miss');
    const before = epoch;
    const actor = await inner(req);
    if (actor && epoch === before && feed.following) {
      if (!hit && cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(key, { actor, until: t + ttl });
    } else {
      cache.delete(key);
    }
    return actor;
  };
  const peek = (authorization: string | undefined): TokenActor | null => {
    if (authorization === undefined || !feed.following) return null;
    const t = now();
    if (t >= sweepAt) {
      sweepAt = t + ttl;
      for (const [header, e] of byHeader) if (e.until <= t) byHeader.delete(header);
    }
    const known = byHeader.get(authorization);
    if (known !== undefined && known.until > t) {
      count('hit');
      return known.actor;
    }
    const m = BEARER.exec(authorization);
    if (!m) return null;
    const hit = cache.get(keyOf(m[1]!));
    if (!hit || hit.until <= t) return null;
    if (known === undefined && byHeader.size >= max) byHeader.delete(byHeader.keys().next().value!);
    byHeader.set(authorization, hit);
    count('hit');
    return hit.actor;
  };
  return {
    authenticate,
    peek,
    close: unwatch,
    get size() {
      return cache.size;
    },
  };
}
