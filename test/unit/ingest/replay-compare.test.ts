// `replay --compare-engines`'s comparison of two replay reports (src/ingest/replay-compare.ts): what counts as a
// difference (a finding's time, account, action, rule, reason or any evidence value; the holds at the end; the
// record counts) and what makes the comparison incomplete (a fallback), with the exit status's verdict.
import { describe, expect, it } from 'vitest';
import { compareReports, formatComparison } from '../../../src/ingest/replay-compare.js';
import type { ReplayFinding, ReplayReport } from '../../../src/ingest/replay-report.js';

const hold = (accountId: string, value: number, at = '2026-11-24T09:30:00.000Z'): ReplayFinding => ({
  at, accountId, action: 'suspend', source: 'rule:spend-1h', reason: 'spend-1h', evidence: { rule: 'spend-1h', measure: 'cost', value, threshold: 100_000_000, window: '1h', at },
});

function report(findings: ReplayFinding[], o: Partial<ReplayReport> = {}): ReplayReport {
  return {
    records: { cdrs: { accepted: 10, duplicate: 0, rejected: 0 } }, sweeps: 0, findings,
    suspendedAtEnd: [...new Set(findings.map((f) => f.accountId))].map((accountId) => ({ accountId, sources: ['rule:spend-1h'] })),
    accounts: [], rejected: [], unreadable: [], engineFallbacks: [], ...o,
  };
}

describe('comparing the replays of two fraud engines', () => {
  it('agrees when every finding, hold at the end and record count is the same', () => {
    const c = compareReports(['classic', 'fused'], report([hold('a', 188_855_798), hold('b', 120_000_000)]), report([hold('a', 188_855_798), hold('b', 120_000_000)]));
    expect(c).toMatchObject({ agree: true, findings: [2, 2], differing: [0, 0], suspendedAtEnd: [], records: [] });
    expect(formatComparison(c)).toContain('the engines agree');
  });

  it('lists a finding whose evidence value differs on both sides, as the engines differ', () => {
    const c = compareReports(['classic', 'fused'], report([hold('a', 188_855_798)]), report([hold('a', 188_868_298)]));
    expect(c.agree).toBe(false);
    expect(c.differing).toEqual([1, 1]);
    expect(c.onlyIn[0][0]!.evidence).toMatchObject({ value: 188_855_798 });
    expect(c.onlyIn[1][0]!.evidence).toMatchObject({ value: 188_868_298 });
    const text = formatComparison(c);
    expect(text).toContain('only in the classic run: 1');
    expect(text).toContain('188868298');
    expect(text).toContain('the engines DIFFER');
  });

  it('counts repeated findings with their multiplicity, and names accounts held at the end by one run only', () => {
    const twice = [hold('a', 1), hold('a', 1)];
    const c = compareReports(['classic', 'fused'], report(twice), report([hold('a', 1)], { suspendedAtEnd: [] }));
    expect(c.differing).toEqual([1, 0]);
    expect(c.suspendedAtEnd).toEqual(['a']);
    expect(c.agree).toBe(false);
  });

  it('names record kinds whose counts differ', () => {
    const c = compareReports(['classic', 'fused'], report([]), report([], { records: { cdrs: { accepted: 9, duplicate: 1, rejected: 0 } } }));
    expect(c.records).toEqual(['cdrs']);
    expect(c.agree).toBe(false);
  });

  it('does not call a run that fell back an agreement: the records after it ran on the classic engine twice', () => {
    const why = 'fused engine: an event time ... not built yet: this lane\'s state moved to the classic engine';
    const c = compareReports(['classic', 'fused'], report([hold('a', 1)]), report([hold('a', 1)], { engineFallbacks: [why] }));
    expect(c).toMatchObject({ agree: false, differing: [0, 0], fallbacks: [[], [why]] });
    const text = formatComparison(c);
    expect(text).toContain(`the fused run fell back to the classic engine: ${why}`);
    expect(text).toContain('the comparison is incomplete');
  });
});
