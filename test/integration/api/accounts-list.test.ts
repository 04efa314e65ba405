// GET /v1/accounts serves the help-centre article's lists: scoped to the actor, filtered by type, effective
// status, parent and search text, and paged by cursor. PUT /v1/accounts/{id} upserts (latest updatedAt wins).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((a) => a.id);

describe('listing and upserting accounts', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiFixture();
    await f.call('POST', '/v1/accounts/c2/suspend', { token: f.tokens.operator, body: { reason: 'non_payment' } });
  });
  afterAll(async () => {
    await f.close();
  });

  it('an operator sees every account, ordered by id', async () => {
    expect(ids(await f.call('GET', '/v1/accounts', { token: f.tokens.operator }))).toEqual(
      ['c1', 'c2', 'c3', 'r1', 'r2', 'u1', 'u1b', 'u2', 'u3', 'u4'],
    );
  });

  it("a reseller sees its own subtree; a channel its own customers; a customer only itself", async () => {
    expect(ids(await f.call('GET', '/v1/accounts', { token: f.tokens.reseller }))).toEqual(['c1', 'c2', 'r1', 'u1', 'u1b', 'u2', 'u3']);
    expect(ids(await f.call('GET', '/v1/accounts', { token: f.tokens.channel }))).toEqual(['c1', 'u1', 'u1b']);
    expect(ids(await f.call('GET', '/v1/accounts', { token: f.tokens.customer }))).toEqual(['u1']);
    expect((await f.call('GET', '/v1/accounts', { token: f.tokens.ingest })).status).toBe(403);
  });

  it('"Suspend Active Channels" is ?type=channel&status=active', async () => {
    expect(ids(await f.call('GET', '/v1/accounts?type=channel&status=active', { token: f.tokens.reseller }))).toEqual(['c1']);
  });

  it('the status filter is the effective status: customers under a suspended channel are suspended', async () => {
    expect(ids(await f.call('GET', '/v1/accounts?status=suspended', { token: f.tokens.reseller }))).toEqual(['c2', 'u2']);
    const u2 = await f.call('GET', '/v1/accounts/u2', { token: f.tokens.reseller });
    expect(u2.body).toMatchObject({ status: 'suspended', holds: [], inheritedFrom: ['c2'], outboundCalls: 'blocked', inboundCalls: 'allowed', billing: 'continues' });
  });

  it('"Search Customer account" is ?q=, matching id or name, case-insensitively', async () => {
    expect(ids(await f.call('GET', '/v1/accounts?q=ACCOUNT%20U1&type=customer', { token: f.tokens.reseller }))).toEqual(['u1', 'u1b']);
    expect(ids(await f.call('GET', '/v1/accounts?parent=c1', { token: f.tokens.operator }))).toEqual(['u1', 'u1b']);
  });

  it('pages by cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: any } = await f.call('GET', `/v1/accounts?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: f.tokens.operator });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(res));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['c1', 'c2', 'c3', 'r1', 'r2', 'u1', 'u1b', 'u2', 'u3', 'u4']);
  });

  it('an operator upserts an account; an older snapshot does not overwrite a newer one', async () => {
    const put = await f.call('PUT', '/v1/accounts/u5', {
      token: f.tokens.operator,
      body: { type: 'customer', parentId: 'c1', name: 'New Ltd', mainContact: { name: 'Jo', email: 'jo@new.example' }, updatedAt: '2026-11-24T10:00:00Z' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'u5', parentId: 'c1', name: 'New Ltd', status: 'active' });
    await f.call('PUT', '/v1/accounts/u5', { token: f.tokens.operator, body: { type: 'customer', parentId: 'c1', name: 'Old', updatedAt: '2026-11-01T00:00:00Z' } });
    expect((await f.call('GET', '/v1/accounts/u5', { token: f.tokens.channel })).body.name).toBe('New Ltd');
  });

  it('moving an account under a suspended channel publishes its inherited suspension', async () => {
    const woken = f.committed.count;
    const put = await f.call('PUT', '/v1/accounts/u5', { token: f.tokens.operator, body: { type: 'customer', parentId: 'c2', name: 'New Ltd', updatedAt: '2026-11-25T10:00:00Z' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'u5', parentId: 'c2', status: 'suspended', holds: [], inheritedFrom: ['c2'], outboundCalls: 'blocked' });
    const status = await f.fresh.db.query<{ status: { status: string; inheritedFrom: string[] } }>(`SELECT status FROM account_status WHERE account_id = 'u5'`);
    expect(status.rows.map((r) => [r.status.status, r.status.inheritedFrom])).toEqual([['suspended', ['c2']]]);
    const history = await f.call('GET', '/v1/accounts/u5/history', { token: f.tokens.operator });
    expect(history.body.items.map((e: { kind: string }) => e.kind)).toContain('status_changed');
    expect(f.committed.count).toBe(woken + 1);
  });

  it('a customer or channel without a parent is refused, naming parentId', async () => {
    const res = await f.call('PUT', '/v1/accounts/u6', { token: f.tokens.operator, body: { type: 'customer' } });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body.parentId');
  });

  it('only an operator upserts: in scope 403, outside 404', async () => {
    expect((await f.call('PUT', '/v1/accounts/c1', { token: f.tokens.reseller, body: { type: 'channel', parentId: 'r1' } })).status).toBe(403);
    expect((await f.call('PUT', '/v1/accounts/u4', { token: f.tokens.reseller, body: { type: 'customer', parentId: 'c3' } })).status).toBe(404);
  });
});
