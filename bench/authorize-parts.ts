// Benchmark: what the GET /v1/authorize fast path (src/api/fast-authorize.ts) costs per request in this process,
// part by part, in CPU time (process.cpuUsage over N calls, so other load on the machine counts little): reading
// the query, the bearer check from the token cache, the answer (status-view lookup, emergency check, kept JSON),
// and the whole listener with a response that writes nothing. No HTTP, no database: a stand-in status view holds
// 100,000 accounts (1 % suspended) in one Map as the real one does; requests as bench/authorize.ts sends them
// (random accounts, 5 % calls to 999), each URL and header a fresh string as node's HTTP parser makes them.
// Usage: npx tsx bench/authorize-parts.ts [calls=300000]
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createFastAuthorize, parseAuthorizeQuery } from '../src/api/fast-authorize.js';
import { authorizeJsonAnswerer, type AuthorizeInput } from '../src/api/routes/authorize-routes.js';
import { cachedAuthentication, type ChangeFeed } from '../src/api/token-cache.js';
import type { TokenActor } from '../src/api/tokens.js';
import type { KnownStatus } from '../src/domain/call-authorization.js';
import { emergencyNumbers } from '../src/domain/emergency-numbers.js';
import { Metrics } from '../src/metrics.js';
import type { StatusView } from '../src/status-view/status-view.js';

const calls = Number(process.argv[2] ?? 300_000);

const ACTIVE: KnownStatus = { status: 'active', holds: [], inheritedFrom: [] };
const statuses = new Map<string, KnownStatus>();
const ids: string[] = [];
for (let r = 1; r <= 100; r++) {
  for (let u = 1; u <= 1000; u++) {
    const id = `r${r}-c${(u % 10) + 1}-u${u}`;
    ids.push(id);
    const suspended = (r * 7 + u) % 100 === 0;
    statuses.set(id, suspended ? { status: 'suspended', holds: [{ id: `h-${id}`, reason: 'fraud', source: 'rule:bench', since: '2026-11-24T21:09:16Z' }], inheritedFrom: [] } : ACTIVE);
  }
}
const feed: ChangeFeed = { following: true, watch: () => () => undefined };
const view = { loaded: true, following: true, lookup: (id: string) => statuses.get(id) ?? null, watch: feed.watch } as unknown as StatusView;
const actor: TokenActor = { tokenId: 't1', role: 'authorize', accountId: null, label: null };
const header = `Bearer sd_${'k'.repeat(43)}`;
// A TTL longer than the run, so every peek is the hit it is in service.
const tokens = cachedAuthentication(async () => actor, feed, { ttlMs: 3_600_000 });
await tokens.authenticate({ headers: { authorization: header } } as never);
const answer = authorizeJsonAnswerer({ view, emergency: emergencyNumbers(), metrics: new Metrics({ defaultMetrics: false }) });
const listener = createFastAuthorize({ answer, loaded: () => true, peek: tokens.peek, bypass: () => false });

const urls: string[] = [];
for (let i = 1; i <= 20_000; i++) {
  const callee = i % 20 === 0 ? '999' : `%2B4420794${String(i).padStart(5, '0')}`;
  urls.push(`/v1/authorize?account=${ids[(i * 7919) % ids.length]}&callee=${callee}&caller=%2B441632960001`);
}
const inputs = urls.map((u) => parseAuthorizeQuery(u.slice('/v1/authorize?'.length))!) as AuthorizeInput[];
const fresh = (s: string) => (' ' + s).slice(1);
const res = { writeHead: () => res, end: () => undefined } as unknown as ServerResponse;

/** CPU ns per call of f (after a warm-up), less nothing: the fresh-string baseline is printed as its own line. */
function cost(name: string, f: (i: number) => unknown): void {
  for (let i = 0; i < 50_000; i++) f(i % 20_000);
  const c0 = process.cpuUsage();
  let truthy = 0;
  for (let i = 0; i < calls; i++) if (f(i % 20_000)) truthy++;
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ part: name, nsPerCall: Math.round(((c.user + c.system) * 1000) / calls), answered: truthy === calls }));
}

cost('baseline: a fresh URL and header string', (i) => fresh(urls[i]!).length + fresh(header).length);
cost('query: parseAuthorizeQuery of a fresh URL', (i) => parseAuthorizeQuery(fresh(urls[i]!).slice('/v1/authorize?'.length)));
cost('token: peek of a fresh header', () => tokens.peek(fresh(header)));
cost('answer: lookup, emergency check, kept JSON', (i) => answer(inputs[i]!));
cost('listener: all of it, fresh strings, no write', (i) =>
  listener({ method: 'GET', url: fresh(urls[i]!), headers: { host: '127.0.0.1', authorization: fresh(header) } } as unknown as IncomingMessage, res),
);
