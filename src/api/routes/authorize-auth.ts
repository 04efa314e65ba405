// Bearer authentication for /v1/authorize without a database read per request: a token, once resolved, is kept in
// memory for `ttlMs` (default 10 s), so a revocation reaches the authorization endpoint within that time. Unknown
// or revoked tokens are not cached (each such request asks the store again, as every other route does).
// Owns: that cache only. Never: stores the token itself (the key is its sha256), or caches a failure.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Authenticate } from '../route.js';
import type { TokenActor } from '../tokens.js';

export interface CachedAuthenticateOptions {
  ttlMs?: number;
  /** Entries kept at most; the oldest go first (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

export function cachedAuthenticate(inner: Authenticate, opts: CachedAuthenticateOptions = {}): Authenticate {
  const ttl = opts.ttlMs ?? 10_000;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { actor: TokenActor; until: number }>();
  return async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!m) return inner(req);
    const key = createHash('sha256').update(m[1]!).digest('base64');
    const hit = cache.get(key);
    const t = now();
    if (hit && hit.until > t) {
      req.actor = hit.actor;
      return hit.actor;
    }
    const actor = await inner(req);
    if (actor) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(key, { actor, until: t + ttl });
    } else {
      cache.delete(key);
    }
    return actor;
  };
}
