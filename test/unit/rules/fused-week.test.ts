// The fused engine against the classic engine (the reference) on the detection week's traffic (bench/detection:
// hundreds of accounts of every customer profile, attacks included), where the random streams of fused-oracle.test.ts
// (four accounts) do not reach: account numbers far past those in use when the log's compaction runs (the fields of
// numbers not yet taken once named region 0, and a compaction slid other accounts' rows over a real one: a
// suspension's value was off by another account's call), and a partition clock that jumps by more than the int32
// time offsets' room (a partition quiet for a fortnight); and the switch's set-up checks (evaluateSetup, dry and
// committed) among them. Every result whole (outcome, every hit's fields and samples), and no fallback to the
// classic engine.
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createEngineOf } from '../../../src/rules/engine-choice.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { loadRules } from '../../../src/rules-dir.js';
import type { FraudEngine, ProcessResult } from '../../../src/rules/types.js';
import { profile } from '../../helpers/traffic.js';
import { weekCdrs } from '../../helpers/week-cdrs.js';

const OPTS = { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' };
const DAY = 86_400_000;

/** The classic engine, and the fused one as the daemon builds it (its fallbacks listed). */
async function engines(): Promise<{ classic: FraudEngine; fused: FraudEngine; fallbacks: string[] }> {
  const rules = (await loadRules('rules')).fraud;
  const fallbacks: string[] = [];
  return { classic: createFraudEngine(rules, OPTS), fused: createEngineOf('fused', rules, OPTS, (why) => fallbacks.push(why)), fallbacks };
}

/** Feeds `cdrs` to both engines; every result side by side. */
async function both(cdrs: readonly CdrRecord[]): Promise<{ classic: ProcessResult[]; fused: ProcessResult[]; fallbacks: string[]; engine: FraudEngine }> {
  const { classic: c, fused: f, fallbacks } = await engines();
  const classic: ProcessResult[] = [];
  const fused: ProcessResult[] = [];
  for (const cdr of cdrs) {
    classic.push(c.process(cdr, profile(cdr.accountId)));
    fused.push(f.process(cdr, profile(cdr.accountId)));
  }
  return { classic, fused, fallbacks, engine: f };
}

const holds = (rs: readonly ProcessResult[]) => rs.flatMap((r) => r.hits.filter((h) => h.level === 'suspend'));

describe('the fused engine on the detection week', () => {
  it('judges the busiest two hours of a Tuesday (hundreds of accounts) as the classic engine does, record by record', async () => {
    const cdrs = weekCdrs('2026-11-24T09:00:00Z', '2026-11-24T11:00:00Z');
    expect(new Set(cdrs.map((c) => c.accountId)).size).toBeGreaterThan(250);
    const { classic, fused, fallbacks } = await both(cdrs);
    expect(fallbacks).toEqual([]);
    expect(fused).toEqual(classic);
    // the records that found the bug: spend holds of a hacked PBX, their values exact
    expect(holds(classic).filter((h) => h.ruleId.startsWith('spend-')).length).toBeGreaterThan(0);
  }, 60_000);

  it('answers every outbound set-up of a Tuesday hour (dry runs, and every third committed) as the classic engine does', async () => {
    const cdrs = weekCdrs('2026-11-24T09:00:00Z', '2026-11-24T10:00:00Z');
    const { classic: c, fused: f, fallbacks } = await engines();
    const got: unknown[] = [];
    const want: unknown[] = [];
    let setups = 0;
    for (const [i, cdr] of cdrs.entries()) {
      const p = profile(cdr.accountId);
      if (cdr.phase === 'start' && cdr.direction === 'outbound') {
        const call = { callee: cdr.callee, caller: cdr.caller, at: cdr.startedAt, id: cdr.id };
        const commit = i % 3 === 0;
        want.push(c.evaluateSetup!(p, call, { commit }));
        got.push(f.evaluateSetup!(p, call, { commit }));
        setups++;
      }
      want.push(c.process(cdr, p));
      got.push(f.process(cdr, p));
    }
    expect(fallbacks).toEqual([]);
    expect(setups).toBeGreaterThan(1_000);
    expect(got).toEqual(want);
  }, 60_000);

  it('judges a Monday 18 days after a Friday on the fused engine, as the classic engine does (the offsets\' base moves up)', async () => {
    const friday = weekCdrs('2026-11-27T08:00:00Z', '2026-11-27T12:00:00Z');
    const monday = weekCdrs('2026-11-23T08:00:00Z', '2026-11-23T10:00:00Z').map((c) => ({
      ...c,
      id: `later-${c.id}`,
      startedAt: c.startedAt + 18 * DAY,
      answeredAt: c.answeredAt === null ? null : c.answeredAt + 18 * DAY,
      endedAt: c.endedAt === null ? null : c.endedAt + 18 * DAY,
    }));
    const { classic, fused, fallbacks, engine } = await both([...friday, ...monday]);
    expect(fallbacks).toEqual([]);
    expect(fused).toEqual(classic);
    expect(classic.slice(friday.length).filter((r) => r.outcome === 'accepted').length).toBe(monday.length);
    expect(holds(classic.slice(friday.length)).length).toBeGreaterThan(0);
    expect(engine.size()).toBeGreaterThan(0);
  }, 60_000);
});
