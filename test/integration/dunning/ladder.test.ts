// The dunning service on real PostgreSQL: the ledger upsert, the whole ladder under a ManualClock with every step in
// the audit and the outbox, and holds keeping their reasons.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { ManualClock } from '../../../src/clock.js';
import { createDunningScheduler } from '../../../src/dunning/scheduler.js';
import { sweepTimesBetween } from '../../../src/dunning/cron-times.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import { foldInvoiceEvents } from '../../../src/rules/dunning/ledger.js';
import { withTransition } from '../../../src/store/transitions.js';
import { ingestInvoices, invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics, M } from './fixtures.js';

const fresh = databaseForFile();

const policies = [standardPolicy()];

async function emails(accountId: string): Promise<{ template: string; created: string; dedupe: string }[]> {
  const res = await fresh.db.query<{ template: string; created_at: Date; dedupe_key: string }>(
    `SELECT payload->>'template' AS template, created_at, dedupe_key FROM outbox WHERE account_id = $1 AND kind = 'email' ORDER BY id`,
    [accountId],
  );
  return res.rows.map((r) => ({ template: r.template, created: new Date(r.created_at).toISOString(), dedupe: r.dedupe_key }));
}

async function auditKinds(accountId: string): Promise<string[]> {
  const res = await fresh.db.query<{ kind: string; actor: string; at: Date; evidence: Record<string, unknown> | null; reason: string | null }>(
    'SELECT kind, actor, at, evidence, reason FROM audit WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return res.rows.map((r) => `${r.kind}:${r.kind === 'dunning_stage' ? String(r.evidence?.stage) : (r.reason ?? '')}@${new Date(r.at).toISOString().slice(0, 10)}`);
}

describe('the invoice ledger in PostgreSQL', () => {
  it('reports duplicates and folds out-of-order batches to the same snapshot as the pure ledger', async () => {
    await seedCustomers(fresh.db, 'led-r', ['led-1']);
    const evs = [
      invoiceEvent('overdue', { accountId: 'led-1', outstanding: 120, at: '2026-11-02T00:00:00Z', id: 'led-e1' }),
      invoiceEvent('payment', { accountId: 'led-1', outstanding: 70, at: '2026-11-04T00:00:00Z', id: 'led-e2', dueAt: null }),
      invoiceEvent('disputed', { accountId: 'led-1', outstanding: 70, at: '2026-11-05T00:00:00Z', id: 'led-e3', dueAt: '2026-11-03' }),
      invoiceEvent('dispute_resolved', { accountId: 'led-1', outstanding: 70, at: '2026-11-06T00:00:00Z', id: 'led-e4' }),
      invoiceEvent('payment', { accountId: 'led-1', outstanding: 20, at: '2026-11-07T00:00:00Z', id: 'led-e5', dueAt: null }),
    ];
    const first = await fresh.db.transaction((tx) => recordInvoiceEvents(tx, [evs[4]!, evs[1]!, evs[4]!]));
    expect(first.map((o) => o.outcome)).toEqual(['accepted', 'accepted', 'duplicate']);
    const second = await fresh.db.transaction((tx) => recordInvoiceEvents(tx, [evs[2]!, evs[0]!, evs[1]!, evs[3]!]));
    expect(second.map((o) => o.outcome)).toEqual(['accepted', 'accepted', 'duplicate', 'accepted']);

    const expected = [...foldInvoiceEvents(evs).values()][0]!;
    const row = (await fresh.db.query<Record<string, unknown>>(
      `SELECT outstanding_micros, due_at::text AS due_at, last_type, last_event_id, overdue_marked_at, disputed_at, dispute_resolved_at, closed_at
         FROM invoices WHERE account_id = 'led-1'`,
    )).rows[0]!;
    const ms = (v: unknown) => (v === null ? null : new Date(v as Date).getTime());
    expect({
      outstandingMicros: Number(row.outstanding_micros), dueAt: row.due_at, lastType: row.last_type, lastEventId: row.last_event_id,
      overdueMarkedAt: ms(row.overdue_marked_at), disputedAt: ms(row.disputed_at), disputeResolvedAt: ms(row.dispute_resolved_at), closedAt: ms(row.closed_at),
    }).toEqual({
      outstandingMicros: expected.outstandingMicros, dueAt: expected.dueAt, lastType: expected.lastType, lastEventId: expected.lastEventId,
      overdueMarkedAt: expected.overdueMarkedAt, disputedAt: expected.disputedAt, disputeResolvedAt: expected.disputeResolvedAt, closedAt: null,
    });
    // The latest event carrying a due date (e4, 6 Nov) set it, though e3 carried a later date.
    expect(row).toMatchObject({ outstanding_micros: 20 * M, due_at: '2026-11-01', last_type: 'payment' });
  });
});

describe('the whole ladder on PostgreSQL with a ManualClock', () => {
  it('reminds at day 3, gives final notice at day 10, suspends at day 14 and reactivates on payment, each step emailed and audited', async () => {
    await seedCustomers(fresh.db, 'lad-r', ['lad-1']);
    const clock = new ManualClock(new Date('2026-10-21T09:00:00Z'));
    const scheduler = createDunningScheduler({
      db: fresh.db, clock, logger: quietLogger, metrics: testMetrics(), schedule: '0 * * * *', getPolicies: () => policies,
      defaultTimezone: 'UTC', holder: 'test-a',
    });
    // Due 20 October; London leaves summer time on 25 October; the ladder crosses the month end.
    await ingestInvoices(fresh.db, [invoiceEvent('overdue', { accountId: 'lad-1', outstanding: 120, dueAt: '2026-10-20', at: '2026-10-21T09:00:00Z' })], clock.now().getTime(), policies);
    for (const t of sweepTimesBetween('0 * * * *', Date.parse('2026-10-21T09:00:00Z'), Date.parse('2026-11-05T09:00:00Z'))) {
      clock.set(new Date(t));
      await scheduler.sweepOnce();
    }
    expect((await emails('lad-1')).map((e) => e.template)).toEqual(['payment-reminder', 'final-notice', 'suspension-non_payment']);
    const hold = await fresh.db.query<{ reason: string; source: string }>('SELECT reason, source FROM holds WHERE account_id = $1', ['lad-1']);
    expect(hold.rows).toEqual([{ reason: 'non_payment', source: 'dunning:standard' }]);

    clock.set(new Date('2026-11-05T10:00:00Z'));
    await ingestInvoices(fresh.db, [invoiceEvent('paid', { accountId: 'lad-1', outstanding: 0, dueAt: '2026-10-20', at: '2026-11-05T10:00:00Z' })], clock.now().getTime(), policies);
    expect((await fresh.db.query('SELECT 1 FROM holds WHERE account_id = $1', ['lad-1'])).rowCount).toBe(0);
    const sent = await emails('lad-1');
    expect(sent.map((e) => e.template)).toEqual(['payment-reminder', 'final-notice', 'suspension-non_payment', 'activation']);
    expect(sent[0]!.dedupe).toMatch(/^dunning:lad-1:GBP-\d+:3d@INV-1$/); // issue 13: one per stage and anchor invoice

    const kinds = await auditKinds('lad-1');
    expect(kinds.filter((k) => k.startsWith('dunning_stage'))).toEqual([
      'dunning_stage:3d@2026-10-22', // local midnight of 23 Oct (BST) is 22 Oct 23:00 UTC
      'dunning_stage:10d@2026-10-30',
      'dunning_stage:14d@2026-11-03',
    ]);
    expect(kinds).toContain('hold_placed:non_payment@2026-11-03');
    expect(kinds.some((k) => k.startsWith('hold_lifted:non_payment@2026-11-05'))).toBe(true);
    const episode = await fresh.db.query<{ closed_at: Date | null; fired_stages: string[] }>('SELECT closed_at, fired_stages FROM dunning_episodes WHERE account_id = $1', ['lad-1']);
    expect(episode.rows).toEqual([{ closed_at: new Date('2026-11-05T10:00:00Z'), fired_stages: ['3d', '10d', '14d'] }]);
    await scheduler.stop();
  });

  it('an account held for fraud and non-payment stays suspended after paying: only the non_payment hold goes', async () => {
    await seedCustomers(fresh.db, 'both-r', ['both-1']);
    await withTransition(fresh.db, {
      kind: 'suspend', accountId: 'both-1', actor: { kind: 'system', source: 'rule:irsf-destinations' }, reason: 'fraud', source: 'rule:irsf-destinations',
    }, { now: '2026-11-10T00:00:00Z' });
    await ingestInvoices(fresh.db, [invoiceEvent('overdue', { accountId: 'both-1', outstanding: 300, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })], Date.parse('2026-11-16T00:00:00Z'), policies);
    const holds = async () => (await fresh.db.query<{ reason: string; source: string }>('SELECT reason, source FROM holds WHERE account_id = $1 ORDER BY reason', ['both-1'])).rows;
    expect(await holds()).toEqual([{ reason: 'fraud', source: 'rule:irsf-destinations' }, { reason: 'non_payment', source: 'dunning:standard' }]);
    await ingestInvoices(fresh.db, [invoiceEvent('paid', { accountId: 'both-1', outstanding: 0, at: '2026-11-17T00:00:00Z' })], Date.parse('2026-11-17T00:00:00Z'), policies);
    expect(await holds()).toEqual([{ reason: 'fraud', source: 'rule:irsf-destinations' }]);
    const status = await fresh.db.query<{ status: { status: string } }>('SELECT status FROM account_status WHERE account_id = $1', ['both-1']);
    expect(status.rows[0]!.status.status).toBe('suspended');
    expect((await emails('both-1')).map((e) => e.template)).not.toContain('activation');
  });

  it('a repeated invoice event re-evaluates without a second email or hold', async () => {
    await seedCustomers(fresh.db, 'dup-r', ['dup-1']);
    const e = invoiceEvent('overdue', { accountId: 'dup-1', outstanding: 50, at: '2026-11-02T00:00:00Z' });
    const a = await ingestInvoices(fresh.db, [e], Date.parse('2026-11-05T00:00:00Z'), policies);
    const b = await ingestInvoices(fresh.db, [e], Date.parse('2026-11-05T00:05:00Z'), policies);
    expect(a.outcomes[0]!.outcome).toBe('accepted');
    expect(b.outcomes[0]!.outcome).toBe('duplicate');
    expect((await emails('dup-1')).map((x) => x.template)).toEqual(['payment-reminder']);
  });
});

describe('overrides and dry runs on PostgreSQL', () => {
  it('an operator who lifts the dunning hold with exemptFor is not overruled until the exemption expires', async () => {
    await seedCustomers(fresh.db, 'ex-r', ['ex-1']);
    await ingestInvoices(fresh.db, [invoiceEvent('overdue', { accountId: 'ex-1', outstanding: 90, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })], Date.parse('2026-11-16T00:00:00Z'), policies);
    const holds = async () => (await fresh.db.query<{ source: string }>('SELECT source FROM holds WHERE account_id = $1', ['ex-1'])).rows;
    expect(await holds()).toEqual([{ source: 'dunning:standard' }]);
    await withTransition(fresh.db, {
      kind: 'activate', accountId: 'ex-1', actor: { kind: 'person', id: 'ops-1', role: 'operator', accountId: null }, exemptForMs: 7 * 86_400_000,
    }, { now: '2026-11-16T10:00:00Z' });
    expect(await holds()).toEqual([]);
    const clock = new ManualClock(new Date('2026-11-16T10:00:00Z'));
    const scheduler = createDunningScheduler({ db: fresh.db, clock, logger: quietLogger, metrics: testMetrics(), schedule: '0 */6 * * *', getPolicies: () => policies, holder: 'ex' });
    for (const t of sweepTimesBetween('0 */6 * * *', Date.parse('2026-11-16T10:00:00Z'), Date.parse('2026-11-23T06:00:00Z'))) {
      clock.set(new Date(t));
      await scheduler.sweepOnce();
    }
    expect(await holds()).toEqual([]);
    clock.set(new Date('2026-11-23T12:00:00Z'));
    await scheduler.sweepOnce();
    expect(await holds()).toEqual([{ source: 'dunning:standard' }]);
    expect((await emails('ex-1')).map((e) => e.template)).toEqual(['suspension-non_payment', 'activation', 'suspension-non_payment']);
  });

  it('with ENFORCE=false the ladder is recorded and audited as monitor only: no stage email, no hold', async () => {
    await seedCustomers(fresh.db, 'mon-r', ['mon-1']);
    await fresh.db.transaction(async (tx) => {
      await recordInvoiceEvents(tx, [invoiceEvent('overdue', { accountId: 'mon-1', outstanding: 90, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })]);
      const { evaluateAccounts } = await import('../../../src/dunning/evaluate.js');
      await evaluateAccounts(tx, ['mon-1'], Date.parse('2026-11-16T00:00:00Z'), policies, { enforce: false });
    });
    expect(await emails('mon-1')).toEqual([]);
    expect((await fresh.db.query('SELECT 1 FROM holds WHERE account_id = $1', ['mon-1'])).rowCount).toBe(0);
    const audit = await fresh.db.query<{ evidence: { mode?: string; stage: string } }>(`SELECT evidence FROM audit WHERE account_id = 'mon-1' AND kind = 'dunning_stage' ORDER BY id`);
    expect(audit.rows.map((r) => [r.evidence.stage, r.evidence.mode])).toEqual([['3d', 'monitor'], ['10d', 'monitor'], ['14d', 'monitor']]);
  });

  it('with ENFORCE=false a payment still lifts the dunning hold placed while enforcing, and reports it for the metrics', async () => {
    await seedCustomers(fresh.db, 'mlift-r', ['mlift-1']);
    const { evaluateAccounts } = await import('../../../src/dunning/evaluate.js');
    const placed = await fresh.db.transaction(async (tx) => {
      await recordInvoiceEvents(tx, [invoiceEvent('overdue', { accountId: 'mlift-1', outstanding: 90, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z', id: 'mlift-e1', invoiceId: 'mlift-inv' })]);
      return evaluateAccounts(tx, ['mlift-1'], Date.parse('2026-11-16T00:00:00Z'), policies);
    });
    expect(placed.decisions).toEqual(['suspend']);
    expect((await fresh.db.query(`SELECT 1 FROM holds WHERE account_id = 'mlift-1' AND reason = 'non_payment'`)).rowCount).toBe(1);

    const lifted = await fresh.db.transaction(async (tx) => {
      await recordInvoiceEvents(tx, [invoiceEvent('paid', { accountId: 'mlift-1', outstanding: 0, dueAt: '2026-11-01', at: '2026-11-17T00:00:00Z', id: 'mlift-e2', invoiceId: 'mlift-inv' })]);
      return evaluateAccounts(tx, ['mlift-1'], Date.parse('2026-11-17T00:00:00Z'), policies, { enforce: false });
    });
    expect(lifted.decisions).toEqual(['activate']);
    expect((await fresh.db.query(`SELECT 1 FROM holds WHERE account_id = 'mlift-1'`)).rowCount).toBe(0);
  });
});

describe('the scheduler', () => {
  it('start and stop are idempotent, and a second sweep while one runs is skipped', async () => {
    const clock = new ManualClock(new Date('2026-11-20T00:00:00Z'));
    const scheduler = createDunningScheduler({ db: fresh.db, clock, logger: quietLogger, metrics: testMetrics(), schedule: '*/15 * * * *', getPolicies: () => policies, holder: 'sch' });
    scheduler.start();
    scheduler.start();
    const [a, b] = await Promise.all([scheduler.sweepOnce(), scheduler.sweepOnce()]);
    expect(a?.ran).toBe(true);
    expect(b).toBeNull();
    expect(scheduler.running()).toBe(false);
    await scheduler.stop();
    await scheduler.stop();
    expect(() => createDunningScheduler({ db: fresh.db, clock, logger: quietLogger, metrics: testMetrics(), schedule: 'often', getPolicies: () => policies })).toThrow(/DUNNING_SCHEDULE/);
  });
});
