// The fast path's query parser (src/api/fast-authorize.ts) against what the route does: fastify's own query parser
// (through an in-memory `inject`) then the route's zod schema. Whatever the fast path accepts, the route accepts
// with the same values; every valid request written as URLSearchParams writes it is accepted by the fast path.
import Fastify from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAuthorizeQuery } from '../../../src/api/fast-authorize.js';
import { authorizeInput } from '../../../src/api/routes/authorize-routes.js';

const app = Fastify({ logger: false });
app.get('/q', async (req) => {
  const r = authorizeInput.safeParse(req.query);
  return r.success ? { ok: true, data: r.data } : { ok: false };
});
beforeAll(() => app.ready());
afterAll(() => app.close());

async function route(query: string): Promise<{ ok: boolean; data?: unknown }> {
  return (await app.inject({ method: 'GET', url: `/q?${query}` })).json();
}

// Pieces that make up hostile query strings: the three names and others, separators, escapes good and bad.
const piece = fc.oneof(
  fc.constantFrom('account', 'callee', 'caller', 'extra', '%61ccount', '=', '&', '+', '%2B', '%20', '%zz', '%FF', '%C3%A9', '%00', '%0A', '#', ';', '999', '112', '+44', '(0)', 'u1', '*#', 'sip:x@y'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'grapheme', maxLength: 3 }),
);
const hostileQuery = fc.array(piece, { maxLength: 14 }).map((a) => a.join(''));
const numberLike = fc.stringMatching(/^[A-Za-z0-9+*#:@._\- ()]{1,64}$/);

describe('fast path query parser', () => {
  it('accepts nothing the route refuses, and what it accepts has the values the route sees', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(hostileQuery, hostileQuery.map((q) => `account=u1&callee=999&${q}`)), async (q) => {
        const fast = parseAuthorizeQuery(q);
        if (fast === null) return;
        expect(await route(q)).toEqual({ ok: true, data: fast });
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every valid request as URLSearchParams and encodeURIComponent write it, with the same values', async () => {
    const input = fc.record({ account: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), callee: numberLike, caller: fc.option(numberLike, { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(input, fc.boolean(), async (i, plus) => {
        const want = authorizeInput.safeParse(i.caller === undefined ? { account: i.account, callee: i.callee } : i);
        fc.pre(want.success);
        const entries = Object.entries(want.data!).filter(([, v]) => v !== undefined) as Array<[string, string]>;
        const q = plus ? String(new URLSearchParams(entries)) : entries.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        expect(parseAuthorizeQuery(q)).toEqual(want.data);
        expect(await route(q)).toEqual({ ok: true, data: want.data });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses missing, empty, repeated, unknown and malformed parameters', () => {
    for (const q of ['', 'account=u1', 'callee=999', 'account=&callee=999', 'account=u1&callee=', 'account=u1&callee=999&caller=',
      'account=u1&account=u2&callee=999', 'account=u1&callee=999&x=1', 'account&callee=999', '=u1&callee=999', 'account=u1&callee=a!b',
      'account=u%01&callee=999', `account=${'a'.repeat(201)}&callee=999`, `account=u1&callee=${'1'.repeat(65)}`, 'account=%E0%A4%A&callee=999']) {
      expect(parseAuthorizeQuery(q), q).toBeNull();
    }
    expect(parseAuthorizeQuery('account=u1&callee=+44&caller=%2B44')).toEqual({ account: 'u1', callee: ' 44', caller: '+44' });
  });
});
