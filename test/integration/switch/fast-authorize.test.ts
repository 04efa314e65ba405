// The GET /v1/authorize fast path (src/api/fast-authorize.ts) against fastify's route, on real PostgreSQL and real
// HTTP: two API servers share one status view; the second logs at debug level, which sends every request through
// fastify. For a matrix of requests (active, own hold, inherited, unknown account, emergency numbers with and
// without a caller, bad parameters, no token, a bad token, a revoked token, authorize, operator, customer and
// ingest roles) both give the same status, headers (but the date) and body bytes, and the fast server answers
// without fastify exactly the valid requests with a cached authorize or operator token; a kept answer follows
// the account's changes.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../../src/api/server.js';
import { createToken, revokeToken } from '../../../src/api/tokens.js';
import { systemClock } from '../../../src/clock.js';
import { emergencyNumbers } from '../../../src/domain/emergency-numbers.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createStatusView, type StatusView } from '../../../src/status-view/status-view.js';
import type { Database } from '../../../src/store/db.js';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { insertAccounts, TREE } from '../api/api-fixture.js';

let fresh: FreshDatabase;
let db: Database;
let view: StatusView;
const servers: ApiServer[] = [];
let fastUrl = '';
let slowUrl = '';
/** Requests that reached fastify on the fast server. */
const seenByFastify: string[] = [];
const tokens: Record<string, string> = {};
let revokedId = '';

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

async function server(level: string, spy?: string[]): Promise<string> {
  const metrics = new Metrics({ defaultMetrics: false });
  const s = createApiServer({
    db, logger: createLogger(level, sink()), metrics, clock: systemClock, rules: () => undefined,
    readiness: () => ({ ready: true, reasons: [] }), authorize: { view, emergency: emergencyNumbers(), metrics },
  });
  if (spy) s.app.addHook('onRequest', async (req) => void spy.push(`${req.method} ${req.url}`));
  servers.push(s);
  return (await s.start('127.0.0.1', 0)).url;
}

interface Answer { status: number; headers: Record<string, string>; body: string }

async function ask(base: string, path: string, token?: string, method = 'GET', body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const headers = Object.fromEntries([...res.headers].filter(([k]) => k !== 'date'));
  return { status: res.status, headers, body: await res.text() };
}

beforeAll(async () => {
  fresh = await freshDatabase();
  await insertAccounts(fresh.db, TREE);
  db = createPgDatabase(fresh.url, { max: 4 });
  for (const [name, role, accountId] of [['authorize', 'authorize', null], ['operator', 'operator', null], ['customer', 'customer', 'u1'], ['ingest', 'ingest', null], ['revoked', 'authorize', null]] as const) {
    const t = await createToken(fresh.db, { role, ...(accountId ? { accountId } : {}) });
    tokens[name] = t.token;
    if (name === 'revoked') revokedId = t.id;
  }
  view = createStatusView({ db, logger: createLogger('silent'), metrics: new Metrics({ defaultMetrics: false }) });
  await view.start();
  fastUrl = await server('info', seenByFastify);
  slowUrl = await server('debug');
  // c2 suspended (u2 inherits it), u3 by its own hold.
  for (const id of ['c2', 'u3']) {
    const r = await ask(fastUrl, `/v1/accounts/${id}/suspend`, tokens.operator, 'POST', { reason: 'fraud', note: 'fast path test' });
    expect(r.status).toBe(200);
  }
  const t0 = Date.now();
  while (view.lookup('u2')?.status !== 'suspended' || view.lookup('u3')?.status !== 'suspended') {
    if (Date.now() - t0 > 5_000) throw new Error('the status view did not follow the suspensions');
    await new Promise((r) => setTimeout(r, 10));
  }
}, 60_000);
afterAll(async () => {
  for (const s of servers) await s.stop();
  await view?.stop();
  await db?.close();
  await fresh?.drop();
});

const q = (p: Record<string, string>) => `/v1/authorize?${new URLSearchParams(p)}`;
const VALID = [
  q({ account: 'u1', callee: '+442079460000' }),
  q({ account: 'u1', callee: '+442079460000', caller: '+441632960001' }),
  q({ account: 'u2', callee: '+442079460000' }),
  q({ account: 'u3', callee: '+442079460000', caller: '+441632960001' }),
  q({ account: 'c2', callee: 'sip-user.1' }),
  q({ account: 'nobody', callee: '+442079460000' }),
  q({ account: 'u2', callee: '999', caller: '+441632960001' }),
  q({ account: 'u3', callee: '999' }),
  q({ account: 'u3', callee: '112', caller: '+33142685300' }),
  q({ account: 'u3', callee: '911', caller: '+441632960001' }),
  q({ account: 'u1', callee: '911', caller: '+12025550123' }),
  q({ account: 'ünïcode ;acct', callee: '(020) 7946-0000' }),
  '/v1/authorize?account=u1&callee=+442079460000',
  '/v1/authorize?callee=%2B442079460000&account=u%33',
  '/v1/authorize?account=u1&callee=999&',
  '/v1/authorize?&account=u3&&callee=999',
  `/v1/authorize?account=${'a'.repeat(200)}&callee=${'1'.repeat(64)}`,
];
const INVALID = [
  '/v1/authorize',
  '/v1/authorize?',
  '/v1/authorize/?account=u1&callee=999',
  '/v1/Authorize?account=u1&callee=999',
  q({ account: 'u1' }),
  q({ callee: '999' }),
  q({ account: '', callee: '999' }),
  q({ account: 'u1', callee: '' }),
  q({ account: 'u1', callee: '999', caller: '' }),
  q({ account: 'u1', callee: 'abc!' }),
  q({ account: 'u1', callee: '999', caller: 'x;y' }),
  q({ account: 'u1\u0001', callee: '999' }),
  q({ account: 'a'.repeat(201), callee: '999' }),
  q({ account: 'u1', callee: '1'.repeat(65) }),
  q({ account: 'u1', callee: '999', extra: '1' }),
  '/v1/authorize?account=u1&account=u2&callee=999',
  '/v1/authorize?account&callee=999',
];
// Valid for fastify, left to it by the fast path: an escaped parameter name, escapes that are not UTF-8 (kept as
// written by fastify's parser).
const DOUBTFUL = ['/v1/authorize?%61ccount=u1&callee=999', '/v1/authorize?account=%zz&callee=999', '/v1/authorize?account=u%FF&callee=999'];

describe('GET /v1/authorize fast path against the fastify route', () => {
  it('answers valid requests with a cached authorize or operator token itself, byte for byte as fastify', async () => {
    for (const who of ['authorize', 'operator']) {
      await ask(fastUrl, VALID[0]!, tokens[who]);
      await ask(slowUrl, VALID[0]!, tokens[who]);
      seenByFastify.length = 0;
      for (const path of VALID) {
        const [fast, slow] = [await ask(fastUrl, path, tokens[who]), await ask(slowUrl, path, tokens[who])];
        expect(fast, `${who} ${path}`).toEqual(slow);
        expect(fast.status).toBe(200);
        expect(fast.headers['content-type']).toBe('application/json; charset=utf-8');
      }
      expect(seenByFastify).toEqual([]);
    }
    // Spot checks of the answers themselves.
    const body = async (path: string) => JSON.parse((await ask(fastUrl, path, tokens.authorize)).body);
    expect(await body(VALID[2]!)).toMatchObject({ allow: false, inheritedFrom: ['c2'], emergency: false });
    expect(await body(VALID[3]!)).toMatchObject({ allow: false, holds: [{ reason: 'fraud' }], emergency: false });
    expect(await body(VALID[5]!)).toMatchObject({ allow: true, reason: 'unknown account' });
    expect(await body(VALID[6]!)).toMatchObject({ allow: true, emergency: true });
    expect(await body(VALID[7]!)).toMatchObject({ allow: true, emergency: true });
    expect(await body(VALID[12]!)).toEqual({ allow: true, reason: 'active', holds: [], inheritedFrom: [], emergency: false });
  });

  it('leaves bad parameters, doubtful escapes, other methods, missing, unknown and refused tokens to fastify, with the same answers', async () => {
    await ask(fastUrl, VALID[0]!, tokens.customer);
    await ask(fastUrl, VALID[0]!, tokens.ingest);
    seenByFastify.length = 0;
    const cases: Array<[string, string | undefined, number]> = [
      ...INVALID.map((p): [string, string, number] => [p, tokens.authorize!, /^\/v1\/(Authorize|authorize\/)/.test(p) ? 404 : 400]),
      ...DOUBTFUL.map((p): [string, string, number] => [p, tokens.authorize!, 200]),
      [VALID[0]!, undefined, 401],
      [VALID[0]!, 'sd_not-a-token', 401],
      [VALID[0]!, tokens.customer, 403],
      [VALID[6]!, tokens.ingest, 403],
    ];
    for (const [path, token, status] of cases) {
      const [fast, slow] = [await ask(fastUrl, path, token), await ask(slowUrl, path, token)];
      expect(fast, path).toEqual(slow);
      expect(fast.status, path).toBe(status);
      if (status !== 200) expect(fast.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    }
    expect(seenByFastify).toHaveLength(cases.length);
    const post = await ask(fastUrl, '/v1/authorize', tokens.authorize, 'POST', { account: 'u2', callee: '999' });
    expect(post).toEqual(await ask(slowUrl, '/v1/authorize', tokens.authorize, 'POST', { account: 'u2', callee: '999' }));
    expect(seenByFastify.at(-1)).toBe('POST /v1/authorize');
  });

  it('a revoked token, cached a moment ago, is refused by fastify within 1 s', async () => {
    expect((await ask(fastUrl, VALID[0]!, tokens.revoked)).status).toBe(200);
    expect((await ask(fastUrl, VALID[0]!, tokens.revoked)).status).toBe(200);
    await revokeToken(fresh.db, revokedId);
    const t0 = Date.now();
    let last = await ask(fastUrl, VALID[0]!, tokens.revoked);
    while (last.status === 200 && Date.now() - t0 < 1_000) last = await ask(fastUrl, VALID[0]!, tokens.revoked);
    expect(last.status).toBe(401);
    expect(last).toEqual(await ask(slowUrl, VALID[0]!, tokens.revoked));
    expect(seenByFastify.at(-1)).toBe(`GET ${VALID[0]}`);
  });

  it('a kept answer follows the account: once c2 is activated u2 is allowed, and again denied after a new hold', async () => {
    const path = q({ account: 'u2', callee: '+442079460000' });
    const allow = async () => JSON.parse((await ask(fastUrl, path, tokens.authorize)).body).allow as boolean;
    expect(await allow()).toBe(false);
    expect((await ask(fastUrl, '/v1/accounts/c2/activate', tokens.operator, 'POST', {})).status).toBe(200);
    const t0 = Date.now();
    while ((await allow()) === false && Date.now() - t0 < 1_000);
    expect(await allow()).toBe(true);
    expect(await ask(fastUrl, path, tokens.authorize)).toEqual(await ask(slowUrl, path, tokens.authorize));
    expect((await ask(fastUrl, '/v1/accounts/u2/suspend', tokens.operator, 'POST', { reason: 'non_payment', note: 'again' })).status).toBe(200);
    const t1 = Date.now();
    while ((await allow()) === true && Date.now() - t1 < 1_000);
    const [fast, slow] = [await ask(fastUrl, path, tokens.authorize), await ask(slowUrl, path, tokens.authorize)];
    expect(fast).toEqual(slow);
    expect(JSON.parse(fast.body)).toMatchObject({ allow: false, holds: [{ reason: 'non_payment' }], inheritedFrom: [] });
  });
});
