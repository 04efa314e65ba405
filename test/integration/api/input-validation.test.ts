// Issue 11, input side, through the real API and ingest pipeline on PostgreSQL: every defect the hostile-input audit
// found is a named case here. Bad input is a problem+json naming the field, or a dead letter naming it; never a
// 500, never a lost batch; every stored id is addressable through the API and the CLI; authentication happens
// before a body is read; requests carry at most 10,000 records.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { encodeCursor } from '../../../src/api/cursor.js';
import { startIngestApiFixture, type IngestApiFixture } from './ingest-api-fixture.js';

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env });
  return { code, out, err };
}

/** Sends `head` (and `body`) on a raw socket; resolves with the first response bytes, or 'timeout'. */
function rawRequest(url: string, head: string, body: Buffer = Buffer.alloc(0), waitMs = 5_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    const done = (v: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(got || 'timeout'), waitMs);
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(got)) done(got);
    });
    socket.on('error', () => done(got || 'error'));
    socket.on('close', () => done(got || 'closed'));
    socket.write(head);
    if (body.length > 0) socket.write(body);
  });
}

const account = (id: string, over: Record<string, unknown> = {}) => ({
  id, type: 'customer', parentId: 'c1', name: `Account ${id}`, mainContact: { name: 'Jo', email: 'jo@acme.example' },
  updatedAt: '2026-11-24T10:00:00Z', ...over,
});

describe('one validation for every input path (issue 11)', () => {
  let f: IngestApiFixture;
  beforeAll(async () => {
    f = await startIngestApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  const problemFor = (res: { status: number; body: any; contentType: string }, status: number, field: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.field).toBe(field);
    expect(res.body.detail).toContain(field);
  };

  describe('ingest: one bad record is its own dead letter, and the good ones in its batch are kept', () => {
    it('a NUL in an account name, in NDJSON, a JSON array and a single object', async () => {
      const bad = JSON.stringify(account('nul-1', { name: 'Acme\u0000Ltd' }));
      const nd = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw: `${JSON.stringify(account('good-1'))}\n${bad}\n`, contentType: 'application/x-ndjson' });
      expect(nd.status, JSON.stringify(nd.body)).toBe(200);
      expect(nd.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['accepted', 'rejected']);
      expect(nd.body.results[1].error).toMatch(/^name: must not contain/);
      const arr = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw: `[${JSON.stringify(account('good-2'))},${bad}]` });
      expect(arr.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['accepted', 'rejected']);
      const one = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw: bad });
      expect(one.body.results).toEqual([{ index: 0, outcome: 'rejected', error: expect.stringMatching(/^name: /) }]);
      const stored = await f.fresh.db.query(`SELECT id FROM accounts WHERE id IN ('good-1', 'good-2', 'nul-1') ORDER BY id`);
      expect(stored.rows.map((r) => r.id)).toEqual(['good-1', 'good-2']);
    });

    it('a lone surrogate in a CDR id is a dead letter whose bytes are kept', async () => {
      const raw = '{"id":"c-\\ud800","accountId":"u1","direction":"outbound","callee":"+442079460000","startedAt":"2026-11-24T10:00:00Z"}';
      const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, raw, contentType: 'application/x-ndjson' });
      expect(res.body.results[0]).toMatchObject({ outcome: 'rejected', error: expect.stringMatching(/^id: must not contain/) });
      expect((await f.deadLetters()).some((d) => d.value.toString('utf8') === raw)).toBe(true);
    });

    it('invalid UTF-8 inside a JSON array element is rejected with its bytes, not turned into U+FFFD', async () => {
      const bad = Buffer.concat([Buffer.from('{"id":"utf8-bad","type":"reseller","name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      const body = Buffer.concat([Buffer.from(`[${JSON.stringify(account('good-3'))},`), bad, Buffer.from(']')]);
      const res = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw: body });
      expect(res.status).toBe(200);
      expect(res.body.results[1]).toMatchObject({ outcome: 'rejected', error: 'value: not valid UTF-8' });
      expect((await f.deadLetters()).some((d) => d.value.equals(bad))).toBe(true);
      expect((await f.fresh.db.query(`SELECT 1 FROM accounts WHERE id = 'utf8-bad'`)).rowCount).toBe(0);
    });

    it('a JSON array element nested 12,000 levels deep is a dead letter, not a 500', async () => {
      const deep = `{"id":"deep","type":"reseller","x":${'['.repeat(12_000)}${']'.repeat(12_000)}}`;
      const res = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, raw: `[${JSON.stringify(account('good-4'))},${deep}]` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.results.map((r: { outcome: string }) => r.outcome)).toEqual(['accepted', 'rejected']);
      expect(res.body.results[1].error).toBe('value: nested deeper than 64 levels');
    });

    it('a 1 MB array of 1s is one 413 and writes no dead letter', async () => {
      const before = (await f.deadLetters()).length;
      const res = await f.call('POST', '/v1/events/cdrs', { token: f.tokens.ingest, raw: `[${Array(500_000).fill('1').join(',')}]` });
      problemFor(res, 413, 'body');
      expect(res.body.detail).toContain('10000');
      expect((await f.deadLetters()).length).toBe(before);
    });
  });

  describe('the API refuses what the database or the sweep cannot take', () => {
    it('PUT with timezone Mars/Olympus is a 400 naming timezone', async () => {
      problemFor(await f.call('PUT', '/v1/accounts/u9', { token: f.tokens.operator, body: { type: 'customer', parentId: 'c1', timezone: 'Mars/Olympus' } }), 400, 'body.timezone');
    });

    it('PUT with updatedAt 9999-12-31 is a 400 naming updatedAt, so it cannot freeze the account', async () => {
      problemFor(
        await f.call('PUT', '/v1/accounts/u1', { token: f.tokens.operator, body: { type: 'customer', parentId: 'c1', updatedAt: '9999-12-31T00:00:00Z' } }),
        400,
        'body.updatedAt',
      );
      const later = await f.call('PUT', '/v1/accounts/u1', { token: f.tokens.operator, body: { type: 'customer', parentId: 'c1', name: 'Renamed', updatedAt: '2026-11-24T11:00:00Z' } });
      expect(later.status).toBe(200);
      expect(later.body.name).toBe('Renamed');
    });

    it('exemptFor 9999999d is a 400 naming exemptFor', async () => {
      problemFor(await f.call('POST', '/v1/accounts/u1/activate', { token: f.tokens.operator, body: { exemptFor: '9999999d' } }), 400, 'body.exemptFor');
    });

    it('a decisions cursor with a bad timestamp is a 400 naming the cursor', async () => {
      const cursor = encodeCursor(['not a time', 'd-1']);
      problemFor(await f.call('GET', `/v1/decisions?cursor=${cursor}`, { token: f.tokens.operator }), 400, 'query.cursor');
    });

    it('a NUL or a lone surrogate in a note, and a NUL in q, are 400s naming the field', async () => {
      problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, body: { reason: 'fraud', note: 'a\u0000b' } }), 400, 'body.note');
      problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, raw: '{"reason":"fraud","note":"\\ud800"}' }), 400, 'body.note');
      problemFor(await f.call('GET', '/v1/accounts?q=a%00b', { token: f.tokens.operator }), 400, 'query.q');
    });

    it('a JSON body that is not UTF-8 is a 400 naming the body', async () => {
      const raw = Buffer.concat([Buffer.from('{"reason":"fraud","note":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      problemFor(await f.call('POST', '/v1/accounts/u1/suspend', { token: f.tokens.operator, raw }), 400, 'body');
    });
  });

  describe('PUT keeps the tree a tree', () => {
    const put = (id: string, body: Record<string, unknown>) => f.call('PUT', `/v1/accounts/${encodeURIComponent(id)}`, { token: f.tokens.operator, body });
    it("a channel under a customer is a 409 naming parentId", async () => {
      problemFor(await put('c9', { type: 'channel', parentId: 'u1' }), 409, 'body.parentId');
    });
    it('a reseller with a parent, or an account that is its own parent, is a 400 naming parentId', async () => {
      problemFor(await put('r9', { type: 'reseller', parentId: 'r1' }), 400, 'body.parentId');
      problemFor(await put('u9', { type: 'customer', parentId: 'u9' }), 400, 'body.parentId');
    });
    it('a parent that does not exist is a 409 naming parentId', async () => {
      problemFor(await put('u9', { type: 'customer', parentId: 'nobody' }), 409, 'body.parentId');
    });
    it('turning a channel that has customers into a customer is a 409 naming type (it would make a cycle-prone tree)', async () => {
      problemFor(await put('c1', { type: 'customer', parentId: 'r1' }), 409, 'body.type');
    });
    it('a customer may move from a channel to a reseller', async () => {
      const res = await put('u1b', { type: 'customer', parentId: 'r1', updatedAt: '2026-11-24T11:00:00Z' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.parentId).toBe('r1');
    });
  });

  describe("one id grammar: a hold on O'Brien & Sons/7 can be read and lifted through the API and the CLI", () => {
    const id = "O'Brien & Sons/7";
    it('the account arrives on ingest, and the API reads, suspends and activates it by its URL-encoded id', async () => {
      const res = await f.call('POST', '/v1/events/accounts', { token: f.tokens.ingest, body: account(id) });
      expect(res.body.results[0].outcome).toBe('accepted');
      const path = `/v1/accounts/${encodeURIComponent(id)}`;
      expect((await f.call('GET', path, { token: f.tokens.operator })).body.id).toBe(id);
      const held = await f.call('POST', `${path}/suspend`, { token: f.tokens.operator, body: { reason: 'fraud', note: 'test' } });
      expect(held.status, JSON.stringify(held.body)).toBe(200);
      expect(held.body.status).toBe('suspended');
    });
    it('the CLI shows and activates it', async () => {
      const env = { SUSPENSIOND_URL: f.url, SUSPENSIOND_TOKEN: f.tokens.operator };
      const show = await cli(['accounts', 'show', id], env);
      expect(show.code, show.err).toBe(0);
      expect(show.out).toContain(`${id}  customer  SUSPENDED`);
      const act = await cli(['accounts', 'activate', id, '--json'], env);
      expect(act.code, act.err).toBe(0);
      expect(JSON.parse(act.out).status).toBe('active');
    });
  });

  describe('leaks and edges of HTTP', () => {
    it('a POST without a token gets its 401 before its 15 MB body is sent', async () => {
      const head = `POST /v1/events/cdrs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${15 * 1024 * 1024}\r\n\r\n`;
      const res = await rawRequest(f.url, head, Buffer.alloc(1024, 0x20));
      expect(res).toMatch(/^HTTP\/1\.1 401/);
      expect(res).toContain('application/problem+json');
    });

    it('a POST with a token whose role may not ingest gets its 403 before its body is sent', async () => {
      const head = `POST /v1/events/cdrs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${f.tokens.customer}\r\nContent-Type: application/json\r\nContent-Length: ${15 * 1024 * 1024}\r\n\r\n`;
      const res = await rawRequest(f.url, head, Buffer.alloc(1024, 0x20));
      expect(res).toMatch(/^HTTP\/1\.1 403/);
      expect(res).toContain('"field":"authorization"');
    });

    it('a token in the query string is never echoed in the problem', async () => {
      const res = await f.call('GET', '/v1/accounts/%00?access_token=sekrit-123', { token: f.tokens.operator });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain('sekrit');
      expect(res.body.instance).toBe('/v1/accounts/%00');
    });

    it('a path parameter over the limit is a 414 problem', async () => {
      const res = await f.call('GET', `/v1/accounts/${'a'.repeat(600)}`, { token: f.tokens.operator });
      expect(res.status).toBe(414);
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body.field).toBe('path');
    });

    it('headers over the limit are a 431 problem', async () => {
      const res = await rawRequest(f.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(res).toMatch(/^HTTP\/1\.1 431/);
      expect(res).toContain('application/problem+json');
      expect(res).toContain('"field":"headers"');
    });

    it('the CLI prints a CR in a stored account name escaped, so it cannot overwrite the status column', async () => {
      // Stored before names were validated: the CLI must still print it safely.
      await f.fresh.db.query(`INSERT INTO accounts (id, type, parent_id, name, updated_at) VALUES ('legacy-1', 'customer', 'c1', E'Evil\\rSUSPENDED', now())`);
      const r = await cli(['accounts', 'list', '--q', 'Evil'], { SUSPENSIOND_URL: f.url, SUSPENSIOND_TOKEN: f.tokens.operator });
      expect(r.code, r.err).toBe(0);
      expect(r.out).not.toContain('\r');
      expect(r.out).toMatch(/^legacy-1\s+customer\s+active\s+c1\s+Evil\\rSUSPENDED$/m);
    });
  });
});
