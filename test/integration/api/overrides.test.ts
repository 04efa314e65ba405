// Automatic fraud holds and operator overrides (CONTRACT §1): only an operator lifts a rule's fraud hold; an
// activation with exemptFor turns the next automatic hit into a review decision; approve places the hold,
// reject leaves the account active.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuspendCommand } from '../../../src/domain/commands.js';
import { withTransition } from '../../../src/store/transitions.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

const RULE = 'irsf-destinations';

function ruleHit(accountId: string): SuspendCommand {
  return {
    kind: 'suspend',
    accountId,
    actor: { kind: 'system', source: `rule:${RULE}` },
    reason: 'fraud',
    source: `rule:${RULE}`,
    ruleId: RULE,
    mode: 'enforce',
    evidence: { measure: 'calls', value: 12, threshold: 10, window: '10m' },
  };
}

describe('automatic fraud holds and overrides', () => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await startApiFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  const hit = (accountId: string) => withTransition(f.fresh.db, ruleHit(accountId), { now: f.clock.now() });

  it('lifting an automatic fraud hold is refused to every role but operator', async () => {
    await hit('u1');
    for (const [who, status] of [['reseller', 403], ['channel', 403], ['customer', 403], ['ingest', 404]] as const) {
      const res = await f.call('POST', '/v1/accounts/u1/activate', { token: f.tokens[who], body: { note: 'let them call' } });
      expect(res.status, who).toBe(status);
    }
    expect((await f.call('POST', '/v1/accounts/u1/activate', { body: {} })).status).toBe(401);
    const still = await f.call('GET', '/v1/accounts/u1', { token: f.tokens.operator });
    expect(still.body.status).toBe('suspended');
    expect(still.body.holds.map((h: { source: string }) => h.source)).toEqual([`rule:${RULE}`]);
    const lifted = await f.call('POST', '/v1/accounts/u1/activate', { token: f.tokens.operator, body: { note: 'checked' } });
    expect(lifted.status).toBe(200);
    expect(lifted.body.status).toBe('active');
    expect(lifted.body.holdsLifted).toHaveLength(1);
  });

  it('a reseller lifts only its own person-placed hold and leaves the rule hold in place', async () => {
    await hit('u2');
    expect((await f.call('POST', '/v1/accounts/u2/suspend', { token: f.tokens.reseller, body: { reason: 'non_payment' } })).status).toBe(200);
    const res = await f.call('POST', '/v1/accounts/u2/activate', { token: f.tokens.reseller, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.holds.map((h: { source: string }) => h.source)).toEqual([`rule:${RULE}`]);
    expect(res.body.status).toBe('suspended');
  });

  it('an override holds: with exemptFor 24h a repeat attack opens a review decision, and rejecting it leaves the account active', async () => {
    await hit('u3');
    const lift = await f.call('POST', '/v1/accounts/u3/activate', {
      token: f.tokens.operator,
      body: { reason: 'fraud', exemptFor: '24h', note: 'customer confirmed the calls' },
    });
    expect(lift.status).toBe(200);
    expect(lift.body.exemptionsCreated).toHaveLength(1);

    f.clock.advance(3 * 3_600_000); // the same pattern, three hours later
    const again = await hit('u3');
    expect(again.holdsPlaced).toHaveLength(0);
    expect(again.decisionsOpened).toHaveLength(1);
    const decisionId = again.decisionsOpened[0]!.id;
    expect((await f.call('GET', '/v1/accounts/u3', { token: f.tokens.operator })).body.status).toBe('active');

    const queue = await f.call('GET', '/v1/decisions?state=pending', { token: f.tokens.operator });
    expect(queue.status).toBe(200);
    expect(queue.body.items.map((d: { id: string }) => d.id)).toContain(decisionId);

    const rejected = await f.call('POST', `/v1/decisions/${decisionId}/reject`, { token: f.tokens.operator, body: { note: 'known traffic' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.decision.state).toBe('rejected');
    const after = await f.call('GET', '/v1/accounts/u3', { token: f.tokens.operator });
    expect(after.body.status).toBe('active');
    expect(after.body.holds).toEqual([]);

    const history = await f.call('GET', '/v1/accounts/u3/history', { token: f.tokens.operator });
    expect(history.body.items.map((e: { kind: string }) => e.kind)).toEqual([
      'hold_placed', 'hold_lifted', 'exemption_created', 'decision_opened', 'decision_rejected',
    ]);
    const lifted = history.body.items.find((e: { kind: string }) => e.kind === 'hold_lifted');
    expect(lifted.actor).toBe(`operator:${f.tokenIds.operator}`);
    expect(lifted.note).toBe('customer confirmed the calls');
  });

  it('after the exemption expires the same rule places a hold again', async () => {
    f.clock.advance(22 * 3_600_000); // 25 hours after the lift
    const res = await hit('u3');
    expect(res.holdsPlaced).toHaveLength(1);
  });

  it('approving a decision places the hold; deciding it twice is a conflict', async () => {
    const x = await f.call('POST', '/v1/accounts/c2/exemptions', {
      token: f.tokens.operator,
      body: { reason: 'fraud', until: new Date(f.clock.now().getTime() + 3_600_000).toISOString(), note: 'investigating' },
    });
    expect(x.status).toBe(201);
    const opened = await hit('c2');
    const id = opened.decisionsOpened[0]!.id;
    const approved = await f.call('POST', `/v1/decisions/${id}/approve`, { token: f.tokens.operator, body: {} });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('suspended');
    expect(approved.body.holds[0].source).toBe(`rule:${RULE}`);
    const twice = await f.call('POST', `/v1/decisions/${id}/reject`, { token: f.tokens.operator, body: {} });
    expect(twice.status).toBe(409);
    // The descendants are suspended through c2.
    expect((await f.call('GET', '/v1/accounts/u2', { token: f.tokens.operator })).body.inheritedFrom).toEqual(['c2']);
  });

  it('a rejection may carry exemptFor; deleting the exemption lets the rule suspend again', async () => {
    const opened = await withTransition(f.fresh.db, { ...ruleHit('u1b'), mode: 'review' as const }, { now: f.clock.now() });
    const id = opened.decisionsOpened[0]!.id;
    const rejected = await f.call('POST', `/v1/decisions/${id}/reject`, { token: f.tokens.operator, body: { exemptFor: '24h' } });
    expect(rejected.status).toBe(200);
    const exemption = rejected.body.exemption;
    expect(Date.parse(exemption.until) - f.clock.now().getTime()).toBe(24 * 3_600_000);
    expect((await hit('u1b')).holdsPlaced).toHaveLength(0);
    expect((await f.call('DELETE', `/v1/exemptions/${exemption.id}`, { token: f.tokens.operator })).status).toBe(200);
    expect((await f.call('DELETE', `/v1/exemptions/${exemption.id}`, { token: f.tokens.operator })).status).toBe(404);
    expect((await hit('u1b')).holdsPlaced).toHaveLength(1);
  });

  it('the review queue, the rules and the dead letters are for operators only', async () => {
    for (const path of ['/v1/decisions', '/v1/rules', '/v1/dead-letters']) {
      expect((await f.call('GET', path, { token: f.tokens.reseller })).status, path).toBe(403);
      expect((await f.call('GET', path, { token: f.tokens.operator })).status, path).toBe(200);
    }
  });

  it('exemptFor on an activation is refused to a reseller', async () => {
    await f.call('POST', '/v1/accounts/c1/suspend', { token: f.tokens.reseller, body: { reason: 'fraud' } });
    const res = await f.call('POST', '/v1/accounts/c1/activate', { token: f.tokens.reseller, body: { exemptFor: '24h' } });
    expect(res.status).toBe(403);
  });

  it('operator actions wake the outbox and count as operator decisions', async () => {
    const before = f.committed.count;
    await f.call('POST', '/v1/accounts/u4/suspend', { token: f.tokens.operator, body: { reason: 'fraud' } });
    expect(f.committed.count).toBe(before + 1);
    const metrics = await f.call('GET', '/metrics');
    expect(metrics.body).toMatch(/suspensiond_decisions_total\{reason="fraud",source="operator",action="suspend"\} \d+/);
  });
});
