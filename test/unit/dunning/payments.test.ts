import { describe, expect, it } from 'vitest';
import { LadderSim, invoiceEvent, standardPolicy, M } from './ladder-sim.js';
import { foldInvoiceEvents } from '../../../src/rules/dunning/ledger.js';

describe('payments and event ordering', () => {
  it('a payment that arrives before the overdue event wins when it happened later', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('paid', { outstanding: 0, at: '2026-11-03T10:00:00Z' }));
    sim.receive(invoiceEvent('overdue', { outstanding: 120, at: '2026-11-02T00:00:00Z' }));
    const r = sim.evaluate('2026-11-10T00:00:00Z');
    expect(r.episodes).toEqual([]);
    expect(r.actions).toEqual([]);
  });

  it('duplicate and out-of-order events fold to the same ledger in any order', () => {
    const events = [
      invoiceEvent('overdue', { outstanding: 120, at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('payment', { outstanding: 70, at: '2026-11-04T00:00:00Z' }),
      invoiceEvent('payment', { outstanding: 20, at: '2026-11-06T00:00:00Z' }),
      invoiceEvent('disputed', { outstanding: 20, at: '2026-11-07T00:00:00Z' }),
      invoiceEvent('dispute_resolved', { outstanding: 20, at: '2026-11-08T00:00:00Z' }),
    ];
    const inOrder = [...foldInvoiceEvents(events).values()];
    const shuffled = [events[3]!, events[1]!, events[4]!, events[0]!, events[2]!, events[1]!, events[0]!];
    expect([...foldInvoiceEvents(shuffled).values()]).toEqual(inOrder);
    expect(inOrder[0]).toMatchObject({ outstandingMicros: 20 * M, lastType: 'dispute_resolved', overdueMarkedAt: Date.parse('2026-11-02T00:00:00Z') });
  });

  it('a repeated event sends no second email', () => {
    const sim = new LadderSim();
    const e = invoiceEvent('overdue', { outstanding: 120, at: '2026-11-02T00:00:00Z' });
    sim.receive(e);
    sim.evaluate('2026-11-05T00:00:00Z');
    sim.receive(e, e);
    sim.evaluate('2026-11-05T00:15:00Z');
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-05T00:00:00.000Z']);
  });

  it('a partial payment leaving the balance above minOverdue keeps the ladder going; one leaving it below closes the episode', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 120, at: '2026-11-02T00:00:00Z' }));
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-15T00:00:00Z', 3_600_000);
    expect(sim.holds).toHaveLength(1);
    sim.receive(invoiceEvent('payment', { outstanding: 5, at: '2026-11-15T09:00:00Z' })); // 5.00 == minOverdue: still overdue
    expect(sim.evaluate('2026-11-15T09:00:00Z').actions).toEqual([]);
    expect(sim.holds).toHaveLength(1);
    sim.receive(invoiceEvent('payment', { outstanding: 4.99, at: '2026-11-15T10:00:00Z' }));
    expect(sim.evaluate('2026-11-15T10:00:00Z').actions.map((a) => a.kind)).toEqual(['activate']);
    expect(sim.holds).toEqual([]);
  });

  it('keeps one episode per currency and reactivates only when no currency that suspended is still overdue', () => {
    const sim = new LadderSim();
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'G1', currency: 'GBP', outstanding: 100, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'E1', currency: 'EUR', outstanding: 100, dueAt: '2026-11-05', at: '2026-11-06T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'E2', currency: 'EUR', outstanding: 3, dueAt: '2026-10-01', at: '2026-11-06T00:00:00Z' }),
    );
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-20T00:00:00Z', 3_600_000);
    expect(sim.episodes.map((e) => [e.currency, e.anchorDueAt, e.firedStages])).toEqual([
      ['EUR', '2026-10-01', ['3d', '10d', '14d']],
      ['GBP', '2026-11-01', ['3d', '10d', '14d']],
    ]);
    sim.receive(invoiceEvent('paid', { invoiceId: 'G1', currency: 'GBP', outstanding: 0, at: '2026-11-20T01:00:00Z' }));
    expect(sim.evaluate('2026-11-20T01:00:00Z').actions).toEqual([]); // EUR still suspends
    sim.receive(invoiceEvent('paid', { invoiceId: 'E1', currency: 'EUR', outstanding: 0, at: '2026-11-20T02:00:00Z' }));
    expect(sim.evaluate('2026-11-20T02:00:00Z').actions.map((a) => a.kind)).toEqual(['activate']); // 3.00 left < 5.00
  });

  it('a disputed invoice does not count unless the policy counts disputes', () => {
    const events = [
      invoiceEvent('overdue', { outstanding: 120, at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('disputed', { outstanding: 120, at: '2026-11-03T00:00:00Z' }),
    ];
    const plain = new LadderSim();
    const counting = new LadderSim(undefined, [standardPolicy({ countDisputed: true })]);
    plain.receive(...events);
    counting.receive(...events);
    expect(plain.evaluate('2026-11-05T00:00:00Z').actions).toEqual([]);
    expect(counting.evaluate('2026-11-05T00:00:00Z').actions.map((a) => a.kind)).toEqual(['email']);
    plain.receive(invoiceEvent('dispute_resolved', { outstanding: 120, at: '2026-11-06T00:00:00Z' }));
    expect(plain.evaluate('2026-11-06T01:00:00Z').actions.map((a) => a.kind)).toEqual(['email']);
  });

  it('voided and written-off invoices do not count while that is their latest event; a later event reopens them', () => {
    const sim = new LadderSim();
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'A', outstanding: 50, at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('voided', { invoiceId: 'A', outstanding: 50, at: '2026-11-03T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'B', outstanding: 50, at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('written_off', { invoiceId: 'B', outstanding: 50, at: '2026-11-03T00:00:00Z' }),
    );
    expect(sim.evaluate('2026-11-20T00:00:00Z').episodes).toEqual([]);
    // Issue 13 (was: "never count, even when a later event arrives"): the latest event wins for voids and write-offs too.
    sim.receive(invoiceEvent('payment', { invoiceId: 'B', outstanding: 40, at: '2026-11-04T00:00:00Z' }));
    const r = sim.evaluate('2026-11-20T00:00:00Z');
    expect(r.episodes).toEqual([expect.objectContaining({ anchorInvoiceId: 'B', closedAt: null })]);
    expect(r.currencies[0]!.overdueMicros).toBe(40 * M);
  });

  it('re-anchors on the next oldest invoice when the oldest is paid: the stages re-arm and count from the new anchor', () => {
    const sim = new LadderSim();
    sim.receive(
      invoiceEvent('overdue', { invoiceId: 'OLD', outstanding: 100, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('overdue', { invoiceId: 'NEW', outstanding: 100, dueAt: '2026-11-06', at: '2026-11-07T00:00:00Z' }),
    );
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-08T00:00:00Z', 3_600_000);
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-04T00:00:00.000Z']);
    sim.receive(invoiceEvent('paid', { invoiceId: 'OLD', outstanding: 0, dueAt: '2026-11-01', at: '2026-11-08T09:00:00Z' }));
    sim.sweep('2026-11-08T09:00:00Z', '2026-11-25T00:00:00Z', 3_600_000);
    expect(sim.episodes).toHaveLength(1);
    expect(sim.episodes[0]!.anchorDueAt).toBe('2026-11-06');
    // Issue 13 (was: no second reminder): the reminder re-arms for NEW (its day 3, 9 Nov), then the final notice at
    // NEW's day 10 (16 Nov), not OLD's (11 Nov), and the suspension at NEW's day 14.
    expect(sim.summary()).toEqual([
      'email:payment-reminder@2026-11-04T00:00:00.000Z',
      'email:payment-reminder@2026-11-09T00:00:00.000Z',
      'email:final-notice@2026-11-16T00:00:00.000Z',
      'suspend:14d@2026-11-20T00:00:00.000Z',
    ]);
  });

  it('a billing system that publishes only overdue and payment events is fully served', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 30, dueAt: null, at: '2026-11-10T08:00:00Z' }));
    sim.sweep('2026-11-10T08:00:00Z', '2026-11-13T08:00:00Z', 3_600_000);
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-13T00:00:00.000Z']); // anchored on the mark's date
    sim.receive(invoiceEvent('payment', { outstanding: 0, dueAt: null, at: '2026-11-13T09:00:00Z' }));
    sim.evaluate('2026-11-13T09:00:00Z');
    expect(sim.episodes[0]!.closedAt).not.toBeNull();
  });
});

describe('holds and overrides', () => {
  it('lifts only the dunning hold on payment: a fraud hold stays', () => {
    const sim = new LadderSim();
    sim.holds.push({ reason: 'fraud', source: 'rule:irsf-destinations' });
    sim.receive(invoiceEvent('overdue', { outstanding: 100, at: '2026-11-02T00:00:00Z' }));
    sim.evaluate('2026-11-16T00:00:00Z');
    sim.receive(invoiceEvent('paid', { outstanding: 0, at: '2026-11-16T10:00:00Z' }));
    const r = sim.evaluate('2026-11-16T10:00:00Z');
    expect(r.actions).toEqual([expect.objectContaining({ kind: 'activate', source: 'dunning:standard' })]);
    expect(sim.holds).toEqual([{ reason: 'fraud', source: 'rule:irsf-destinations' }]);
  });

  it('without reactivateOnPayment the episode closes but the hold stays', () => {
    const sim = new LadderSim(undefined, [standardPolicy({ reactivateOnPayment: false })]);
    sim.receive(invoiceEvent('overdue', { outstanding: 100, at: '2026-11-02T00:00:00Z' }));
    sim.evaluate('2026-11-16T00:00:00Z');
    sim.receive(invoiceEvent('paid', { outstanding: 0, at: '2026-11-16T10:00:00Z' }));
    expect(sim.evaluate('2026-11-16T10:00:00Z').actions).toEqual([]);
    expect(sim.holds).toHaveLength(1);
    expect(sim.episodes[0]!.closedAt).not.toBeNull();
  });

  it('an exemption pauses the ladder; the due stage fires once it expires', () => {
    const sim = new LadderSim();
    sim.exemptions.push({ reason: 'non_payment', rules: null, until: Date.parse('2026-11-08T00:00:00Z') });
    sim.receive(invoiceEvent('overdue', { outstanding: 100, at: '2026-11-02T00:00:00Z' }));
    sim.sweep('2026-11-02T00:00:00Z', '2026-11-09T00:00:00Z', 3_600_000);
    expect(sim.summary()).toEqual(['email:payment-reminder@2026-11-08T00:00:00.000Z']);
  });

  it('a fraud-only exemption does not pause the ladder', () => {
    const sim = new LadderSim();
    sim.exemptions.push({ reason: 'fraud', rules: null, until: Date.parse('2026-12-01T00:00:00Z') });
    sim.receive(invoiceEvent('overdue', { outstanding: 100, at: '2026-11-02T00:00:00Z' }));
    expect(sim.evaluate('2026-11-05T00:00:00Z').actions.map((a) => a.kind)).toEqual(['email']);
  });

  it('an operator who lifted the dunning hold with exemptFor is not overruled until the exemption expires', () => {
    const sim = new LadderSim();
    sim.receive(invoiceEvent('overdue', { outstanding: 100, at: '2026-11-02T00:00:00Z' }));
    sim.evaluate('2026-11-16T00:00:00Z');
    expect(sim.holds).toHaveLength(1);
    // The operator lifts it with exemptFor 7d: the domain removes the hold and records a non_payment exemption.
    sim.holds = [];
    sim.exemptions.push({ reason: 'non_payment', rules: null, until: Date.parse('2026-11-23T10:00:00Z') });
    sim.sweep('2026-11-16T10:00:00Z', '2026-11-23T09:45:00Z');
    expect(sim.holds).toEqual([]);
    sim.evaluate('2026-11-23T10:00:00Z');
    expect(sim.holds).toEqual([{ reason: 'non_payment', source: 'dunning:standard' }]);
    expect(sim.summary().at(-1)).toBe('suspend:14d@2026-11-23T10:00:00.000Z');
  });
});
