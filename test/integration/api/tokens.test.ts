// API tokens: only a hash is stored, unknown and revoked tokens get 401, and listing never shows a secret.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, listTokens, revokeToken, TokenError } from '../../../src/api/tokens.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

describe('API tokens', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('a token is recognisable and only its sha256 is stored', async () => {
    const t = await createToken(f.fresh.db, { role: 'operator', label: 'ops laptop' });
    expect(t.token).toMatch(/^sd_t[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const { rows } = await f.fresh.db.query<Record<string, unknown>>('SELECT * FROM api_tokens WHERE id = $1', [t.id]);
    const stored = JSON.stringify(rows[0], (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v));
    expect(stored).not.toContain(t.token.slice(-43));
    expect(Buffer.from(rows[0]!.hash as Uint8Array).toString('hex')).toBe(createHash('sha256').update(t.token).digest('hex'));
  });

  it('a scoped role needs an account, and an unscoped one refuses it', async () => {
    await expect(createToken(f.fresh.db, { role: 'channel' })).rejects.toBeInstanceOf(TokenError);
    await expect(createToken(f.fresh.db, { role: 'ingest', accountId: 'c1' })).rejects.toBeInstanceOf(TokenError);
  });

  it('a well-formed but unknown token gets 401', async () => {
    const forged = f.tokens.operator.slice(0, -1) + (f.tokens.operator.endsWith('A') ? 'B' : 'A');
    expect((await f.call('GET', '/v1/accounts', { token: forged })).status).toBe(401);
    expect((await f.call('GET', '/v1/accounts', { token: `sd_t0000000000000000_${'A'.repeat(43)}` })).status).toBe(401);
  });

  it('a revoked token gets 401 and listing shows it revoked without any secret', async () => {
    const t = await createToken(f.fresh.db, { role: 'reseller', accountId: 'r1', label: 'to revoke' });
    expect((await f.call('GET', '/v1/accounts/c1', { token: t.token })).status).toBe(200);
    expect(await revokeToken(f.fresh.db, t.id)).toBe(true);
    expect(await revokeToken(f.fresh.db, t.id)).toBe(false);
    expect((await f.call('GET', '/v1/accounts/c1', { token: t.token })).status).toBe(401);
    const listed = (await listTokens(f.fresh.db)).find((x) => x.id === t.id)!;
    expect(listed.revokedAt).not.toBeNull();
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(await listTokens(f.fresh.db))).not.toContain('sd_t');
  });
});
