// Issue 13 on real PostgreSQL: the ledger upsert reopens a voided or written-off invoice like the pure fold does (with
// an audit note), paying the invoice that caused the block lifts it through ingest, and an account tagged out of its
// policy leaves its episode and its dunning hold at the next sweep while a fraud hold stays.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { ManualClock } from '../../../src/clock.js';
import { createDunningScheduler } from '../../../src/dunning/scheduler.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import { foldInvoiceEvents } from '../../../src/rules/dunning/ledger.js';
import { withTransition } from '../../../src/store/transitions.js';
import { ingestInvoices, invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics } from './fixtures.js';

const fresh = databaseForFile();

const audit = async (accountId: string, kind: string) =>
  (await fresh.db.query<{ note: string | null; evidence: Record<string, unknown> | null }>('SELECT note, evidence FROM audit WHERE account_id = $1 AND kind = $2 ORDER BY id', [accountId, kind])).rows;
const holds = async (accountId: string) =>
  (await fresh.db.query<{ source: string }>('SELECT source FROM holds WHERE account_id = $1 ORDER BY source', [accountId])).rows.map((r) => r.source);

describe('the latest event wins for voids and write-offs in the stored ledger', () => {
  it('a write-off followed by a later payment reopens the invoice, as the pure fold does, with a dunning note', async () => {
    await seedCustomers(fresh.db, 'bt-r1', ['bt-wo']);
    const evs = [
      invoiceEvent('overdue', { accountId: 'bt-wo', invoiceId: 'W1', outstanding: 80, at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('written_off', { accountId: 'bt-wo', invoiceId: 'W1', outstanding: 80, at: '2026-11-03T00:00:00Z' }),
      invoiceEvent('payment', { accountId: 'bt-wo', invoiceId: 'W1', outstanding: 30, at: '2026-11-04T00:00:00Z' }),
    ];
    await fresh.db.transaction((tx) => recordInvoiceEvents(tx, evs.slice(0, 2)));
    expect((await fresh.db.query(`SELECT 1 FROM invoices WHERE account_id = 'bt-wo' AND closed_at IS NOT NULL`)).rowCount).toBe(1);
    await fresh.db.transaction((tx) => recordInvoiceEvents(tx, evs.slice(2)));
    const row = (await fresh.db.query<{ closed_at: Date | null; outstanding_micros: string }>(`SELECT closed_at, outstanding_micros FROM invoices WHERE account_id = 'bt-wo'`)).rows[0]!;
    const pure = [...foldInvoiceEvents(evs).values()][0]!;
    expect({ closedAt: row.closed_at, outstandingMicros: Number(row.outstanding_micros) }).toEqual({ closedAt: pure.closedAt, outstandingMicros: pure.outstandingMicros });
    expect(pure.closedAt).toBeNull();
    expect((await audit('bt-wo', 'dunning_note')).map((r) => r.evidence)).toEqual([
      expect.objectContaining({ note: 'invoice_reopened', invoiceId: 'W1', type: 'payment', outstanding: '30.00', wasClosedBy: 'written_off' }),
    ]);
  });
});

describe('paying the invoice that caused the block, through ingest', () => {
  it('lifts the dunning hold at once with below_suspend_stage, and says why in the audit trail', async () => {
    await seedCustomers(fresh.db, 'bt-r2', ['bt-pay']);
    const policies = [standardPolicy()];
    await ingestInvoices(fresh.db, [
      invoiceEvent('overdue', { accountId: 'bt-pay', invoiceId: 'OLD', outstanding: 100, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }),
      invoiceEvent('overdue', { accountId: 'bt-pay', invoiceId: 'NEW', outstanding: 100, dueAt: '2026-11-10', at: '2026-11-11T00:00:00Z' }),
    ], Date.parse('2026-11-16T00:00:00Z'), policies);
    expect(await holds('bt-pay')).toEqual(['dunning:standard']);
    const paid = await ingestInvoices(fresh.db, [invoiceEvent('paid', { accountId: 'bt-pay', invoiceId: 'OLD', outstanding: 0, dueAt: '2026-11-01', at: '2026-11-16T09:00:00Z' })], Date.parse('2026-11-16T09:00:00Z'), policies);
    expect(paid.summary).toMatchObject({ activated: 1, emails: 1 });
    expect(await holds('bt-pay')).toEqual([]);
    expect((await audit('bt-pay', 'hold_lifted'))[0]!.note).toMatch(/below_suspend_stage/);
    const reminder = await fresh.db.query<{ data: { invoiceId: string; invoiceList: string } }>(
      `SELECT payload->'data' AS data FROM outbox WHERE account_id = 'bt-pay' AND payload->>'template' = 'payment-reminder' ORDER BY id DESC LIMIT 1`,
    );
    expect(reminder.rows[0]!.data).toMatchObject({ invoiceId: 'NEW', invoiceList: 'NEW 100.00 GBP due 2026-11-10' });
  });
});

describe('leaving a policy', () => {
  it('an account tagged out of appliesTo leaves its episode and its dunning hold at the next sweep; a fraud hold stays', async () => {
    await seedCustomers(fresh.db, 'bt-r3', ['bt-tag']);
    const policies = [standardPolicy({ appliesTo: { accountTypes: ['customer'], tags: { none: ['enforcement-off'] } } })];
    await withTransition(fresh.db, {
      kind: 'suspend', accountId: 'bt-tag', actor: { kind: 'system', source: 'rule:irsf-destinations' }, reason: 'fraud', source: 'rule:irsf-destinations',
    }, { now: '2026-11-10T00:00:00Z' });
    await ingestInvoices(fresh.db, [invoiceEvent('overdue', { accountId: 'bt-tag', outstanding: 90, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })], Date.parse('2026-11-16T00:00:00Z'), policies);
    expect(await holds('bt-tag')).toEqual(['dunning:standard', 'rule:irsf-destinations']);
    await fresh.db.query(`UPDATE accounts SET tags = ARRAY['enforcement-off'] WHERE id = 'bt-tag'`);
    const clock = new ManualClock(new Date('2026-11-16T10:00:00Z'));
    const scheduler = createDunningScheduler({ db: fresh.db, clock, logger: quietLogger, metrics: testMetrics(), schedule: '*/15 * * * *', getPolicies: () => policies, defaultTimezone: 'UTC', holder: 'bt' });
    expect(await scheduler.sweepOnce()).toMatchObject({ activated: 1, batchesFailed: 0 }); // bt-tag's lift (the other tests' accounts may have stages due too)
    expect(await holds('bt-tag')).toEqual(['rule:irsf-destinations']);
    expect((await audit('bt-tag', 'dunning_note')).map((r) => r.evidence?.note)).toEqual(['left_policy']);
    expect((await audit('bt-tag', 'hold_lifted'))[0]!.note).toMatch(/no longer matches the dunning policy/);
    const open = await fresh.db.query(`SELECT 1 FROM dunning_episodes WHERE account_id = 'bt-tag' AND closed_at IS NULL`);
    expect(open.rowCount).toBe(0);
    // Untagged: the next sweep opens a new episode and, 15 days past due, suspends again at once.
    await fresh.db.query(`UPDATE accounts SET tags = '{}' WHERE id = 'bt-tag'`);
    clock.set(new Date('2026-11-16T10:15:00Z'));
    expect(await scheduler.sweepOnce()).toMatchObject({ suspended: 1 });
    expect(await holds('bt-tag')).toEqual(['dunning:standard', 'rule:irsf-destinations']);
    await scheduler.stop();
  });
});
