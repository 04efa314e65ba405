// replay's summaries and filters (src/ingest/replay-summary.ts): counts per rule and per account, the first hold,
// and --rule / --account narrowing the findings and the accounts held at the end.
import { describe, expect, it } from 'vitest';
import type { ReplayFinding, ReplayReport } from '../../../src/ingest/replay-report.js';
import { filterReport, summarise } from '../../../src/ingest/replay-summary.js';

const f = (at: string, accountId: string, action: ReplayFinding['action'], source: string): ReplayFinding => ({ at: `2026-11-24T${at}:00.000Z`, accountId, action, source, reason: 'fraud', evidence: null });
const findings = [
  f('10:00', 'a', 'alert', 'rule:burst'),
  f('10:05', 'a', 'suspend', 'rule:irsf'),
  f('10:07', 'b', 'review', 'rule:burst'),
  f('10:09', 'b', 'suspend', 'rule:burst'),
  f('11:00', 'a', 'suspend', 'rule:burst'),
];

describe('replay summaries', () => {
  it('count holds, reviews and alerts per rule with their accounts, the busiest rule first', () => {
    const s = summarise(findings);
    expect(s.rules.map((r) => [r.source, r.suspend, r.review, r.alert, r.accounts, r.first])).toEqual([
      ['rule:burst', 2, 1, 1, 2, '2026-11-24T10:00:00.000Z'],
      ['rule:irsf', 1, 0, 0, 1, '2026-11-24T10:05:00.000Z'],
    ]);
  });

  it('give each account its first hold and every rule that touched it', () => {
    const s = summarise(findings);
    expect(s.accounts).toEqual([
      { accountId: 'a', suspend: 2, review: 0, alert: 1, firstHold: { at: '2026-11-24T10:05:00.000Z', source: 'rule:irsf' }, sources: ['rule:burst', 'rule:irsf'] },
      { accountId: 'b', suspend: 1, review: 1, alert: 0, firstHold: { at: '2026-11-24T10:09:00.000Z', source: 'rule:burst' }, sources: ['rule:burst'] },
    ]);
  });

  it('--rule (with or without the rule: prefix) and --account narrow findings and the accounts held at the end', () => {
    const report: ReplayReport = {
      records: {}, sweeps: 0, findings, rejected: [], unreadable: [],
      suspendedAtEnd: [{ accountId: 'a', sources: ['rule:burst', 'rule:irsf'] }, { accountId: 'b', sources: ['rule:burst'] }],
      accounts: [
        { accountId: 'a', status: 'suspended', inheritedFrom: [], holds: ['rule:burst', 'rule:irsf'], emails: [] },
        { accountId: 'b', status: 'suspended', inheritedFrom: [], holds: ['rule:burst'], emails: [] },
      ],
    };
    const byRule = filterReport(report, { rules: ['irsf'] });
    expect(byRule.findings.map((x) => `${x.accountId} ${x.source}`)).toEqual(['a rule:irsf']);
    expect(byRule.suspendedAtEnd).toEqual([{ accountId: 'a', sources: ['rule:irsf'] }]);
    const byAccount = filterReport(report, { accounts: ['b'], rules: ['rule:burst'] });
    expect(byAccount.findings).toHaveLength(2);
    expect(byAccount.suspendedAtEnd).toEqual([{ accountId: 'b', sources: ['rule:burst'] }]);
    expect(byAccount.accounts.map((a) => a.accountId)).toEqual(['b']);
    expect(filterReport(report, {})).toBe(report);
  });
});
