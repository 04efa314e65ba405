// Hostile input never reaches the store and never takes the process down: each bad request gets a
// problem+json whose detail names the bad field, and no token or secret ever appears in a log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

describe('hostile input', () => {
  let f: ApiFixture;
  let before: string;
  const counts = async () =>
    JSON.stringify(
      (
        await f.fresh.db.query(
          `SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM holds) AS holds,
                  (SELECT count(*) FROM audit) AS audit, (SELECT count(*) FROM exemptions) AS exemptions,
                  (SELECT count(*) FROM outbox) AS outbox`,
        )
      ).rows[0],
    );

  beforeAll(async () => {
    f = await startApiFixture({ limits: { bodyLimit: 64 * 1024, eventsBodyLimit: 128 * 1024 } });
    before = await counts();
  });
  afterAll(async () => {
    await f.close();
  });

  const problemFor = (res: { status: number; body: any; contentType: string }, status: number, field: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.detail).toContain(field);
    expect(res.body.field).toBe(field);
  };

  it('malformed JSON is a 400 naming the body', async () => {
    problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, raw: '{"reason": "fraud",' }), 400, 'body');
  });

  it('an unknown field is a 400 naming that field', async () => {
    problemFor(
      await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, body: { reason: 'fraud', force: true } }),
      400,
      'body.force',
    );
  });

  it('an oversized body is a 413 naming the body', async () => {
    const note = 'x'.repeat(200 * 1024);
    problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, body: { reason: 'fraud', note } }), 413, 'body');
  });

  it('a wrong type is a 400 naming the field', async () => {
    problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, body: { reason: 42 } }), 400, 'body.reason');
  });

  it('a missing required field is a 400 naming it', async () => {
    problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, body: {} }), 400, 'body.reason');
  });

  it('an id with SQL metacharacters is a valid id that is simply not found (queries are parameterised)', async () => {
    const id = encodeURIComponent("u1'; DROP TABLE accounts; --");
    problemFor(await f.call('GET', `/v1/accounts/${id}`, { token: f.tokens.operator }), 404, 'params.id');
    problemFor(await f.call('POST', `/v1/accounts/${id}/suspend`, { token: f.tokens.operator, body: { reason: 'fraud' } }), 404, 'params.id');
    expect((await f.call('POST', `/v1/decisions/${encodeURIComponent("d' OR '1'='1")}/approve`, { token: f.tokens.operator, body: {} })).status).toBe(404);
  });

  it('an id with a control character is a 400 naming the id', async () => {
    problemFor(await f.call('GET', `/v1/accounts/${encodeURIComponent('u1\u0000')}`, { token: f.tokens.operator }), 400, 'params.id');
    problemFor(await f.call('GET', `/v1/accounts/${encodeURIComponent('u1\rSUSPENDED')}`, { token: f.tokens.operator }), 400, 'params.id');
  });

  it('an over-long id is a 400 naming the id', async () => {
    problemFor(await f.call('GET', `/v1/accounts/${'a'.repeat(300)}`, { token: f.tokens.operator }), 400, 'params.id');
  });

  it('a huge q is a 400 naming q', async () => {
    problemFor(await f.call('GET', `/v1/accounts?q=${'%25'.repeat(4000)}`, { token: f.tokens.operator }), 400, 'query.q');
  });

  it('an unknown query parameter is a 400 naming it', async () => {
    problemFor(await f.call('GET', '/v1/accounts?sort=name', { token: f.tokens.operator }), 400, 'query.sort');
  });

  it('a forged cursor is a 400 naming the cursor', async () => {
    problemFor(await f.call('GET', '/v1/accounts?cursor=bm90LWEtY3Vyc29y', { token: f.tokens.operator }), 400, 'query.cursor');
    problemFor(await f.call('GET', '/v1/accounts/u1/history?cursor=JyBPUiAxPTE', { token: f.tokens.operator }), 400, 'query.cursor');
  });

  it('a bad exemptFor is a 400 naming it', async () => {
    problemFor(await f.call('POST', '/v1/accounts/u1/activate', { token: f.tokens.operator, body: { exemptFor: 'forever' } }), 400, 'body.exemptFor');
  });

  it('a wrong media type is a 415 problem', async () => {
    const res = await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, raw: 'reason=fraud', contentType: 'text/plain' });
    expect(res.status).toBe(415);
    expect(res.contentType).toContain('application/problem+json');
  });

  it('a LIKE wildcard in q matches literally rather than everything', async () => {
    const res = await f.call('GET', `/v1/accounts?q=${encodeURIComponent('%')}`, { token: f.tokens.operator });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it('nothing was stored, the process is still up, and no token appeared in any log line', async () => {
    expect(await counts()).toBe(before);
    expect((await f.call('GET', '/healthz')).status).toBe(200);
    expect((await f.call('GET', '/v1/accounts/u1', { token: f.tokens.operator })).status).toBe(200);
    expect(f.logLines.length).toBeGreaterThan(10);
    const all = f.logLines.join('\n');
    for (const token of Object.values(f.tokens)) {
      expect(all).not.toContain(token);
      expect(all).not.toContain(token.slice(-43)); // the secret part alone
    }
    expect(all.toLowerCase()).not.toContain('bearer');
  });
});
