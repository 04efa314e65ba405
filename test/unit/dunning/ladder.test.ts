import { describe, expect, it } from 'vitest';
import { LadderSim, invoiceEvent, standardPolicy, M } from './ladder-sim.js';

describe('the dunning ladder with fake time', () => {
  it('sends the reminder at day 3, the final notice at day 10, suspends at day 14 and reactivates on payment, across a DST change and a month end', () => {
    const sim = new LadderSim();
    // Due 20 October; Europe/London leaves summer time on 25 October; the ladder runs into November.
    sim.receive(invoiceEvent('overdue', { outstanding: 120, dueAt: '2026-10-20', at: '2026-10-21T09:00:00Z' }));
    sim.evaluate('2026-10-21T09:00:00Z');
    expect(sim.episodes).toHaveLength(1);
    sim.sweep('2026-10-21T09:15:00Z', '2026-11-05T00:00:00Z');
    expect(sim.summary()).toEqual([
      'email:payment-reminder@2026-10-22T23:00:00.000Z', // local midnight of 23 Oct, BST
      'email:final-notice@2026-10-30T00:00:00.000Z', // local midnight of 30 Oct, GMT
      'suspend:14d@2026-11-03T00:00:00.000Z',
    ]);
    expect(sim.holds).toEqual([{ reason: 'non_payment', source: 'dunning:standard' }]);

    sim.receive(invoiceEvent('paid', { outstanding: 0, dueAt: '2026-10-20', at: '2026-11-05T10:00:00Z' }));
    const r = sim.evaluate('2026-11-05T10:00:01Z');
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'activate', source: 'dunning:standard' })]);
    expect(sim.holds).toEqual([]);
    expect(sim.episodes[0]!.closedAt).toBe(Date.parse('2026-11-05T10:00:01Z'));
    // Nothing more happens once the episode is closed.
    sim.sweep('2026-11-05T10:15:00Z', '2026-11-20T00:00:00Z', 3_600_000);
    expect(sim.log).toHaveLength(4);
  });

  it('carries the amount, currency, anchor, stage and the invoices it is about in each stage email', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 120.5, dueAt: '2026-11-01', at: '2026-11-02T09:00:00Z' }));
    const r = sim.evaluate('2026-11-04T12:00:00Z');
    expect(r.actions).toEqual([
      {
        kind: 'email', accountId: 'cust-1', episodeId: r.episodes[0]!.id, policyId: 'standard', stage: '3d', template: 'payment-reminder',
        data: {
          overdueAmount: '120.50', currency: 'GBP', dueAt: '2026-11-01', stage: '3d', policyId: 'standard', daysPastDue: 3,
          invoiceId: 'INV-1', invoices: [{ invoiceId: 'INV-1', outstanding: '120.50', dueAt: '2026-11-01' }], invoiceList: 'INV-1 120.50 GBP due 2026-11-01',
        },
      },
    ]);
    expect(r.stagesFired).toEqual([expect.objectContaining({ stage: '3d', email: 'payment-reminder', emailSkipped: false, suspend: false })]);
  });

  it('counts days past due in the account time zone', () => {
    const tokyo = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'Asia/Tokyo' });
    const la = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'America/Los_Angeles' });
    for (const sim of [tokyo, la]) sim.receive(invoiceEvent('overdue', { outstanding: 50, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }));
    // 2026-11-03T16:00Z is 4 November 01:00 in Tokyo and 3 November 08:00 in Los Angeles.
    expect(tokyo.evaluate('2026-11-03T16:00:00Z').actions.map((a) => a.kind)).toEqual(['email']);
    expect(la.evaluate('2026-11-03T16:00:00Z').actions).toEqual([]);
  });

  it('fires each stage once per episode however often it is evaluated', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 80, at: '2026-11-02T00:00:00Z' }));
    for (let i = 0; i < 5; i++) sim.evaluate('2026-11-05T12:00:00Z');
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-05T12:00:00.000Z']);
  });

  it('when several stages fall due at once, records them all but sends only the last email and applies the suspension', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 80, dueAt: '2026-11-01', at: '2026-11-20T00:00:00Z' }));
    const r = sim.evaluate('2026-11-20T00:00:00Z');
    expect(r.stagesFired.map((s) => [s.stage, s.emailSkipped])).toEqual([['3d', true], ['10d', true], ['14d', false]]);
    expect(r.actions.map((a) => a.kind)).toEqual(['suspend']);

    const late = new LadderSim();
    late.receive(invoiceEvent('overdue', { outstanding: 80, dueAt: '2026-11-01', at: '2026-11-12T00:00:00Z' }));
    expect(late.evaluate('2026-11-12T00:00:00Z').actions).toEqual([expect.objectContaining({ kind: 'email', template: 'final-notice' })]);
  });

  it('applies graceDays before counting days past due', () => {
    const sim = new LadderSim(undefined, [standardPolicy({ graceDays: 5 })]);
    sim.receive(invoiceEvent('issued', { outstanding: 80, dueAt: '2026-11-01', at: '2026-10-01T00:00:00Z' }));
    expect(sim.evaluate('2026-11-06T12:00:00Z').episodes).toEqual([]); // within grace: not overdue
    sim.sweep('2026-11-06T12:00:00Z', '2026-11-10T12:00:00Z', 3_600_000);
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-09T00:00:00.000Z']); // 1 Nov + 5 + 3
  });

  it('chooses the policy by account type and tags, and leaves accounts no policy applies to alone', () => {
    const vip = standardPolicy({ id: 'vip', appliesTo: { tags: { any: ['vip'] } }, stages: [{ afterDays: 30, email: 'vip-reminder', suspend: false }] });
    const policies = [vip, standardPolicy()];
    const vipSim = new LadderSim({ id: 'cust-1', type: 'customer', tags: ['vip'], timezone: 'UTC' }, policies);
    const plain = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'UTC' }, policies);
    const reseller = new LadderSim({ id: 'cust-1', type: 'reseller', tags: [], timezone: 'UTC' }, [standardPolicy()]);
    for (const sim of [vipSim, plain, reseller]) {
      sim.receive(invoiceEvent('overdue', { outstanding: 80, at: '2026-11-02T00:00:00Z' }));
      sim.evaluate('2026-11-05T00:00:00Z');
    }
    expect(vipSim.log).toEqual([]);
    expect(vipSim.episodes[0]!.policyId).toBe('vip');
    expect(plain.summary()).toEqual(['email:payment-reminder@2026-11-05T00:00:00.000Z']);
    expect(reseller.episodes).toEqual([]);
  });
});
