// The console's HTTP surface without a browser: the page and its assets under a strict CSP (no inline script, no
// framing), unknown assets as problem+json, and the read endpoints it adds (/v1/me, /v1/overview,
// /v1/account-tree, /v1/accounts/{id}/exemptions) acting within the token's scope exactly as the API does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../api/api-fixture.js';

let fx: ApiFixture;
beforeAll(async () => {
  fx = await startApiFixture();
  await fx.fresh.db.query(
    `INSERT INTO holds (id, account_id, reason, source, evidence, placed_at) VALUES
       ('h-c1', 'c1', 'non_payment', 'dunning:standard', '{}', '2026-11-24T10:00:00Z'),
       ('h-u4', 'u4', 'fraud', 'rule:irsf', '{}', '2026-11-24T11:00:00Z')`,
  );
  await fx.fresh.db.query(
    `INSERT INTO audit (account_id, kind, actor, at, reason) VALUES
       ('c1', 'hold_placed', 'dunning:standard', '2026-11-24T10:00:00Z', 'non_payment'),
       ('u4', 'hold_placed', 'rule:irsf', '2026-11-24T11:00:00Z', 'fraud'),
       ('u4', 'alert', 'rule:irsf', '2026-11-24T10:30:00Z', 'fraud'),
       ('u2', 'hold_placed', 'rule:old', '2026-11-20T11:00:00Z', 'fraud')`,
  );
});
afterAll(async () => {
  await fx?.close();
});

describe('the console page and assets', () => {
  it('serves /console and its modules with a CSP that allows only same-origin scripts and no framing', async () => {
    for (const path of ['/console', '/console/', '/console/assets/app.js', '/console/assets/console.css', '/console/assets/pages/account.js']) {
      const res = await fetch(`${fx.url}${path}`);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const html = await (await fetch(`${fx.url}/console`)).text();
    expect(html).toMatch(/<script type="module" src="\/console\/assets\/app.js"><\/script>/);
    expect(html).not.toMatch(/<script>(?!<)/);
    expect(html).not.toMatch(/https?:\/\//);
    const js = await fetch(`${fx.url}/console/assets/app.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    const again = await fetch(`${fx.url}/console/assets/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('answers an unknown or escaping asset path with a problem+json 404 naming the path', async () => {
    for (const path of ['/console/assets/nope.js', '/console/assets/..%2f..%2fpackage.json', '/console/assets/index.html']) {
      const res = await fetch(`${fx.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/^path: /);
    }
  });
});

describe('the console read endpoints', () => {
  it('GET /v1/me says who the token is, and 401 without one', async () => {
    expect((await fx.call('GET', '/v1/me', { token: fx.tokens.channel })).body).toMatchObject({ role: 'channel', accountId: 'c1' });
    expect((await fx.call('GET', '/v1/me')).status).toBe(401);
  });

  it("GET /v1/overview counts the operator's whole tree and a reseller's subtree only", async () => {
    const op = (await fx.call('GET', '/v1/overview', { token: fx.tokens.operator })).body;
    expect(op.suspendedByReason).toEqual({ fraud: 1, non_payment: 1 });
    expect(op.decisions24h.bySource).toMatchObject({ rule: 1, dunning: 1 });
    expect(op.suspensionsPerHour).toEqual([
      { hour: '2026-11-24T10:00:00.000Z', count: 1 },
      { hour: '2026-11-24T11:00:00.000Z', count: 1 },
    ]);
    expect(op.hitsPerRule).toEqual([{ rule: 'irsf', warn: 1, suspend: 1 }]);
    expect(op.operator).toMatchObject({ deadLetters: 0, consumerLag: [] });
    const rs = (await fx.call('GET', '/v1/overview', { token: fx.tokens.reseller })).body;
    expect(rs.suspendedByReason).toEqual({ fraud: 0, non_payment: 1 });
    expect(rs.hitsPerRule).toEqual([]);
    expect(rs.operator).toBeNull();
    expect((await fx.call('GET', '/v1/overview', { token: fx.tokens.ingest })).status).toBe(403);
  });

  it("GET /v1/account-tree gives a channel its own account as the root and never another channel's customers", async () => {
    const root = (await fx.call('GET', '/v1/account-tree', { token: fx.tokens.channel })).body;
    expect(root.items).toEqual([expect.objectContaining({ id: 'c1', status: 'suspended', holdReasons: ['non_payment'], inheritedFrom: [], children: 2 })]);
    const kids = (await fx.call('GET', '/v1/account-tree?parent=c1', { token: fx.tokens.channel })).body;
    expect(kids.items.map((i: { id: string; status: string; inheritedFrom: string[] }) => [i.id, i.status, i.inheritedFrom])).toEqual([
      ['u1', 'suspended', ['c1']],
      ['u1b', 'suspended', ['c1']],
    ]);
    expect((await fx.call('GET', '/v1/account-tree?parent=c2', { token: fx.tokens.channel })).body.items).toEqual([]);
    expect((await fx.call('GET', '/v1/account-tree?q=u2', { token: fx.tokens.channel })).body.items).toEqual([]);
  });

  it('GET /v1/account-tree filters as GET /v1/accounts does', async () => {
    for (const q of ['status=suspended', 'status=active', 'type=customer', 'q=u1', 'parent=r1', 'type=customer&status=suspended&limit=2']) {
      for (const who of ['operator', 'reseller'] as const) {
        const list = (await fx.call('GET', `/v1/accounts?${q}`, { token: fx.tokens[who] })).body;
        const tree = (await fx.call('GET', `/v1/account-tree?${q}`, { token: fx.tokens[who] })).body;
        expect(tree.items.map((i: { id: string; status: string }) => [i.id, i.status]), `${who} ${q}`).toEqual(
          list.items.map((i: { id: string; status: string }) => [i.id, i.status]),
        );
        expect(tree.nextCursor === null, `${who} ${q}`).toBe(list.nextCursor === null);
      }
    }
  });

  it('GET /v1/accounts/{id}/exemptions lists those in force, and 404s outside the scope', async () => {
    await fx.fresh.db.query(
      `INSERT INTO exemptions (id, account_id, reason, until, note, created_by, created_at) VALUES
         ('x-live', 'u1', 'fraud', '2026-11-30T00:00:00Z', 'customer travelling', 'operator:t1', '2026-11-24T09:00:00Z'),
         ('x-old', 'u1', 'fraud', '2026-11-01T00:00:00Z', 'expired', 'operator:t1', '2026-10-24T09:00:00Z')`,
    );
    const got = await fx.call('GET', '/v1/accounts/u1/exemptions', { token: fx.tokens.channel });
    expect(got.body.items.map((x: { id: string }) => x.id)).toEqual(['x-live']);
    const hidden = await fx.call('GET', '/v1/accounts/u2/exemptions', { token: fx.tokens.channel });
    expect(hidden.status).toBe(404);
    expect(hidden.body.detail).toBe('params.id: account u2 not found');
  });
});
