// HTTP ingest: POST /v1/events/{topic} splits JSON objects, arrays and NDJSON into records, hands their bytes to
// the ingest pipeline and answers a result per record. Only ingest and operator tokens may post.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestTopic } from '../../../src/api/deps.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

describe('HTTP ingest', () => {
  let f: ApiFixture;
  const received: Array<{ topic: IngestTopic; records: string[] }> = [];
  beforeAll(async () => {
    f = await startApiFixture({
      limits: { eventsBodyLimit: 256 * 1024, bodyLimit: 1024 },
      ingest: async (topic, records) => {
        received.push({ topic, records: records.map((r) => r.toString('utf8')) });
        return records.map((r, index) => {
          try {
            const v = JSON.parse(r.toString('utf8')) as { id?: unknown };
            if (typeof v.id !== 'string') return { index, outcome: 'rejected' as const, error: 'id: required' };
            return { index, outcome: v.id === 'dup' ? ('duplicate' as const) : ('accepted' as const) };
          } catch {
            return { index, outcome: 'rejected' as const, error: 'value: not JSON' };
          }
        });
      },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('a JSON array gets a result per record', async () => {
    const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, body: [{ id: 'a' }, { id: 'dup' }, { nope: 1 }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accepted: 1,
      duplicate: 1,
      rejected: 1,
      results: [
        { index: 0, outcome: 'accepted' },
        { index: 1, outcome: 'duplicate' },
        { index: 2, outcome: 'rejected', error: 'id: required' },
      ],
    });
    expect(received.at(-1)!.topic).toBe('cdrs');
  });

  it('NDJSON is split by line and a bad line is rejected by the pipeline, not the request', async () => {
    const res = await f.call('POST', '/v1/events/invoices', { token: f.tokens.operator, raw: '{"id":"i1"}\n{broken\n{"id":"i2"}\n', contentType: 'application/x-ndjson' });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['accepted', 'rejected', 'accepted']);
  });

  it('a single object keeps its exact bytes', async () => {
    const raw = '{ "id" : "acc-1",  "type": "reseller" }';
    const res = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw });
    expect(res.status).toBe(200);
    expect(received.at(-1)!.records).toEqual([raw]);
  });

  it('a body over the API limit but under the events limit is accepted', async () => {
    const body = Array.from({ length: 200 }, (_, i) => ({ id: `c-${i}`, padding: 'x'.repeat(50) }));
    const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, body });
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(200);
  });

  it('a body over the events limit is a 413', async () => {
    const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, raw: `[${'1,'.repeat(200 * 1024)}1]` });
    expect(res.status).toBe(413);
  });

  it('malformed JSON is a 400 naming the body', async () => {
    const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, raw: '[{"id":' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body');
  });

  it('reseller, channel and customer tokens may not post events; no token is a 401', async () => {
    for (const who of ['reseller', 'channel', 'customer'] as const) {
      expect((await f.call('POST', '/v1/events/cdrs', { token: f.tokens[who], body: { id: 'x' } })).status, who).toBe(403);
    }
    expect((await f.call('POST', '/v1/events/cdrs', { body: { id: 'x' } })).status).toBe(401);
  });

  it('dead letters are listed with their bytes and reason', async () => {
    await f.fresh.db.query(
      `INSERT INTO dead_letters (topic, partition, "offset", key, value, headers, error) VALUES
         ('cdrs', 0, 41, 'u1'::bytea, convert_to('{"id":1}', 'UTF8'), '{"x-error":"id: expected string"}', 'id: expected string'),
         ('cdrs', 0, 42, NULL, '\\xfffe'::bytea, '{}', 'value: not UTF-8')`,
    );
    const res = await f.call('GET', '/v1/dead-letters?limit=1', { token: f.tokens.operator });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const next = await f.call('GET', `/v1/dead-letters?limit=1&cursor=${res.body.nextCursor}`, { token: f.tokens.operator });
    const all = [...res.body.items, ...next.body.items];
    expect(all.map((d: { offset: string }) => d.offset).sort()).toEqual(['41', '42']);
    const good = all.find((d: { offset: string }) => d.offset === '41');
    expect(good).toMatchObject({ topic: 'cdrs', key: 'u1', value: '{"id":1}', valueEncoding: 'utf8', error: 'id: expected string' });
    const bad = all.find((d: { offset: string }) => d.offset === '42');
    expect(bad).toMatchObject({ value: '//4=', valueEncoding: 'base64' });
  });
});
