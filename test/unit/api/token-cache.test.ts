// The bearer-token cache's rules, with an in-memory change feed and a counting store lookup: a hit costs no lookup;
// a revocation evicts at once; a lookup that raced a revocation is not kept; nothing is cached or served while the
// feed is not following; entries expire after the TTL.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cachedAuthentication, type ChangeFeed } from '../../../src/api/token-cache.js';
import type { TokenActor } from '../../../src/api/tokens.js';
import type { ChangeWatcher } from '../../../src/status-view/status-view.js';

function feed(): ChangeFeed & { watchers: Set<ChangeWatcher>; following: boolean } {
  const watchers = new Set<ChangeWatcher>();
  return { following: true, watchers, watch: (w) => (watchers.add(w), () => void watchers.delete(w)) };
}
const actor: TokenActor = { tokenId: 't1', role: 'operator', accountId: null, label: null };
const req = (token = 'sd_x') => ({ headers: { authorization: `Bearer ${token}` } }) as unknown as FastifyRequest;

function store(onLookup: () => void = () => undefined) {
  const s = { lookups: 0, live: true };
  const inner = async () => {
    s.lookups++;
    onLookup();
    return s.live ? actor : null;
  };
  return { s, inner };
}

describe('token cache', () => {
  it('answers a known token from memory until it is revoked, then asks the store again', async () => {
    const f = feed();
    const { s, inner } = store();
    const c = cachedAuthentication(inner, f);
    expect(await c.authenticate(req())).toEqual(actor);
    expect(await c.authenticate(req())).toEqual(actor);
    expect(s.lookups).toBe(1);
    s.live = false;
    for (const w of f.watchers) w.tokenRevoked?.('t1');
    expect(await c.authenticate(req())).toBeNull();
    expect(s.lookups).toBe(2);
  });

  it('does not keep a lookup during which a revocation arrived', async () => {
    const f = feed();
    const { s, inner } = store(() => {
      for (const w of f.watchers) w.tokenRevoked?.('t1');
    });
    const c = cachedAuthentication(inner, f);
    await c.authenticate(req());
    expect(c.size).toBe(0);
    await c.authenticate(req());
    expect(s.lookups).toBe(2);
  });

  it('neither caches nor serves from the cache while the feed is not following, and a reset empties it', async () => {
    const f = feed();
    const { s, inner } = store();
    const c = cachedAuthentication(inner, f);
    await c.authenticate(req());
    expect(c.size).toBe(1);
    f.following = false;
    for (const w of f.watchers) w.reset();
    expect(c.size).toBe(0);
    await c.authenticate(req());
    await c.authenticate(req());
    expect(s.lookups).toBe(3);
    expect(c.size).toBe(0);
  });

  it('forgets an entry after its TTL and never caches a refusal', async () => {
    const f = feed();
    const { s, inner } = store();
    let t = 0;
    const c = cachedAuthentication(inner, f, { ttlMs: 1_000, now: () => t });
    await c.authenticate(req());
    t = 999;
    await c.authenticate(req());
    expect(s.lookups).toBe(1);
    t = 1_000;
    await c.authenticate(req());
    expect(s.lookups).toBe(2);
    s.live = false;
    t = 5_000;
    expect(await c.authenticate(req())).toBeNull();
    expect(await c.authenticate(req())).toBeNull();
    expect(s.lookups).toBe(4);
  });

  it('peek answers only a live cache hit (counted as one), never asks the store, and nothing while not following', async () => {
    const f = feed();
    const { s, inner } = store();
    const outcomes: string[] = [];
    let t = 0;
    const c = cachedAuthentication(inner, f, { ttlMs: 1_000, now: () => t, onLookup: (o) => outcomes.push(o) });
    expect(c.peek('Bearer sd_x')).toBeNull();
    expect(outcomes).toEqual([]);
    await c.authenticate(req());
    expect(c.peek('Bearer sd_x')).toEqual(actor);
    expect(c.peek('bearer  sd_x ')).toEqual(actor);
    expect(c.peek('Bearer sd_y')).toBeNull();
    expect(c.peek('Basic sd_x')).toBeNull();
    expect(c.peek(undefined)).toBeNull();
    expect(outcomes).toEqual(['miss', 'hit', 'hit']);
    f.following = false;
    expect(c.peek('Bearer sd_x')).toBeNull();
    f.following = true;
    t = 1_000;
    expect(c.peek('Bearer sd_x')).toBeNull();
    t = 0;
    for (const w of f.watchers) w.tokenRevoked?.('t1');
    expect(c.peek('Bearer sd_x')).toBeNull();
    expect(s.lookups).toBe(1);
  });

  it("peek's header index answers no longer than the cache: a revocation, a reset, the TTL end it; a renewed entry is found again", async () => {
    const f = feed();
    const { s, inner } = store();
    let t = 0;
    const c = cachedAuthentication(inner, f, { ttlMs: 1_000, now: () => t });
    const header = 'Bearer sd_x';
    await c.authenticate(req());
    expect(c.peek(header)).toEqual(actor);
    expect(c.peek(header)).toEqual(actor); // from the header index
    // Past the TTL the indexed entry is dead; a store lookup renews the cache and peek finds the new entry.
    t = 1_000;
    expect(c.peek(header)).toBeNull();
    await c.authenticate(req());
    expect(s.lookups).toBe(2);
    expect(c.peek(header)).toEqual(actor);
    // A revocation evicts the token from both.
    for (const w of f.watchers) w.tokenRevoked?.('t1');
    expect(c.peek(header)).toBeNull();
    await c.authenticate(req());
    expect(c.peek(header)).toEqual(actor);
    // A reset empties both, and nothing is answered while not following.
    f.following = false;
    for (const w of f.watchers) w.reset();
    expect(c.peek(header)).toBeNull();
    f.following = true;
    expect(c.peek(header)).toBeNull();
    // Another token's revocation leaves this one indexed.
    await c.authenticate(req());
    expect(c.peek(header)).toEqual(actor);
    for (const w of f.watchers) w.tokenRevoked?.('t2');
    expect(c.peek(header)).toEqual(actor);
    expect(s.lookups).toBe(4);
  });
});
