// CONTRACT §1 authority, end to end: every role × relation to the target × action gets the status code the
// contract implies. Out of scope answers 404 (existence never leaks); in scope but not allowed answers 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture, type Who } from './api-fixture.js';

type Actor = Who | 'nobody';
type Relation = 'itself' | 'child' | 'grandchild' | 'sibling' | 'another tree';
type Action = 'read' | 'suspend' | 'activate' | 'exempt';

/** Target account per actor and relation (absent where the relation does not exist for that actor). */
const TARGETS: Record<Actor, Partial<Record<Relation, string>>> = {
  // Account-less actors are exercised on the reseller's positions.
  operator: { child: 'c1', grandchild: 'u1', sibling: 'r2', 'another tree': 'u4' },
  reseller: { itself: 'r1', child: 'c1', grandchild: 'u1', sibling: 'r2', 'another tree': 'u4' },
  channel: { itself: 'c1', child: 'u1', sibling: 'c2', 'another tree': 'u4' },
  customer: { itself: 'u1', sibling: 'u1b', 'another tree': 'u4' },
  ingest: { child: 'c1', grandchild: 'u1', sibling: 'r2', 'another tree': 'u4' },
  nobody: { child: 'c1', grandchild: 'u1', sibling: 'r2', 'another tree': 'u4' },
};

function expected(actor: Actor, relation: Relation, action: Action): number {
  if (actor === 'nobody') return 401;
  if (actor === 'operator') return action === 'exempt' ? 201 : 200;
  if (actor === 'ingest') return 404;
  const inScope = relation === 'itself' || relation === 'child' || relation === 'grandchild';
  if (!inScope) return 404;
  if (action === 'read') return 200;
  if (action === 'exempt') return 403;
  // suspend/activate: never one's own account; reseller: channels and customers below; channel: direct customers.
  if (relation === 'itself' || actor === 'customer') return 403;
  return 200;
}

const CASES: Array<[Actor, Relation, Action, string, number]> = [];
for (const actor of Object.keys(TARGETS) as Actor[]) {
  for (const [relation, target] of Object.entries(TARGETS[actor]) as Array<[Relation, string]>) {
    for (const action of ['read', 'suspend', 'activate', 'exempt'] as Action[]) {
      CASES.push([actor, relation, action, target, expected(actor, relation, action)]);
    }
  }
}

describe('the authority matrix', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  async function perform(actor: Actor, action: Action, target: string) {
    const token = actor === 'nobody' ? null : f.tokens[actor];
    switch (action) {
      case 'read':
        return f.call('GET', `/v1/accounts/${target}`, { token });
      case 'suspend':
        return f.call('POST', `/v1/accounts/${target}/suspend`, { token, body: { reason: 'non_payment', note: `by ${actor}` } });
      case 'activate':
        return f.call('POST', `/v1/accounts/${target}/activate`, { token, body: { note: `by ${actor}` } });
      case 'exempt':
        return f.call('POST', `/v1/accounts/${target}/exemptions`, {
          token,
          body: { reason: 'fraud', until: '2026-12-01T00:00:00Z', note: `by ${actor}` },
        });
    }
  }

  it.each(CASES)('%s → %s → %s (%s) answers %i', async (actor, _relation, action, target, status) => {
    const res = await perform(actor, action, target);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status >= 400) {
      expect(res.contentType).toContain('application/problem+json');
      expect(res.body.status).toBe(status);
    }
  });

  it('the 404 for an account outside the scope is the same as for an account that does not exist', async () => {
    const outside = await f.call('GET', '/v1/accounts/u4', { token: f.tokens.channel });
    const missing = await f.call('GET', '/v1/accounts/no-such-account', { token: f.tokens.channel });
    expect(outside.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(outside.body.detail.replace('u4', 'X')).toBe(missing.body.detail.replace('no-such-account', 'X'));
  });

  it('a channel cannot see its parent reseller', async () => {
    expect((await f.call('GET', '/v1/accounts/r1', { token: f.tokens.channel })).status).toBe(404);
  });

  it('a reseller may suspend a customer directly under it', async () => {
    const res = await f.call('POST', '/v1/accounts/u3/suspend', { token: f.tokens.reseller, body: { reason: 'fraud' } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('suspended');
  });

  it("a channel may not suspend its sibling channel's customer", async () => {
    expect((await f.call('POST', '/v1/accounts/u2/suspend', { token: f.tokens.channel, body: { reason: 'fraud' } })).status).toBe(404);
  });
});
