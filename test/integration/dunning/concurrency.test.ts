// One sweep at a time, and each stage's effects exactly once, when sweepers race: two pools in one process, two
// separate processes, and evaluations that bypass the lease (an invoice event racing the sweep).
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { databaseForFile } from '../../helpers/db.js';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { createSweeper } from '../../../src/dunning/sweep.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import type { Database } from '../../../src/store/db.js';
import { invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics } from './fixtures.js';

const run = promisify(execFile);
const policies = [standardPolicy()];
const fresh = databaseForFile();

/** `n` customers with one overdue invoice each, due `daysAgo(i)` days before 2026-11-20. */
async function seed(prefix: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  await seedCustomers(fresh.db, `${prefix}-r`, ids);
  const events = ids.map((id, i) => {
    const due = new Date(Date.parse('2026-11-20T00:00:00Z') - (2 + (i % 15)) * 86_400_000).toISOString().slice(0, 10);
    return invoiceEvent('overdue', { accountId: id, outstanding: 100, dueAt: due, at: '2026-11-01T00:00:00Z' });
  });
  await fresh.db.transaction((tx) => recordInvoiceEvents(tx, events));
  return ids;
}

async function assertExactlyOnce(prefix: string, expected: { stages: number; suspended: number }): Promise<void> {
  const q = async (sql: string) => Number((await fresh.db.query<{ n: number }>(sql, [`${prefix}-%`])).rows[0]!.n);
  expect(await q(`SELECT count(*) AS n FROM dunning_stages WHERE account_id LIKE $1`)).toBe(expected.stages);
  expect(await q(`SELECT count(*) AS n FROM audit WHERE kind = 'dunning_stage' AND account_id LIKE $1`)).toBe(expected.stages);
  expect(await q(`SELECT count(*) - count(DISTINCT (account_id, evidence->>'stage')) AS n FROM audit WHERE kind = 'dunning_stage' AND account_id LIKE $1`)).toBe(0);
  expect(await q(`SELECT count(*) AS n FROM holds WHERE reason = 'non_payment' AND account_id LIKE $1`)).toBe(expected.suspended);
  expect(await q(`SELECT count(*) AS n FROM audit WHERE kind = 'hold_placed' AND account_id LIKE $1`)).toBe(expected.suspended);
  expect(await q(`SELECT count(*) AS n FROM outbox WHERE payload->>'template' = 'suspension-non_payment' AND account_id LIKE $1`)).toBe(expected.suspended);
  expect(await q(`SELECT count(*) - count(DISTINCT account_id) AS n FROM dunning_episodes WHERE account_id LIKE $1`)).toBe(0);
}

// Days past due 2..16 at 2026-11-20 (UTC accounts in London, winter: same date): stages 3d, 10d, 14d.
function expectedFor(n: number) {
  let stages = 0;
  let suspended = 0;
  for (let i = 0; i < n; i++) {
    const d = 2 + (i % 15);
    stages += (d >= 3 ? 1 : 0) + (d >= 10 ? 1 : 0) + (d >= 14 ? 1 : 0);
    suspended += d >= 14 ? 1 : 0;
  }
  return { stages, suspended };
}

describe('concurrent sweepers', () => {
  it('two sweepers on two pools at the same moment: one sweeps, the other skips, effects once', async () => {
    await seed('two', 45);
    const pools: Database[] = [createPgDatabase(fresh.url, { max: 3 }), createPgDatabase(fresh.url, { max: 3 })];
    try {
      const sweepers = pools.map((db, i) => createSweeper({ db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: `pool-${i}` }));
      const now = Date.parse('2026-11-20T12:00:00Z');
      const reports = await Promise.all(sweepers.map((s) => s.sweepOnce(now)));
      expect(reports.filter((r) => r.ran)).toHaveLength(1);
      await assertExactlyOnce('two', expectedFor(45));
      // Both again, later: nothing new fires.
      await Promise.all(sweepers.map((s) => s.sweepOnce(now + 3_600_000)));
      await assertExactlyOnce('two', expectedFor(45));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('evaluations that bypass the lease (an invoice event racing the sweep) still fire each stage once', async () => {
    await seed('race', 45);
    const pools: Database[] = [createPgDatabase(fresh.url, { max: 3 }), createPgDatabase(fresh.url, { max: 3 })];
    try {
      const now = Date.parse('2026-11-20T12:00:00Z');
      const { evaluateAccounts } = await import('../../../src/dunning/evaluate.js');
      const ids = Array.from({ length: 45 }, (_, i) => `race-${String(i).padStart(3, '0')}`);
      await Promise.all([
        pools[0]!.transaction((tx) => evaluateAccounts(tx, ids, now, policies)),
        pools[1]!.transaction((tx) => evaluateAccounts(tx, [...ids].reverse(), now, policies)),
        createSweeper({ db: pools[1]!, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 'x' }).sweepOnce(now),
      ]);
      await assertExactlyOnce('race', expectedFor(45));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
    }
  });

  it('two daemon processes sweep at the same moment against one PostgreSQL: each stage once', async () => {
    await seed('proc', 45);
    const child = fileURLToPath(new URL('./sweep-child.ts', import.meta.url));
    const now = Date.parse('2026-11-20T12:00:00Z');
    const startAt = Date.now() + 2500;
    const spawn = (holder: string, bypass: string) =>
      run(process.execPath, ['--import', 'tsx', child, fresh.url, holder, String(now), String(startAt), bypass], { timeout: 60_000 });
    const out = await Promise.all([spawn('proc-a', '0'), spawn('proc-b', '0')]);
    const reports = out.map((o) => JSON.parse(o.stdout.trim()) as { ran: boolean });
    expect(reports.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
    await assertExactlyOnce('proc', expectedFor(45));
    // And two processes that skip the lease entirely, racing on the same accounts: still once.
    await Promise.all([spawn('proc-c', '1'), spawn('proc-d', '1')]);
    await assertExactlyOnce('proc', expectedFor(45));
  });
});
