// The sweep's SQL scan must find exactly the accounts the pure ladder has work for (else time alone would not move
// an account up the ladder, or the sweep would do needless work). Checked on random ledgers across several days,
// time zones (one unusable), grace days, disputes, exemptions, two policies with either reactivateWhen, and accounts
// moving between them; the sweep runs between checks so state advances.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { upsertAccounts } from '../../../src/store/accounts-repo.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import { scanSweepCandidates } from '../../../src/dunning/sweep-query.js';
import { loadAccountStates } from '../../../src/dunning/state-store.js';
import { createSweeper } from '../../../src/dunning/sweep.js';
import { evaluateLadder } from '../../../src/rules/dunning/ladder.js';
import type { InvoiceEventRecord, InvoiceEventType } from '../../../src/events/types.js';
import { customerAccount, quietLogger, standardPolicy, testMetrics, M } from './fixtures.js';

const fresh = databaseForFile();

function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const policies = [
  standardPolicy({ id: 'vip', appliesTo: { tags: { any: ['vip'] } }, graceDays: 2, countDisputed: true, minOverdueMicros: 50 * M, reactivateWhen: 'balance_cleared' }),
  standardPolicy(),
];

describe('the sweep scan', () => {
  it('returns exactly the accounts whose ladder has work, day after day', async () => {
    const rnd = prng(20261120);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const zones = ['Europe/London', 'America/New_York', 'Asia/Tokyo', 'Pacific/Auckland', 'Mars/Olympus', null];
    const ids = Array.from({ length: 80 }, (_, i) => `scan-${i}`);
    await upsertAccounts(fresh.db, [
      { ...customerAccount('scan-r', ''), type: 'reseller', parentId: null },
      ...ids.map((id, i) => customerAccount(id, 'scan-r', { timezone: pick(zones), tags: i % 5 === 0 ? ['vip'] : [], type: i % 9 === 0 ? 'channel' : 'customer' })),
    ]);
    const types: InvoiceEventType[] = ['issued', 'overdue', 'overdue', 'payment', 'paid', 'voided', 'disputed', 'dispute_resolved'];
    const events: InvoiceEventRecord[] = [];
    let n = 0;
    for (const id of ids) {
      const invoices = 1 + Math.floor(rnd() * 3);
      for (let k = 0; k < invoices; k++) {
        const due = `2026-10-${String(10 + Math.floor(rnd() * 20)).padStart(2, '0')}`;
        for (let j = 0; j < 1 + Math.floor(rnd() * 3); j++) {
          const type = pick(types);
          events.push({
            id: `scan-e-${++n}`, type, invoiceId: `I${k}`, accountId: id, currency: rnd() < 0.2 ? 'EUR' : 'GBP', totalMicros: null,
            outstandingMicros: type === 'paid' ? 0 : Math.floor(rnd() * 200) * M, dueAt: rnd() < 0.15 ? null : due,
            occurredAt: Date.parse('2026-10-01T00:00:00Z') + Math.floor(rnd() * 40 * 86_400_000),
          });
        }
      }
    }
    await fresh.db.transaction((tx) => recordInvoiceEvents(tx, events));
    await fresh.db.query(`INSERT INTO exemptions (id, account_id, reason, rules, until, note, created_by, created_at)
      VALUES ('x-scan-1', 'scan-3', 'non_payment', NULL, '2026-11-05T00:00:00Z', NULL, 'operator:ops', now()),
             ('x-scan-2', 'scan-4', NULL, ARRAY['vip'], '2026-12-01T00:00:00Z', NULL, 'operator:ops', now())`);

    const sweeper = createSweeper({ db: fresh.db, logger: quietLogger, metrics: testMetrics(), getPolicies: () => policies, holder: 'scan', defaultTimezone: 'UTC', batchSize: 7 });
    let worked = 0;
    for (let day = 0; day < 24; day++) {
      const now = Date.parse('2026-10-20T06:30:00Z') + day * 86_400_000 + (day % 3) * 7 * 3_600_000;
      // Issue 13: accounts move in and out of the vip policy (an episode whose policy no longer applies must end).
      const moved = [pick(ids), pick(ids)];
      await fresh.db.query(`UPDATE accounts SET tags = CASE WHEN 'vip' = ANY(tags) THEN '{}'::text[] ELSE ARRAY['vip'] END WHERE id = ANY($1::text[])`, [moved]);
      const scan = await scanSweepCandidates(fresh.db, now, 'UTC', policies);
      const states = await loadAccountStates(fresh.db, ids, now, 'UTC');
      const withWork = ids.filter((id) => {
        const r = evaluateLadder({ ...states.get(id)!, policies, now });
        return r.actions.length > 0 || r.episodes.length > 0;
      });
      expect({ day, candidates: scan.accountIds }).toEqual({ day, candidates: withWork.sort() });
      worked += withWork.length;
      await sweeper.sweepOnce(now);
      // After a sweep, nothing is left to do at the same instant.
      expect((await scanSweepCandidates(fresh.db, now, 'UTC', policies)).accountIds).toEqual([]);
    }
    expect(worked).toBeGreaterThan(20);
  });
});
