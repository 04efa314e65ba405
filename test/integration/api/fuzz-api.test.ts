// Fuzzing the API's own inputs (issue 11): PUT /v1/accounts/{id} bodies and ids, suspend and activate bodies,
// and the query parameters of every list, with arbitrary Unicode (NUL, lone surrogates as raw ED A0 80, bad
// percent-encoding), numbers, nesting and omitted fields, on real PostgreSQL. Property: never a 500; every error
// is a problem+json. 2,000 cases per path, 20 requests at a time.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyJson, CASES, enc, text, time } from './hostile-arbitraries.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

type Answer = { status: number; body: any; contentType: string };

describe('fuzzing the API inputs (issue 11)', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  /** No 500, and an error is a problem+json naming a field. */
  const wellAnswered = (res: Answer, what: string) => {
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
    if (res.status >= 400) {
      expect(res.contentType, what).toContain('application/problem+json');
      expect(typeof res.body.detail, what).toBe('string');
    }
  };

  const putBody = fc.record(
    {
      id: fc.oneof(text, anyJson),
      type: fc.oneof(fc.constantFrom('reseller', 'channel', 'customer'), anyJson),
      parentId: fc.oneof(fc.constantFrom('r1', 'c1', 'u1', 'nobody', null), text, anyJson),
      name: fc.oneof(text, anyJson),
      mainContact: fc.oneof(fc.record({ name: text, email: fc.constantFrom('jo@acme.example', 'a<b>;c@example.com') }, { requiredKeys: ['email'] }), anyJson),
      timezone: fc.oneof(fc.constantFrom('Europe/London', 'Mars/Olympus'), text),
      currency: fc.oneof(fc.constantFrom('GBP', 'gbp'), text),
      tags: fc.oneof(fc.array(text, { maxLength: 3 }), anyJson),
      closed: fc.oneof(fc.boolean(), anyJson),
      updatedAt: time,
      [text.toString()]: anyJson,
    },
    { requiredKeys: [] },
  );

  it(`PUT /v1/accounts/{id}: ${CASES} bodies and ids, 20 at a time, never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text.map((s) => `fzput-${s}`), putBody), { minLength: 20, maxLength: 20 }), async (batch) => {
        const answers = await Promise.all(batch.map(([id, body]) => f.call('PUT', `/v1/accounts/${enc(id)}`, { token: f.tokens.operator, body })));
        answers.forEach((res, i) => wellAnswered(res, `PUT ${JSON.stringify(batch[i])}`));
      }),
      { numRuns: CASES / 20 },
    );
  });

  const actionBody = fc.record(
    { reason: fc.oneof(fc.constantFrom('fraud', 'non_payment'), text, anyJson), note: fc.oneof(text, anyJson), exemptFor: fc.oneof(fc.constantFrom('24h', '30m', '9999999d', '0d'), text, anyJson) },
    { requiredKeys: [] },
  );

  it(`suspend and activate bodies: ${CASES} requests, 20 at a time, never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('suspend', 'activate'), fc.oneof(fc.constantFrom('u1', 'u2', 'u4', 'fz-none'), text), actionBody), { minLength: 20, maxLength: 20 }),
        async (batch) => {
          const answers = await Promise.all(
            batch.map(([action, id, body]) => f.call('POST', `/v1/accounts/${enc(id)}/${action}`, { token: f.tokens.operator, body })),
          );
          answers.forEach((res, i) => wellAnswered(res, `${JSON.stringify(batch[i])}`));
        },
      ),
      { numRuns: CASES / 20 },
    );
  });

  const rawEscape = fc.constantFrom('%00', '%ED%A0%80', '%FF', '%E0%A4%A', '%', '%25', '%0D%0A', '%E2%80%A8');
  const param = fc.oneof(text.map(enc), rawEscape, fc.tuple(text, rawEscape).map(([a, b]) => enc(a) + b));
  const query = fc.dictionary(fc.constantFrom('type', 'status', 'parent', 'q', 'cursor', 'limit', 'state', 'x'), param, { maxKeys: 4 });
  const listPath = fc.constantFrom('/v1/accounts', '/v1/decisions', '/v1/accounts/u1/history', '/v1/dead-letters');

  it(`GET query parameters: ${CASES} queries, 20 at a time, never a 500`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(listPath, query), { minLength: 20, maxLength: 20 }), async (batch) => {
        const urls = batch.map(([p, q]) => `${p}?${Object.entries(q).map(([k, v]) => `${k}=${v}`).join('&')}`);
        const answers = await Promise.all(urls.map((u) => f.call('GET', u, { token: f.tokens.operator })));
        answers.forEach((res, i) => wellAnswered(res, urls[i]!));
      }),
      { numRuns: CASES / 20 },
    );
  });

  it('after all of it the server is up and answers as before', async () => {
    expect((await f.call('GET', '/healthz')).status).toBe(200);
    expect((await f.call('GET', '/v1/accounts/r1', { token: f.tokens.operator })).status).toBe(200);
  });});
