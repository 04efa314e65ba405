// /v1/authorize on two replicas of the daemon sharing one PostgreSQL: a suspension made through one replica's API
// is denied by the other's /v1/authorize within 1 s (LISTEN/NOTIFY keeps each replica's in-memory view current);
// emergency numbers still pass; activation is allowed again; the authorize token can do nothing else.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { insertAccounts } from '../api/api-fixture.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const dataRoot = mkdtempSync(path.join(tmpdir(), 'suspensiond-authorize-'));
let fresh: FreshDatabase;
const daemons: Daemon[] = [];
let operator = '';
let authorizeToken = '';

async function replica(name: string): Promise<Daemon> {
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    DATA_DIR: path.join(dataRoot, name),
    HTTP_PORT: String(await freePort()),
    RULES_DIR: path.join(ROOT, 'rules'),
    LOG_LEVEL: 'silent',
  });
  const d = await startDaemon(config, { logger: createLogger('silent') });
  daemons.push(d);
  return d;
}

async function call(base: string, token: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function waitUntil<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (ok(value)) return { value, ms: Date.now() - t0 };
    if (Date.now() - t0 > timeoutMs) return { value, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  fresh = await freshDatabase();
  await insertAccounts(fresh.db, [
    ['r1', 'reseller', null],
    ['c1', 'channel', 'r1'],
    ['u1', 'customer', 'c1'],
    ['u2', 'customer', 'c1'],
  ]);
  operator = (await createToken(fresh.db, { role: 'operator' })).token;
  authorizeToken = (await createToken(fresh.db, { role: 'authorize', label: 'kamailio' })).token;
}, 60_000);
afterAll(async () => {
  for (const d of daemons) await d.stop();
  await fresh?.drop();
  rmSync(dataRoot, { recursive: true, force: true });
});

describe('call authorization across replicas', () => {
  it('a suspension through replica A is denied by replica B within 1 s, emergency calls pass, activation allows again', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const ask = (d: Daemon, account: string, callee: string, caller?: string) =>
      call(d.url, authorizeToken, 'GET', `/v1/authorize?${new URLSearchParams({ account, callee, ...(caller ? { caller } : {}) })}`);

    expect((await ask(b, 'u1', '+442079460000')).body).toEqual({ allow: true, reason: 'active', holds: [], inheritedFrom: [], emergency: false });
    expect((await ask(b, 'nobody', '+442079460000')).body).toMatchObject({ allow: true, reason: 'unknown account' });

    const suspended = await call(a.url, operator, 'POST', '/v1/accounts/c1/suspend', { reason: 'fraud', note: 'test' });
    expect(suspended.status).toBe(200);
    const denied = await waitUntil(() => ask(b, 'u1', '+442079460000'), (r) => r.body.allow === false, 5_000);
    expect(denied.ms).toBeLessThan(1_000);
    expect(denied.value.body).toMatchObject({ allow: false, inheritedFrom: ['c1'], holds: [], emergency: false });
    expect(denied.value.body.reason).toMatch(/inherited from c1/);
    const channel = await call(b.url, authorizeToken, 'POST', '/v1/authorize', { account: 'c1', callee: '+442079460000' });
    expect(channel.body).toMatchObject({ allow: false, holds: [{ reason: 'fraud', source: 'operator:' + channel.body.holds[0].source.slice(9) }] });

    // Emergency numbers: 999 from a UK caller, 911 from a US caller, 112 with no caller at all.
    expect((await ask(b, 'u1', '999', '+441632960001')).body).toMatchObject({ allow: true, emergency: true });
    expect((await ask(b, 'u1', '911', '+12025550100')).body).toMatchObject({ allow: true, emergency: true });
    expect((await ask(b, 'u1', '112')).body).toMatchObject({ allow: true, emergency: true });
    expect((await ask(b, 'u1', '9990')).body).toMatchObject({ allow: false, emergency: false });

    expect((await call(a.url, operator, 'POST', '/v1/accounts/c1/activate', {})).status).toBe(200);
    const allowed = await waitUntil(() => ask(b, 'u1', '+442079460000'), (r) => r.body.allow === true, 5_000);
    expect(allowed.ms).toBeLessThan(1_000);
    expect(allowed.value.body).toMatchObject({ allow: true, reason: 'active', inheritedFrom: [] });
  }, 90_000);

  it('an account created after start is known to the other replica', async () => {
    const [a, b] = daemons as [Daemon, Daemon];
    const put = await call(a.url, operator, 'PUT', '/v1/accounts/u9', { id: 'u9', type: 'customer', parentId: 'c1', updatedAt: '2026-11-20T09:00:00Z' });
    expect(put.status).toBeLessThan(300);
    const known = await waitUntil(
      () => call(b.url, authorizeToken, 'GET', '/v1/authorize?account=u9&callee=%2B442079460000'),
      (r) => r.body.reason === 'active',
      5_000,
    );
    expect(known.value.body).toMatchObject({ allow: true, reason: 'active' });
  });

  it('the authorize token may call nothing else, and other scoped tokens may not call authorize', async () => {
    const [a] = daemons as [Daemon];
    expect((await call(a.url, authorizeToken, 'GET', '/v1/accounts/u1')).status).toBe(403);
    expect((await call(a.url, authorizeToken, 'POST', '/v1/accounts/u1/suspend', { reason: 'fraud' })).status).toBe(403);
    expect((await call(a.url, authorizeToken, 'GET', '/v1/accounts')).status).toBe(403);
    const ingest = (await createToken(fresh.db, { role: 'ingest' })).token;
    expect((await call(a.url, ingest, 'GET', '/v1/authorize?account=u1&callee=999')).status).toBe(403);
    expect((await call(a.url, operator, 'GET', '/v1/authorize?account=u1&callee=999')).status).toBe(200);
  });

  it('a replica whose LISTEN connection is killed says so on /readyz, reconnects, and catches up on what it missed', async () => {
    const [a, b] = daemons as [Daemon, Daemon];
    const killed = await fresh.db.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'suspensiond-listen'`,
    );
    expect(killed.rows[0]!.n).toBe(2); // one per replica
    const notReady = await waitUntil(() => fetch(`${b.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() })), (r) => r.status === 503, 5_000);
    expect(notReady.value.body).toMatch(/status view: not following changes/);
    await call(a.url, operator, 'POST', '/v1/accounts/u2/suspend', { reason: 'fraud', note: 'while B was deaf' });
    const ready = await waitUntil(() => fetch(`${b.url}/readyz`).then(async (r) => ({ status: r.status, body: await r.text() })), (r) => r.status === 200, 15_000);
    expect(ready.value.status).toBe(200);
    const denied = await waitUntil(() => call(b.url, authorizeToken, 'GET', '/v1/authorize?account=u2&callee=%2B442079460000'), (r) => r.body.allow === false, 5_000);
    expect(denied.value.body).toMatchObject({ allow: false, holds: [{ reason: 'fraud' }] });
  }, 30_000);

  it('a bad request names the field', async () => {
    const [a] = daemons as [Daemon];
    const missing = await call(a.url, authorizeToken, 'POST', '/v1/authorize', { account: 'u1' });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/callee/);
    const extra = await call(a.url, authorizeToken, 'GET', '/v1/authorize?account=u1&callee=999&colour=red');
    expect(extra.status).toBe(400);
    expect(extra.body.detail).toMatch(/colour/);
  });
});
