// Fast reads (issue 17) on real PostgreSQL with two API instances, each with its own pool and status view (as two
// replicas): bearer tokens and GET /v1/accounts/{id} answers are cached in memory, yet a token revoked in the store
// is refused by both within 1 s, and a hold, a rename or a move made through one instance shows on the other
// within 1 s; the instance that made a write shows it at once; scope rules still give 404 from the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer, type ApiServer } from '../../../src/api/server.js';
import { createToken, revokeToken } from '../../../src/api/tokens.js';
import { systemClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createStatusView, type StatusView } from '../../../src/status-view/status-view.js';
import type { Database } from '../../../src/store/db.js';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { insertAccounts, TREE } from './api-fixture.js';

interface Instance {
  db: Database;
  view: StatusView;
  server: ApiServer;
  url: string;
}

let fresh: FreshDatabase;
const instances: Instance[] = [];
let operator = '';
let reseller = '';

async function instance(): Promise<Instance> {
  const db = createPgDatabase(fresh.url, { max: 4 });
  const logger = createLogger('silent');
  const metrics = new Metrics({ defaultMetrics: false });
  const view = createStatusView({ db, logger, metrics });
  await view.start();
  const server = createApiServer({ db, logger, metrics, clock: systemClock, rules: () => undefined, readiness: () => ({ ready: true, reasons: [] }), statusView: view });
  const { url } = await server.start('127.0.0.1', 0);
  const i = { db, view, server, url };
  instances.push(i);
  return i;
}

async function call(i: Instance, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${i.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
}

/** Polls until `ok`, for at most `ms`; returns the last value and how long it took. */
async function within<T>(ms: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() - t0 > ms) return { value, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  fresh = await freshDatabase();
  await insertAccounts(fresh.db, TREE);
  operator = (await createToken(fresh.db, { role: 'operator' })).token;
  reseller = (await createToken(fresh.db, { role: 'reseller', accountId: 'r1' })).token;
  await instance();
  await instance();
}, 60_000);
afterAll(async () => {
  for (const i of instances) {
    await i.server.stop();
    await i.view.stop();
    await i.db.close();
  }
  await fresh?.drop();
});

describe('fast reads across two API instances', () => {
  it('a token revoked in the store is refused by both instances within 1 s, though both had it cached', async () => {
    const [a, b] = instances as [Instance, Instance];
    const t = await createToken(fresh.db, { role: 'channel', accountId: 'c1', label: 'to revoke' });
    for (const i of [a, b]) for (let n = 0; n < 3; n++) expect((await call(i, t.token, 'GET', '/v1/accounts/u1')).status).toBe(200);
    expect(await revokeToken(fresh.db, t.id)).toBe(true);
    const [onA, onB] = await Promise.all([a, b].map((i) => within(1_000, () => call(i, t.token, 'GET', '/v1/accounts/u1'), (r) => r.status === 401)));
    expect(onA!.value.status).toBe(401);
    expect(onB!.value.status).toBe(401);
    expect(onB!.ms).toBeLessThanOrEqual(1_000);
    // Other tokens are unaffected.
    expect((await call(b, operator, 'GET', '/v1/accounts/u1')).status).toBe(200);
  });

  it('a hold on an ancestor through one instance shows on a cached account read of the other within 1 s', async () => {
    const [a, b] = instances as [Instance, Instance];
    expect((await call(b, reseller, 'GET', '/v1/accounts/u2')).body).toMatchObject({ status: 'active', inheritedFrom: [] });
    // The cached answer is sent as the JSON text made once for the view, with the same media type as any answer.
    const cached = await call(b, reseller, 'GET', '/v1/accounts/u2');
    expect(cached).toMatchObject({ status: 200, type: 'application/json; charset=utf-8', body: { status: 'active' } });
    const placed = await call(a, operator, 'POST', '/v1/accounts/c2/suspend', { reason: 'fraud', note: 'seen twice' });
    expect(placed.status).toBe(200);
    const seen = await within(1_000, () => call(b, reseller, 'GET', '/v1/accounts/u2'), (r) => r.body.status === 'suspended');
    expect(seen.value.body).toMatchObject({ status: 'suspended', holds: [], inheritedFrom: ['c2'], outboundCalls: 'blocked' });
    const own = await within(1_000, () => call(b, reseller, 'GET', '/v1/accounts/c2'), (r) => r.body.holds?.length === 1);
    expect(own.value.body.holds[0]).toMatchObject({ reason: 'fraud', note: 'seen twice' });
  });

  it('the instance that made a write reads it at once, and a lift shows on the other within 1 s', async () => {
    const [a, b] = instances as [Instance, Instance];
    expect((await call(a, operator, 'GET', '/v1/accounts/u1')).body).toMatchObject({ status: 'active' });
    expect((await call(b, operator, 'GET', '/v1/accounts/u1')).body).toMatchObject({ status: 'active' });
    expect((await call(a, operator, 'POST', '/v1/accounts/u1/suspend', { reason: 'fraud' })).status).toBe(200);
    expect((await call(a, operator, 'GET', '/v1/accounts/u1')).body).toMatchObject({ status: 'suspended', holds: [{ reason: 'fraud' }] });
    expect((await within(1_000, () => call(b, operator, 'GET', '/v1/accounts/u1'), (r) => r.body.status === 'suspended')).value.body.status).toBe('suspended');
    expect((await call(a, operator, 'POST', '/v1/accounts/u1/activate', { reason: 'fraud' })).status).toBe(200);
    expect((await call(a, operator, 'GET', '/v1/accounts/u1')).body).toMatchObject({ status: 'active', holds: [] });
    expect((await within(1_000, () => call(b, operator, 'GET', '/v1/accounts/u1'), (r) => r.body.status === 'active')).value.body.status).toBe('active');
  });

  it('a rename and a move out of scope through one instance show on the other within 1 s (then 404 for the old reseller)', async () => {
    const [a, b] = instances as [Instance, Instance];
    expect((await call(b, reseller, 'GET', '/v1/accounts/u1b')).body).toMatchObject({ name: 'Account u1b', parentId: 'c1' });
    const later = new Date(Date.now() + 1_000).toISOString();
    const put = await call(a, operator, 'PUT', '/v1/accounts/u1b', { type: 'customer', parentId: 'c1', name: 'Renamed', updatedAt: later });
    expect(put.status).toBe(200);
    expect((await within(1_000, () => call(b, reseller, 'GET', '/v1/accounts/u1b'), (r) => r.body.name === 'Renamed')).value.body.name).toBe('Renamed');
    // Moving the channel c1 under r2 takes its customers out of r1's scope: their cached answers go with it.
    expect((await call(b, reseller, 'GET', '/v1/accounts/u1')).status).toBe(200);
    const moved = await call(a, operator, 'PUT', '/v1/accounts/c1', { type: 'channel', parentId: 'r2', updatedAt: new Date(Date.now() + 2_000).toISOString() });
    expect(moved.status).toBe(200);
    const gone = await within(1_000, () => call(b, reseller, 'GET', '/v1/accounts/u1'), (r) => r.status === 404);
    expect(gone.value.status).toBe(404);
    expect(gone.value.body.detail).toContain('params.id');
  });

  it('while the LISTEN connection is down nothing is answered from the caches; after the reload caching resumes', async () => {
    const [a, b] = instances as [Instance, Instance];
    const t = await createToken(fresh.db, { role: 'operator', label: 'revoked while deaf' });
    expect((await call(b, t.token, 'GET', '/v1/accounts/u3')).body).toMatchObject({ name: 'Account u3' });
    const killed = await fresh.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'suspensiond-listen'`,
    );
    expect(killed.rows[0]!.n).toBe(2);
    expect((await within(5_000, async () => b.view.following, (f) => !f)).value).toBe(false);
    // Missed notifications cannot matter: the store answers at once.
    await revokeToken(fresh.db, t.id);
    await fresh.db.query(`UPDATE accounts SET name = 'Renamed while deaf', updated_at = now() WHERE id = 'u3'`);
    expect((await call(b, t.token, 'GET', '/v1/accounts/u3')).status).toBe(401);
    expect((await call(b, operator, 'GET', '/v1/accounts/u3')).body).toMatchObject({ name: 'Renamed while deaf' });
    expect((await within(15_000, async () => a.view.following && b.view.following, (f) => f)).value).toBe(true);
    expect((await call(b, t.token, 'GET', '/v1/accounts/u3')).status).toBe(401);
    expect((await call(b, operator, 'GET', '/v1/accounts/u3')).body).toMatchObject({ name: 'Renamed while deaf' });
  }, 30_000);
});
