// The fused engine against the classic one at scale (test/helpers/engine-soak.ts): thousands of accounts interleaved
// in one stream for weeks of traffic with fortnight-long jumps of the clock, the fused engine unbounded (restarted
// once) and under a memory budget (spilling and loading all the time, restarted once from its store), the rules
// changed once. bench/fused-soak.ts runs the same for minutes of seeds. Each stream was chosen because it failed
// before a fix:
// - 5,000 accounts: the fused engine's new account numbers named log region 0, so the log's compaction slid other
//   accounts' rows over real ones (fixed 2 December; values wrong without any error);
// - 300 long-lived accounts: the base of the int32 time offsets could not move past an evidence-ring entry, row or
//   cursor record of weeks before, so after a fortnight's jump the fused engine refused every record (the lane fell
//   back to the classic engine) -- now what can never count again is pinned or dropped.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineCannotHold } from '../../../src/rules/engine-choice.js';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { createFusedEngine, FusedLimits, fusedPaths } from '../../../src/rules/fused/fused-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { changedRulesOf, soak } from '../../helpers/engine-soak.js';
import { profile } from '../../helpers/traffic.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An hour's outbound calls to `prefix`: warns at 6 (hits to compare), never suspends. */
const rule = (id: string, prefix: string): FraudRule => ({
  id, description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound', calleePrefixes: [prefix] },
  measure: 'calls', windowMs: HOUR, rangeDigits: 1, warn: 6, suspend: 1000, baseline: null, cooldownMs: 0,
  releaseAfterMs: null, origin: { file: 'test', line: 1 },
});

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

describe('the fused engine at scale, against the classic engine', () => {
  it.each([
    [3, 5_000, 60_000],
    [1, 300, 120_000],
  ])('seed %i, %i accounts, %i events: every record and set-up judged the same, unbounded and under a memory budget, no fallback', async (seed, accounts, events) => {
    const before = { ...fusedPaths };
    const r = await soak({ seed, accounts, events, rules: shipped, changedRules: changedRulesOf(shipped) });
    expect(r.differences).toEqual([]);
    expect(r.differing).toBe(0);
    expect(r.fallbacks).toEqual([]);
    // the stream did what it is for: many records and hits, weeks of time, spills and loads under the budget
    expect(r.records).toBeGreaterThan(60_000);
    expect(r.setups).toBeGreaterThan(2_000);
    expect(r.hits).toBeGreaterThan(5_000);
    expect(r.spanDays).toBeGreaterThan(20);
    expect(r.spills).toBeGreaterThan(10_000);
    expect(r.loads).toBeGreaterThan(10_000);
    // the base of the offsets moved; in the long-lived accounts' stream, past entries of weeks before (pinned)
    expect(fusedPaths.rebased - before.rebased).toBeGreaterThan(0);
    if (seed === 1) expect(fusedPaths.pinned - before.pinned).toBeGreaterThan(0);
  }, 60_000);

  it("a busy window's cursor record of weeks before, on an account kept alive by other calls, is dropped when the base moves; the same results", () => {
    FusedLimits.scanRows = 3;
    try {
      const rules = [rule('london', '+4420'), rule('mobiles', '+447')];
      const opts = { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' };
      const classic = createFraudEngine(rules, opts);
      const fused = createFusedEngine(rules, opts);
      const a = profile('a0');
      let n = 0;
      const call = (end: number, callee: string): CdrRecord => ({
        id: `c${n++}`, accountId: 'a0', direction: 'outbound', caller: null, callee, startedAt: end - 65_000, answeredAt: end - 60_000,
        endedAt: end, durationSec: 60, disposition: 'answered', costMicros: 1000, currency: 'GBP', phase: 'end',
      });
      const t0 = Date.parse('2026-11-02T09:00:00Z');
      const calls: CdrRecord[] = [];
      // a busy hour of London calls (its window outgrows the scan: a cursor record), then six weeks of a mobile call
      // every six hours (the account stays alive; the London rule is not asked again), then London calls again
      for (let i = 0; i < 12; i++) calls.push(call(t0 + i * 60_000, '+442071230001'));
      for (let t = t0 + 6 * HOUR; t < t0 + 42 * DAY; t += 6 * HOUR) calls.push(call(t, '+447911123456'));
      for (let i = 0; i < 12; i++) calls.push(call(t0 + 42 * DAY + i * 60_000, '+442071230001'));
      const before = { ...fusedPaths };
      let hits = 0;
      for (const c of calls) {
        const want = classic.process(c, a);
        expect(fused.process(c, a)).toEqual(want);
        hits += want.hits.length;
      }
      expect(hits).toBeGreaterThan(10);
      expect(fusedPaths.cursorBuilt - before.cursorBuilt).toBeGreaterThan(1);
      expect(fusedPaths.rebased - before.rebased).toBeGreaterThan(0);
      expect(fusedPaths.cursorDropped - before.cursorDropped).toBeGreaterThan(0);
    } finally {
      FusedLimits.scanRows = 24;
    }
  });

  it('state of weeks before, written by the classic engine, is taken by the fused engine (a snapshot, and a part) and judges the same', () => {
    const rules = [rule('london', '+4420')];
    const opts = { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' };
    const a = profile('a0', { tags: [] });
    let n = 0;
    const call = (end: number, direction: 'outbound' | 'inbound'): CdrRecord => ({
      id: `c${n++}`, accountId: 'a0', direction, caller: direction === 'inbound' ? '+447911123456' : null,
      callee: direction === 'outbound' ? '+442071230001' : '+442071234567', startedAt: end - 65_000, answeredAt: end - 60_000,
      endedAt: end, durationSec: 60, disposition: 'answered', costMicros: 1000, currency: 'GBP', phase: 'end',
    });
    const t0 = Date.parse('2026-11-02T09:00:00Z');
    // outbound calls that count (evidence-ring entries), then six weeks of inbound calls only (no rule counts them:
    // the ring keeps its entries of six weeks before, and the account stays alive)
    const first: CdrRecord[] = [];
    for (let i = 0; i < 8; i++) first.push(call(t0 + i * 60_000, 'outbound'));
    for (let t = t0 + 6 * HOUR; t < t0 + 42 * DAY; t += 6 * HOUR) first.push(call(t, 'inbound'));
    const then: CdrRecord[] = [];
    for (let i = 0; i < 8; i++) then.push(call(t0 + 42 * DAY + i * 60_000, 'outbound'));
    const classic = createFraudEngine(rules, opts);
    for (const c of first) classic.process(c, a);
    const full = createFusedEngine(rules, opts);
    const before = { ...fusedPaths };
    full.restore(classic.snapshot());
    const part = createFusedEngine(rules, opts);
    part.restoreParts(classic.snapshotShared(), [['a0', classic.snapshotAccount('a0')!]], []);
    expect(fusedPaths.pinned - before.pinned).toBeGreaterThan(0);
    let hits = 0;
    for (const c of then) {
      const want = classic.process(c, a);
      expect(full.process(c, a)).toEqual(want);
      expect(part.process(c, a)).toEqual(want);
      hits += want.hits.length;
    }
    expect(hits).toBeGreaterThan(0);
  });

  it('takes rule windows up to 7 days; a longer one runs on the classic engine (the offsets\' base could not move past it)', () => {
    const week = shipped.map((r) => (r.windowMs === null ? r : { ...r, windowMs: 7 * 86_400_000 }));
    expect(engineCannotHold('fused', week)).toBeNull();
    expect(() => createFusedEngine(week, { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' })).not.toThrow();
    const longer = shipped.map((r, i) => (i === 0 ? { ...r, windowMs: 8 * 86_400_000 } : r));
    expect(engineCannotHold('fused', longer)).toBe(`the fused engine holds rule windows up to 7 days and rule ${shipped[0]!.id} has 8 days`);
    expect(() => createFusedEngine(longer, { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' })).toThrow(/a rule window longer than 7 days not built yet/);
    const e = createFusedEngine(shipped, { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' });
    expect(() => e.setRules(longer)).toThrow(/not built yet/);
  });
});
