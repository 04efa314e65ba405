// Issue 11 item 3, "dunning never stops for one account", on real PostgreSQL: an account whose stored time zone
// neither the database nor Intl can use ("Mars/Olympus", written straight into accounts as main allowed before
// validation was tightened) is dunned in DEFAULT_TIMEZONE with one audit note, its invoice batches do not fail, and
// the next sweep still duns every other account. A sweep that does fail is counted and named on readiness.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { ManualClock } from '../../../src/clock.js';
import { createDunningScheduler } from '../../../src/dunning/scheduler.js';
import { ingestInvoices, invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics } from './fixtures.js';

const fresh = databaseForFile();

const policies = [standardPolicy()];

async function templates(accountId: string): Promise<string[]> {
  const res = await fresh.db.query<{ template: string }>(`SELECT payload->>'template' AS template FROM outbox WHERE account_id = $1 AND kind = 'email' ORDER BY id`, [accountId]);
  return res.rows.map((r) => r.template);
}

async function notes(accountId: string): Promise<{ note: string; evidence: Record<string, unknown> }[]> {
  const res = await fresh.db.query<{ note: string; evidence: Record<string, unknown> }>(
    `SELECT note, evidence FROM audit WHERE account_id = $1 AND kind = 'dunning_note' ORDER BY id`,
    [accountId],
  );
  return res.rows;
}

describe('an account whose time zone cannot be used', () => {
  it('an invoice batch for it is evaluated in DEFAULT_TIMEZONE with one audit note instead of failing', async () => {
    await seedCustomers(fresh.db, 'tz-r1', ['tz-mars']);
    await fresh.db.query(`UPDATE accounts SET timezone = 'Mars/Olympus' WHERE id = 'tz-mars'`);
    const evs = [invoiceEvent('overdue', { accountId: 'tz-mars', outstanding: 80, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })];
    const first = await ingestInvoices(fresh.db, evs, Date.parse('2026-11-04T00:30:00Z'), policies);
    expect(first.summary).toMatchObject({ evaluated: 1, stagesFired: 1, emails: 1 });
    // Counted in UTC (the default): 4 Nov 00:30 UTC is day 3. (In Pacific/Kiritimati it would have been the 4th already.)
    expect(await templates('tz-mars')).toEqual(['payment-reminder']);
    await ingestInvoices(fresh.db, [invoiceEvent('payment', { accountId: 'tz-mars', outstanding: 70, at: '2026-11-04T01:00:00Z' })], Date.parse('2026-11-04T01:00:00Z'), policies);
    const written = await notes('tz-mars');
    expect(written).toHaveLength(1);
    expect(written[0]!.evidence).toEqual({ note: 'timezone_fallback', timezone: 'Mars/Olympus', fallback: 'UTC' });
    expect(written[0]!.note).toContain('Mars/Olympus');
  });

  it('the next sweep duns every other account, and the bad one in DEFAULT_TIMEZONE', async () => {
    const others = ['tz-ok-1', 'tz-ok-2', 'tz-ok-3'];
    await seedCustomers(fresh.db, 'tz-r2', ['tz-bad', ...others]);
    await fresh.db.query(`UPDATE accounts SET timezone = 'Mars/Olympus' WHERE id = 'tz-bad'`);
    await fresh.db.query(`UPDATE accounts SET timezone = 'Asia/Tokyo' WHERE id = 'tz-ok-3'`);
    const at = '2026-11-10T00:00:00Z';
    await ingestInvoices(
      fresh.db,
      ['tz-bad', ...others].map((accountId) => invoiceEvent('overdue', { accountId, invoiceId: `INV-${accountId}`, outstanding: 60, dueAt: '2026-11-10', at })),
      Date.parse(at),
      policies,
    );
    const metrics = testMetrics();
    const clock = new ManualClock(new Date('2026-11-13T12:00:00Z'));
    const scheduler = createDunningScheduler({ db: fresh.db, clock, logger: quietLogger, metrics, schedule: '*/15 * * * *', getPolicies: () => policies, defaultTimezone: 'UTC', holder: 'tz-test' });
    const report = await scheduler.sweepOnce();
    // The five accounts with work: these four at day 3, and tz-mars (first test) at day 12 of its ladder.
    expect(report).toMatchObject({ ran: true, batchesFailed: 0, candidates: 5, stagesFired: 5, emails: 5 });
    for (const id of ['tz-bad', ...others]) expect(await templates(id)).toEqual(['payment-reminder']);
    expect(await templates('tz-mars')).toEqual(['payment-reminder', 'final-notice']);
    expect(scheduler.readiness()).toEqual({ ready: true, reasons: [] });
    expect(await metrics.render()).not.toMatch(/suspensiond_dunning_sweep_failures_total\{[^}]*\} [1-9]/);
    await scheduler.stop();
  });

  it('a sweep that fails is counted by part, named on readiness, and cleared by the next clean sweep', async () => {
    const metrics = testMetrics();
    const clock = new ManualClock(new Date('2026-11-14T00:00:00Z'));
    // A minimum no bigint can hold makes the scan itself fail (rule files cannot say that; the test can).
    let current = [standardPolicy({ minOverdueMicros: 1e30 })];
    const scheduler = createDunningScheduler({
      db: fresh.db, clock, logger: quietLogger, metrics, schedule: '*/15 * * * *', getPolicies: () => current, defaultTimezone: 'UTC', holder: 'tz-fail',
    });
    expect(await scheduler.sweepOnce()).toBeNull();
    const ready = scheduler.readiness();
    expect(ready.ready).toBe(false);
    expect(ready.reasons).toEqual([expect.stringMatching(/^dunning sweep at 2026-11-14T00:00:00.000Z failed \(nobody was dunned\): .*bigint/)]);
    expect(await metrics.render()).toMatch(/suspensiond_dunning_sweep_failures_total\{part="scan"\} 1/);
    current = policies;
    clock.set(new Date('2026-11-14T00:15:00Z'));
    expect((await scheduler.sweepOnce())?.ran).toBe(true);
    expect(scheduler.readiness()).toEqual({ ready: true, reasons: [] });
    await scheduler.stop();
  });
});
