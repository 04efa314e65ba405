// The embedded store (PGlite, used by replay and single-process runs) runs the same dunning SQL: ledger, scan,
// evaluation, lease and sweep.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../../src/store/pglite-database.js';
import { migrate } from '../../../src/store/migrate.js';
import { createSweeper } from '../../../src/dunning/sweep.js';
import { sweepTimesBetween } from '../../../src/dunning/cron-times.js';
import { ingestInvoices, invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('dunning on PGlite', () => {
  it('walks the ladder by replayed sweep times and reactivates on payment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'suspensiond-dunning-pglite-'));
    dirs.push(dir);
    const db = await createPgliteDatabase(dir);
    try {
      await migrate(db);
      const policies = [standardPolicy()];
      await seedCustomers(db, 'pgl-r', ['pgl-1']);
      await ingestInvoices(db, [invoiceEvent('overdue', { accountId: 'pgl-1', outstanding: 40, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' })], Date.parse('2026-11-02T00:00:00Z'), policies);
      const sweeper = createSweeper({ db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 'replay' });
      for (const t of sweepTimesBetween('0 0 * * *', Date.parse('2026-11-02T00:00:00Z'), Date.parse('2026-11-16T00:00:00Z'))) await sweeper.sweepOnce(t);
      const templates = async () => (await db.query<{ t: string }>(`SELECT payload->>'template' AS t FROM outbox WHERE kind = 'email' AND account_id = 'pgl-1' ORDER BY id`)).rows.map((r) => r.t);
      expect(await templates()).toEqual(['payment-reminder', 'final-notice', 'suspension-non_payment']);
      await ingestInvoices(db, [invoiceEvent('paid', { accountId: 'pgl-1', outstanding: 0, at: '2026-11-16T08:00:00Z' })], Date.parse('2026-11-16T08:00:00Z'), policies);
      expect(await templates()).toEqual(['payment-reminder', 'final-notice', 'suspension-non_payment', 'activation']);
    } finally {
      await db.close();
    }
  });
});
