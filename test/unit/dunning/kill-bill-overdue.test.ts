// Issue 13: the four cases where this daemon disagreed with Kill Bill's overdue integration tests
// (beatrix/src/test/java/org/killbill/billing/beatrix/integration/overdue/), mapped onto our policies and invoice
// events and walked through the pure ladder with fake time. Each describe names the Kill Bill test it follows.
// The same scenarios run end to end through `replay` in test/integration/dunning/kill-bill-replay.test.ts.
import { describe, expect, it } from 'vitest';
import { LadderSim, invoiceEvent, standardPolicy } from './ladder-sim.js';
import type { DunningAction } from '../../../src/rules/dunning/types.js';

const emailsOf = (sim: LadderSim) =>
  sim.log.flatMap(({ at, action }) => (action.kind === 'email' ? [`${action.template}:${action.data.invoiceId}@${at.slice(0, 10)}`] : []));
const kinds = (actions: DunningAction[]) => actions.map((a) => a.kind);

describe('TestOverdueWithTags.testOverdueStateAndWRITTEN_OFFTag: a reversed write-off or a mistaken void is dunned again', () => {
  it('a written-off invoice is not dunned; when a later event reopens it, it goes straight to its stage', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { invoiceId: 'I1', outstanding: 249.95, dueAt: '2026-05-31', at: '2026-05-31T12:00:00Z' }));
    sim.receive(invoiceEvent('written_off', { invoiceId: 'I1', outstanding: 249.95, dueAt: '2026-05-31', at: '2026-06-01T09:00:00Z' }));
    sim.sweep('2026-06-01T09:00:00Z', '2026-06-06T09:00:00Z', 3_600_000); // past day 3: still clear
    expect(sim.log).toEqual([]);
    // The billing system undoes the write-off: a later event carries the outstanding amount again.
    sim.receive(invoiceEvent('overdue', { invoiceId: 'I1', outstanding: 249.95, dueAt: '2026-05-31', at: '2026-06-06T10:00:00Z' }));
    const r = sim.evaluate('2026-06-06T10:00:00Z');
    expect(kinds(r.actions)).toEqual(['email']);
    expect(r.actions[0]).toMatchObject({ template: 'payment-reminder', data: { invoiceId: 'I1', invoiceList: 'I1 249.95 GBP due 2026-05-31', daysPastDue: 6 } });
  });

  it('a void followed by a later correction counts again, whatever order the events arrive in', () => {
    const events = [
      invoiceEvent('issued', { invoiceId: 'I2', outstanding: 80, dueAt: '2026-06-01', at: '2026-05-20T00:00:00Z' }),
      invoiceEvent('voided', { invoiceId: 'I2', outstanding: 0, dueAt: '2026-06-01', at: '2026-05-21T00:00:00Z' }),
      invoiceEvent('payment', { invoiceId: 'I2', outstanding: 30, dueAt: '2026-06-01', at: '2026-05-22T00:00:00Z' }),
    ];
    const inOrder = new LadderSim();
    const reversed = new LadderSim();
    inOrder.receive(...events);
    reversed.receive(...[...events].reverse());
    for (const sim of [inOrder, reversed]) {
      expect(sim.evaluate('2026-06-15T00:00:00Z').actions.map((a) => (a.kind === 'suspend' ? a.evidence.invoiceList : a.kind))).toEqual(['I2 30.00 GBP due 2026-06-01']);
    }
  });
});

describe('TestOverdueIntegration: paying the invoice that caused the block unblocks', () => {
  const twoInvoices = (sim: LadderSim) =>
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'OLD', outstanding: 100, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'NEW', outstanding: 100, dueAt: '2026-11-10', at: '2026-11-11T00:00:00Z' }),
    );

  it('below_suspend_stage (the default): paying the oldest lifts the hold when every invoice left is younger than the suspend stage', () => {
    const sim = new LadderSim();
    twoInvoices(sim);
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-16T00:00:00Z', 3_600_000);
    expect(sim.holds).toEqual([{ reason: 'non_payment', source: 'dunning:standard' }]);
    sim.receive(invoiceEvent('paid', { invoiceId: 'OLD', outstanding: 0, dueAt: '2026-11-01', at: '2026-11-16T09:00:00Z' }));
    const r = sim.evaluate('2026-11-16T09:00:00Z');
    // NEW is 6 days past due: below the 14-day suspension. Its own reminder re-arms and goes out at once.
    expect(r.actions).toEqual([
      expect.objectContaining({ kind: 'email', template: 'payment-reminder', data: expect.objectContaining({ invoiceId: 'NEW', daysPastDue: 6 }) }),
      expect.objectContaining({ kind: 'activate', source: 'dunning:standard', cause: 'below_suspend_stage' }),
    ]);
    expect(sim.holds).toEqual([]);
    // NEW goes on up its own ladder: final notice at its day 10, suspension at its day 14.
    sim.sweep('2026-11-16T10:00:00Z', '2026-11-25T00:00:00Z', 3_600_000);
    expect(emailsOf(sim).slice(-2)).toEqual(['payment-reminder:NEW@2026-11-16', 'final-notice:NEW@2026-11-20']);
    expect(sim.summary().at(-1)).toBe('suspend:14d@2026-11-24T00:00:00.000Z');
  });

  it('balance_cleared keeps the old behaviour: the hold stays until the whole overdue balance clears', () => {
    const sim = new LadderSim(undefined, [standardPolicy({ reactivateWhen: 'balance_cleared' })]);
    twoInvoices(sim);
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-16T00:00:00Z', 3_600_000);
    sim.receive(invoiceEvent('paid', { invoiceId: 'OLD', outstanding: 0, dueAt: '2026-11-01', at: '2026-11-16T09:00:00Z' }));
    expect(kinds(sim.evaluate('2026-11-16T09:00:00Z').actions)).toEqual(['email']);
    expect(sim.holds).toHaveLength(1);
    sim.receive(invoiceEvent('paid', { invoiceId: 'NEW', outstanding: 0, dueAt: '2026-11-10', at: '2026-11-17T09:00:00Z' }));
    expect(sim.evaluate('2026-11-17T09:00:00Z').actions).toEqual([expect.objectContaining({ kind: 'activate', cause: 'balance_cleared' })]);
    expect(sim.holds).toEqual([]);
  });

  it('without reactivateOnPayment neither rule lifts the hold: it waits for an operator', () => {
    const sim = new LadderSim(undefined, [standardPolicy({ reactivateOnPayment: false })]);
    twoInvoices(sim);
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-16T00:00:00Z', 3_600_000);
    sim.receive(invoiceEvent('paid', { invoiceId: 'OLD', outstanding: 0, at: '2026-11-16T09:00:00Z' }));
    expect(kinds(sim.evaluate('2026-11-16T09:00:00Z').actions)).toEqual(['email']);
    expect(sim.holds).toHaveLength(1);
  });
});

describe('TestOverdueStateSkipWithShiftingEarliestUnpaidInvoice: a suspension always follows a notice about its debt', () => {
  // The client's configuration from the Kill Bill test: WARNING at 5 days, BLOCKED at 7.
  const warnBlock = standardPolicy({
    minOverdueMicros: 0,
    stages: [
      { afterDays: 5, email: 'payment-reminder', suspend: false },
      { afterDays: 7, email: null, suspend: true },
    ],
  });

  it('testWarningSkippedWhenEarliestUnpaidInvoiceShiftsForward: the warning for the new earliest invoice comes on its own due day, before the block', () => {
    const sim = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'UTC' }, [warnBlock]);
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'R1', outstanding: 249.95, dueAt: '2026-05-31', at: '2026-05-31T01:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'A', outstanding: 500, dueAt: '2026-05-31', at: '2026-05-31T02:00:00Z' }),
    );
    sim.sweep('2026-05-31T01:00:00Z', '2026-06-02T00:00:00Z');
    sim.receive(invoiceEvent('overdue', { invoiceId: 'B', outstanding: 700, dueAt: '2026-06-02', at: '2026-06-02T01:00:00Z' }));
    // The pivot: the two oldest are paid; the earliest unpaid shifts from 31 May to 2 June.
    sim.receive(
      invoiceEvent('paid', { invoiceId: 'R1', outstanding: 0, dueAt: '2026-05-31', at: '2026-06-02T02:00:00Z' }),
      invoiceEvent('paid', { invoiceId: 'A', outstanding: 0, dueAt: '2026-05-31', at: '2026-06-02T02:00:00Z' }),
    );
    sim.sweep('2026-06-02T02:00:00Z', '2026-06-03T01:00:00Z');
    sim.receive(invoiceEvent('overdue', { invoiceId: 'C', outstanding: 200, dueAt: '2026-06-03', at: '2026-06-03T01:00:00Z' }));
    sim.sweep('2026-06-03T01:00:00Z', '2026-06-10T00:00:00Z');
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-06-07T00:00:00.000Z', 'suspend:7d@2026-06-09T00:00:00.000Z']);
    expect(emailsOf(sim)).toEqual(['payment-reminder:B@2026-06-07']);
  });

  it('testDelayedCheckAppliesMostSevereMatchingState: an account first seen past every stage goes straight to the most severe one', () => {
    const sim = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'UTC' }, [warnBlock]);
    sim.receive(invoiceEvent('overdue', { invoiceId: 'B', outstanding: 700, dueAt: '2026-06-02', at: '2026-06-02T01:00:00Z' }));
    const r = sim.evaluate('2026-06-10T00:00:00Z');
    expect(r.stagesFired.map((s) => [s.stage, s.invoiceId, s.emailSkipped])).toEqual([['5d', 'B', true], ['7d', 'B', false]]);
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'suspend', evidence: expect.objectContaining({ stage: '7d', invoiceList: 'B 700.00 GBP due 2026-06-02' }) })]);
    // No stage is sent twice for the same anchor, however often it is evaluated.
    sim.sweep('2026-06-10T00:15:00Z', '2026-06-12T00:00:00Z');
    expect(sim.log).toHaveLength(1);
  });

  it('the replay case: the only notice was about an invoice later adjusted to zero, so the next anchor gets its own notices first', () => {
    const sim = new LadderSim();
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'X', outstanding: 90, dueAt: '2026-03-01', at: '2026-03-02T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'Y', outstanding: 60, dueAt: '2026-03-05', at: '2026-03-06T00:00:00Z' }),
    );
    sim.sweep('2026-03-02T00:00:00Z', '2026-03-05T00:00:00Z', 3_600_000);
    sim.receive(invoiceEvent('payment', { invoiceId: 'X', outstanding: 0, dueAt: '2026-03-01', at: '2026-03-05T12:00:00Z' })); // adjusted to zero
    sim.sweep('2026-03-05T12:00:00Z', '2026-04-20T00:00:00Z', 3_600_000);
    expect(emailsOf(sim)).toEqual(['payment-reminder:X@2026-03-04', 'payment-reminder:Y@2026-03-08', 'final-notice:Y@2026-03-15']);
    expect(sim.summary().filter((s) => s.startsWith('suspend'))).toEqual(['suspend:14d@2026-03-19T00:00:00.000Z']);
  });
});

describe('TestOverdueWithTags.testOverdueAccountWithOverdueEnforcementOffTag: leaving a policy ends the episode', () => {
  const policies = [standardPolicy({ appliesTo: { accountTypes: ['customer'], tags: { none: ['enforcement-off'] } } })];

  it('tagging the account out of appliesTo lifts the dunning hold (a fraud hold stays) with a note; untagging brings it straight back', () => {
    const sim = new LadderSim({ id: 'cust-1', type: 'customer', tags: [], timezone: 'UTC' }, policies);
    sim.holds.push({ reason: 'fraud', source: 'rule:irsf-destinations' });
    sim.receive(invoiceEvent('overdue', { outstanding: 249.95, dueAt: '2026-06-01', at: '2026-06-02T00:00:00Z' }));
    sim.evaluate('2026-06-16T00:00:00Z');
    expect(sim.holds).toHaveLength(2);
    sim.account = { ...sim.account, tags: ['enforcement-off'] };
    const off = sim.evaluate('2026-06-16T01:00:00Z');
    expect(off.actions).toEqual([
      expect.objectContaining({ kind: 'note', cause: 'left_policy', note: expect.stringContaining('appliesTo of dunning policy standard') }),
      expect.objectContaining({ kind: 'activate', source: 'dunning:standard', cause: 'left_policy' }),
    ]);
    expect(sim.holds).toEqual([{ reason: 'fraud', source: 'rule:irsf-destinations' }]);
    expect(sim.episodes.every((e) => e.closedAt !== null)).toBe(true);
    sim.sweep('2026-06-16T02:00:00Z', '2026-06-20T00:00:00Z', 3_600_000);
    expect(sim.holds).toHaveLength(1);
    sim.account = { ...sim.account, tags: [] };
    expect(kinds(sim.evaluate('2026-06-20T01:00:00Z').actions)).toEqual(['suspend']);
    expect(sim.holds).toHaveLength(2);
  });

  it('testNonOverdueAccountWithOverdueEnforcementOffTag: an account tagged out before it is overdue is left alone until untagged', () => {
    const sim = new LadderSim({ id: 'cust-1', type: 'customer', tags: ['enforcement-off'], timezone: 'UTC' }, policies);
    sim.receive(invoiceEvent('overdue', { outstanding: 249.95, dueAt: '2026-06-01', at: '2026-06-02T00:00:00Z' }));
    sim.sweep('2026-06-02T00:00:00Z', '2026-06-07T00:00:00Z', 3_600_000);
    expect(sim.log).toEqual([]);
    sim.account = { ...sim.account, tags: [] };
    expect(sim.evaluate('2026-06-07T01:00:00Z').actions).toEqual([expect.objectContaining({ kind: 'email', template: 'payment-reminder' })]);
  });
});
