// Batches in flight (issue 17): on PostgreSQL the sweep runs two batches at once, each its own transaction. The
// effects must be exactly those of one batch after another: the same emails, holds, stages, episodes and audit rows,
// and the same report, day after day up the ladder. Two databases seeded alike, one swept serially.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import type { Database, Queryable } from '../../../src/store/db.js';
import { createSweeper, type SweepReport } from '../../../src/dunning/sweep.js';
import { ingestInvoices, invoiceEvent, quietLogger, seedCustomers, standardPolicy, testMetrics } from './fixtures.js';

let serial: FreshDatabase;
let parallel: FreshDatabase;
beforeAll(async () => {
  [serial, parallel] = await Promise.all([freshDatabase(), freshDatabase()]);
});
afterAll(async ({}, suite) => {
  await Promise.all([serial?.drop(suite), parallel?.drop(suite)]);
});

const policies = [standardPolicy()];
const ids = Array.from({ length: 30 }, (_, i) => `bat-${String(i).padStart(2, '0')}`);

async function seed(db: Database): Promise<void> {
  await seedCustomers(db, 'bat-r', ids);
  // Overdue by 0 to 29 days on 2026-11-10, so each day some accounts cross 3, 10 or 14 days; every fifth pays later.
  const events = ids.map((accountId, i) => invoiceEvent('overdue', { accountId, outstanding: 40, dueAt: new Date(Date.parse('2026-10-12T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10), at: '2026-11-09T00:00:00Z', id: `bat-e-${i}` }));
  await ingestInvoices(db, events, Date.parse('2026-11-09T00:00:00Z'), policies);
}

/** `db`, counting the transactions open at once. */
function counting(db: Database): { db: Database; maxOpen: () => number } {
  let open = 0;
  let max = 0;
  const wrapped = new Proxy(db, {
    get(target, prop, recv) {
      if (prop !== 'transaction') return Reflect.get(target, prop, recv);
      return async <T,>(fn: (tx: Queryable) => Promise<T>) => {
        open += 1;
        max = Math.max(max, open);
        try {
          return await target.transaction(fn);
        } finally {
          open -= 1;
        }
      };
    },
  });
  return { db: wrapped, maxOpen: () => max };
}

/** The rows each sweep leaves, random ids (holds, decisions: `h-<uuid>`) blanked. */
async function effects(db: Database) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return JSON.stringify({
    outbox: await q(`SELECT account_id, dedupe_key, payload->>'template' AS template FROM outbox ORDER BY account_id, dedupe_key`),
    holds: await q(`SELECT account_id, reason, source FROM holds ORDER BY account_id, source`),
    stages: await q(`SELECT account_id, episode_id, stage, invoice_id, evidence FROM dunning_stages ORDER BY account_id, episode_id, stage`),
    episodes: await q(`SELECT account_id, id, anchor_due_at::text, fired_stages, suspended, closed_at FROM dunning_episodes ORDER BY account_id, id`),
    audit: await q(`SELECT account_id, kind, actor, reason, evidence FROM audit ORDER BY account_id, id`),
  }, null, 1).replace(/[a-z]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>');
}

const comparable = ({ durationMs: _d, ...r }: SweepReport) => r;

describe('sweep batches in flight', () => {
  it('two batches at once leave exactly the effects of one after another', async () => {
    await Promise.all([seed(serial.db), seed(parallel.db)]);
    const counted = counting(parallel.db);
    const one = createSweeper({ db: serial.db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 's', batchSize: 1, concurrency: 1 });
    const two = createSweeper({ db: counted.db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 'p', batchSize: 1 });
    let suspended = 0;
    for (let day = 0; day < 8; day++) {
      const now = Date.parse('2026-11-10T06:00:00Z') + day * 86_400_000;
      if (day === 4) {
        const paid = ids.filter((_, i) => i % 5 === 0).map((accountId) => invoiceEvent('paid', { accountId, outstanding: 0, at: '2026-11-14T01:00:00Z' }));
        await ingestInvoices(serial.db, paid, Date.parse('2026-11-14T01:00:00Z'), policies);
        await ingestInvoices(parallel.db, paid, Date.parse('2026-11-14T01:00:00Z'), policies);
      }
      const [a, b] = await Promise.all([one.sweepOnce(now), two.sweepOnce(now)]);
      expect({ day, ...comparable(b) }).toEqual({ day, ...comparable(a) });
      expect(a.batchesFailed).toBe(0);
      suspended += a.suspended;
    }
    expect(suspended).toBeGreaterThan(0);
    expect(await effects(parallel.db)).toEqual(await effects(serial.db));
    expect(counted.maxOpen()).toBe(2);
  });

  it('a lease renewal that throws fails the sweep, and no batch starts after it has returned', async () => {
    await parallel.db.query(`UPDATE dunning_lease SET until = '-infinity'`);
    await parallel.db.query(`DELETE FROM dunning_stages`); // the ladder has work again for every episode's stages
    await parallel.db.query(`UPDATE dunning_episodes SET fired_stages = '{}'`);
    let renewals = 0;
    let transactions = 0;
    const db = new Proxy(parallel.db, {
      get(target, prop, recv) {
        if (prop === 'query') {
          return (text: string, params?: readonly unknown[]) => {
            if (text.includes('UPDATE dunning_lease SET holder') && ++renewals === 3) return Promise.reject(new Error('connection lost'));
            return target.query(text, params);
          };
        }
        if (prop === 'transaction') return <T,>(fn: (tx: Queryable) => Promise<T>) => ((transactions += 1), target.transaction(fn));
        return Reflect.get(target, prop, recv);
      },
    });
    const sweeper = createSweeper({ db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 'r', batchSize: 1 });
    await expect(sweeper.sweepOnce(Date.parse('2026-11-20T06:00:00Z'))).rejects.toThrow('connection lost');
    const after = transactions;
    await new Promise((r) => setTimeout(r, 300));
    expect(transactions).toBe(after);
    expect(after).toBeLessThan(6);
    expect(sweeper.health().lastFailure?.part).toBe('scan');
  });
});
