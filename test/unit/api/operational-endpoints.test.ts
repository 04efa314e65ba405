import { describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/api/server.js';
import { DbConnectionError } from '../../../src/store/errors.js';
import { fakeDeps, unreachableDb } from './fake-deps.js';

describe('operational endpoints', () => {
  it('healthz answers 200 while the process runs', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('readyz answers 503 with the reasons when not ready', async () => {
    const server = createApiServer(fakeDeps({ readiness: () => ({ ready: false, reasons: ['database: unreachable'] }) }));
    const res = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ ready: false, reasons: ['database: unreachable'] });
  });

  it('readyz answers 200 when ready', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
  });

  it('metrics answers in the Prometheus text format', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('suspensiond_accounts_suspended');
  });

  it('a request without a token gets a 401 problem naming authorization', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({ method: 'GET', url: '/v1/accounts' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, field: 'authorization' });
  });

  it('a token that is not in the token format is refused without a lookup', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({
      method: 'GET',
      url: '/v1/accounts',
      headers: { authorization: "Bearer ' OR 1=1 --" },
    });
    expect(res.statusCode).toBe(401);
  });

  it('an unknown path is a 404 problem naming the path', async () => {
    const res = await createApiServer(fakeDeps()).app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, field: 'path' });
  });

  it('stop is idempotent and start after stop is refused', async () => {
    const server = createApiServer(fakeDeps());
    const addr = await server.start('127.0.0.1', 0);
    expect(addr.port).toBeGreaterThan(0);
    expect((await fetch(`${addr.url}/healthz`)).status).toBe(200);
    await Promise.all([server.stop(), server.stop()]);
    await server.stop();
    expect(server.address).toBeNull();
    await expect(server.start('127.0.0.1', 0)).rejects.toThrow(/stopped/);
  });

  it('a database outage is a 503 problem with retry-after, logged without the token', async () => {
    const lines: string[] = [];
    const down = { ...unreachableDb, query: () => Promise.reject(new DbConnectionError('connect ECONNREFUSED', 'ECONNREFUSED', undefined)) };
    const server = createApiServer(fakeDeps({ db: down }, lines));
    const token = `sd_t0123456789abcdef_${'s'.repeat(43)}`;
    const res = await server.app.inject({ method: 'GET', url: '/v1/accounts/u1', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ status: 503 });
    expect(lines.join('\n')).toContain('request failed');
    expect(lines.join('\n')).not.toContain('s'.repeat(43));
  });

  it('an unexpected error is a 500 problem without internals', async () => {
    const lines: string[] = [];
    const server = createApiServer(fakeDeps({}, lines));
    const res = await server.app.inject({
      method: 'GET',
      url: '/v1/accounts/u1',
      headers: { authorization: `Bearer sd_t0123456789abcdef_${'s'.repeat(43)}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'internal error' });
  });
});
