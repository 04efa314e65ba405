// A rule hold with `releaseAfter` lifts itself: the hold-expiry job lifts it through the ordinary activate
// transition as the `expiry` actor once its time has come, and not before; the account's history shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { releaseExpiredHolds } from '../../../src/jobs/hold-expiry.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { upsertAccounts } from '../../../src/store/accounts-repo.js';
import { withTransition } from '../../../src/store/transitions.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

let fresh: FreshDatabase;
beforeAll(async () => {
  fresh = await freshDatabase();
});
afterAll(async () => {
  await fresh?.drop();
});

describe('hold expiry (releaseAfter)', () => {
  it('lifts a rule hold once it expires, and not before', async () => {
    const t0 = new Date('2026-11-24T21:00:00Z');
    const clock = new ManualClock(t0);
    await upsertAccounts(fresh.db, [
      { id: 'cust-exp', type: 'customer', parentId: null, name: 'Expiring Ltd', mainContact: null, timezone: null, currency: null, tags: [], closed: false, updatedAt: t0.toISOString() },
    ]);
    await withTransition(
      fresh.db,
      {
        kind: 'suspend', accountId: 'cust-exp', actor: { kind: 'system', source: 'rule:long-call' }, reason: 'fraud',
        source: 'rule:long-call', ruleId: 'long-call', evidence: { rule: 'long-call' }, expiresAt: new Date(t0.getTime() + 3_600_000).toISOString(),
      },
      { now: t0 },
    );
    const deps = { db: fresh.db, clock, logger: createLogger('silent'), metrics: new Metrics({ defaultMetrics: false }) };

    clock.advance(3_599_000);
    expect(await releaseExpiredHolds(deps)).toBe(0);
    expect((await fresh.db.query(`SELECT 1 FROM holds WHERE account_id = 'cust-exp'`)).rowCount).toBe(1);

    clock.advance(1_000);
    expect(await releaseExpiredHolds(deps)).toBe(1);
    expect((await fresh.db.query(`SELECT 1 FROM holds WHERE account_id = 'cust-exp'`)).rowCount).toBe(0);
    const lifted = await fresh.db.query<{ actor: string }>(`SELECT actor FROM audit WHERE account_id = 'cust-exp' AND kind = 'hold_lifted'`);
    expect(lifted.rows.map((r) => r.actor)).toEqual(['expiry']);
    expect(await deps.metrics.render()).toMatch(/suspensiond_decisions_total\{reason="fraud",source="expiry",action="activate"\} 1/);
  });
});
