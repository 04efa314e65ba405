import { describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/api/server.js';
import { fakeDeps } from './fake-deps.js';

describe('the OpenAPI document', () => {
  const server = createApiServer(fakeDeps());

  it('documents every registered route and nothing else', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const registered = server.routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('covers every endpoint of CONTRACT §4', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const expected = [
      'get /healthz', 'get /readyz', 'get /metrics', 'get /v1/accounts', 'get /v1/accounts/{id}', 'put /v1/accounts/{id}',
      'post /v1/accounts/{id}/suspend', 'post /v1/accounts/{id}/activate', 'get /v1/accounts/{id}/history',
      'post /v1/accounts/{id}/exemptions', 'delete /v1/exemptions/{id}', 'get /v1/decisions',
      'post /v1/decisions/{id}/approve', 'post /v1/decisions/{id}/reject', 'get /v1/rules',
      'post /v1/events/accounts', 'post /v1/events/cdrs', 'post /v1/events/invoices', 'get /v1/dead-letters',
    ];
    for (const e of expected) {
      const [method, path] = e.split(' ') as [string, string];
      expect(doc.paths[path]?.[method], e).toBeDefined();
    }
  });

  it('derives request bodies from the zod schemas, with unknown fields forbidden', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as any;
    const schema = doc.paths['/v1/accounts/{id}/suspend'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['reason']);
    expect(schema.properties.reason.enum).toEqual(['fraud', 'non_payment']);
    expect(schema.additionalProperties).toBe(false);
    const params = doc.paths['/v1/accounts'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['type', 'status', 'parent', 'q', 'cursor', 'limit']));
  });
});
