// A batch's dunning suspensions go through executeTransitions together; when one account's transition fails with a
// database error that is not transient, the others are still suspended and only that account is reported failed.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { evaluateAccounts } from '../../../src/dunning/evaluate.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import { invoiceEvent, quietLogger, seedCustomers, standardPolicy } from './fixtures.js';

const fresh = databaseForFile();

const policies = [standardPolicy()];
const day15 = Date.parse('2026-11-16T12:00:00Z'); // 15 days past the 2026-11-01 due date: every stage is due

async function holdsOf(prefix: string): Promise<string[]> {
  const res = await fresh.db.query<{ account_id: string }>(
    `SELECT account_id FROM holds WHERE account_id LIKE $1 AND reason = 'non_payment' ORDER BY account_id`, [`${prefix}%`],
  );
  return res.rows.map((r) => r.account_id);
}

describe('dunning transitions in a batch', () => {
  it('suspends every overdue account of a batch once, and a later evaluation adds no hold or email', async () => {
    const ids = ['bt-1', 'bt-2', 'bt-3', 'bt-4'];
    await seedCustomers(fresh.db, 'bt-r', ids);
    const events = ids.map((accountId) => invoiceEvent('overdue', { accountId, outstanding: 40, at: '2026-11-02T00:00:00Z' }));
    const summary = await fresh.db.transaction(async (tx) => {
      await recordInvoiceEvents(tx, events);
      return evaluateAccounts(tx, ids, day15, policies);
    });
    expect(summary).toMatchObject({ evaluated: 4, suspended: 4, failed: 0 });
    expect(await holdsOf('bt-')).toEqual(ids);
    const again = await fresh.db.transaction((tx) => evaluateAccounts(tx, ids, day15 + 3_600_000, policies));
    expect(again).toMatchObject({ suspended: 0, failed: 0 });
    const emails = await fresh.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE kind = 'email' AND account_id LIKE 'bt-%' AND payload->>'template' LIKE 'suspension%'`,
    );
    expect(emails.rows[0]!.n).toBe(4);
  });

  it('one account whose hold insert fails does not stop the others: it alone is reported failed', async () => {
    const ids = ['bf-1', 'bf-2', 'bf-3'];
    await seedCustomers(fresh.db, 'bf-r', ids);
    await fresh.db.query(`
      CREATE FUNCTION refuse_bf2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.account_id = 'bf-2' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$`);
    await fresh.db.query(`CREATE TRIGGER refuse_bf2 BEFORE INSERT ON holds FOR EACH ROW EXECUTE FUNCTION refuse_bf2()`);
    try {
      const events = ids.map((accountId) => invoiceEvent('overdue', { accountId, outstanding: 40, at: '2026-11-02T00:00:00Z' }));
      const summary = await fresh.db.transaction(async (tx) => {
        await recordInvoiceEvents(tx, events);
        return evaluateAccounts(tx, ids, day15, policies, { logger: quietLogger });
      });
      expect(summary).toMatchObject({ evaluated: 3, suspended: 2, failed: 1 });
      expect(await holdsOf('bf-')).toEqual(['bf-1', 'bf-3']);
      const status = await fresh.db.query<{ account_id: string }>(`SELECT account_id FROM account_status WHERE account_id LIKE 'bf-%' ORDER BY 1`);
      expect(status.rows.map((r) => r.account_id)).toEqual(['bf-1', 'bf-3']);
    } finally {
      await fresh.db.query('DROP TRIGGER refuse_bf2 ON holds');
      await fresh.db.query('DROP FUNCTION refuse_bf2()');
    }
  });
});
