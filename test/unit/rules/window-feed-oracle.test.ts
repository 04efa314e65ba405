// The engine's per-CDR window work as branch `lazy6` does it (fraud-engine.ts: queries skipped when their value
// cannot reach a level, the group's feed fused; window-state.ts and its layers) against a frozen copy of the engine
// and its window logs from before (test/helpers/before-lazy6, main at 8d6dbf7): the same random streams of end and
// start records (in order, late, too late, repeated, inbound rings and call-backs, set-up evaluations with and
// without commit) give the same outcomes and hits (levels, values, thresholds, samples), the same stored account
// parts and byte estimates, under the shipped rules and under a set of every window kind with low levels, high
// levels and baselines, with the scan and key-index limits at their defaults and low (cursors and indexes early).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { approxAccountBytes } from '../../../src/rules/account-bytes.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import type { AccountProfile, FraudRule, Measure } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { createFraudEngine as createOldEngine } from '../../helpers/before-lazy6/fraud-engine.js';
import { WindowState as OldState } from '../../helpers/before-lazy6/window-state.js';
import { profile } from '../../helpers/traffic.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const BASE = Date.parse('2026-11-24T21:30:00Z');
const ACCOUNTS = 4;

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

let n = 0;
function rule(measure: Measure, windowMs: number | null, warn: number | null, suspend: number, extra: Partial<FraudRule> = {}): FraudRule {
  return {
    id: `r${n++}-${measure}`, description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' },
    measure, windowMs, rangeDigits: 1, warn, suspend, baseline: null, cooldownMs: 10 * MIN, releaseAfterMs: null,
    origin: { file: 'test', line: 1 }, ...extra,
  };
}

/** Every window kind, in three window lengths, with levels low enough to reach and too high to, and baselines. */
const mixed: FraudRule[] = [
  rule('calls', 5 * MIN, 3, 6),
  rule('calls', 5 * MIN, null, 40),
  rule('calls', HOUR, 2, 5, { match: { direction: 'outbound', dispositions: ['answered'] } }),
  rule('calls', HOUR, null, 0, { baseline: { factor: 2, minimum: 3 } }),
  rule('cost', HOUR, null, 0, { baseline: { factor: 3, minimum: 2_000_000 } }),
  rule('cost', HOUR, 4_000_000, 9_000_000),
  rule('minutes', HOUR, 20, 40),
  rule('distinct_callees', HOUR, 3, 5),
  rule('distinct_callees', HOUR, 30, 50),
  rule('calls_to_one_callee', HOUR, 2, 4),
  rule('calls_to_one_callee', HOUR, 20, 50),
  rule('range_scan', HOUR, 2, 3, { rangeDigits: 1 }),
  rule('range_scan', HOUR, 10, 25, { rangeDigits: 2 }),
  rule('distinct_callers', HOUR, 2, 4, { match: { direction: 'inbound', dispositions: ['no_answer'] } }),
  rule('callbacks', HOUR, null, 2),
  rule('calls', 6 * HOUR, 4, 8, { baseline: { factor: 2, minimum: 6 } }),
  rule('distinct_callees', 6 * HOUR, 6, 12),
  rule('call_duration', null, 10, 20),
  rule('concurrent_calls', null, 2, 3),
];

/** Rules that hit at every record they count (level 0, no cooldown): each judgement's value shows in a hit. */
const always: FraudRule[] = [
  rule('calls', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('cost', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('range_scan', 5 * MIN, null, 0, { cooldownMs: 0 }),
  rule('distinct_callees', HOUR, null, 0, { cooldownMs: 0 }),
  rule('calls_to_one_callee', HOUR, null, 0, { cooldownMs: 0 }),
  rule('distinct_callers', HOUR, null, 0, { cooldownMs: 0, match: { direction: 'inbound' } }),
  rule('minutes', 6 * HOUR, null, 0, { cooldownMs: 0 }),
  rule('calls', 6 * HOUR, null, 0, { cooldownMs: 0, match: { direction: 'outbound', dispositions: ['answered'] } }),
];

const CALLEES = ['+442071230001', '+442071230002', '+442071230013', '+442071230024', '+447911123456', '+447911123457', '+4930123456', '+882123456'];
const CALLERS = ['+4930123456', '+33123456789', '+4930123457', '+447911123456'];

const ev = fc.record({
  acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }),
  kind: fc.constantFrom('end', 'end', 'end', 'end', 'end', 'end', 'start', 'ring', 'late', 'late', 'late', 'repeat', 'setup', 'setup-commit', 'gap', 'odd', 'big'),
  step: fc.integer({ min: 0, max: 3 * MIN }),
  lag: fc.oneof(fc.integer({ min: 0, max: 12 * MIN }), fc.integer({ min: 0, max: 40 * MIN })),
  dur: fc.integer({ min: 0, max: 900 }),
  cost: fc.integer({ min: 0, max: 3_000_000 }),
  callee: fc.integer({ min: 0, max: CALLEES.length - 1 }),
  caller: fc.integer({ min: 0, max: CALLERS.length - 1 }),
  pick: fc.nat(),
});

afterEach(() => {
  WindowState.indexAbove = OldState.indexAbove = 24;
  WindowState.scanUpTo = OldState.scanUpTo = 16;
  RowArena.minWaste = 4 * (1 << 12);
});

describe.each([
  ['shipped rules, default limits', shipped, 24, 16],
  ['every kind, default limits', mixed, 24, 16],
  ['every kind, cursors and indexes early', mixed, 3, 2],
  ['every kind, indexes before the scan limit', mixed, 2, 6],
  ['every kind, every value shown', [...mixed, ...always], 24, 16],
  ['every kind, every value shown, cursors early', [...always, ...mixed], 3, 2],
])('window feed and queries, old and new (%s)', (_name, rules, indexAbove, scanUpTo) => {
  it('give the same outcomes, hits, samples, stored parts and byte estimates', () => {
    WindowState.indexAbove = OldState.indexAbove = indexAbove;
    WindowState.scanUpTo = OldState.scanUpTo = scanUpTo;
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // compact whenever holey: rows move often
    let hits = 0;
    let wide = 0;
    fc.assert(
      // half the runs put every time on a 30 s grid, so that rows fall exactly on window edges (evictions' and
      // bounds' ties)
      fc.property(fc.array(ev, { minLength: 1, maxLength: 250, size: 'max' }), fc.boolean(), (evs, coarse) => {
        const grid = (x: number) => (coarse ? Math.round(x / 30_000) * 30_000 : x);
        const opts = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' };
        const now = createFraudEngine(rules, opts);
        const was = createOldEngine(rules, opts);
        const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`a${a}`));
        const sent: CdrRecord[] = [];
        let clock = BASE;
        evs.forEach((e, i) => {
          clock += e.kind === 'gap' ? 2 * HOUR : grid(e.step);
          const account = profiles[e.acct]!;
          if (e.kind === 'setup' || e.kind === 'setup-commit') {
            const call = { at: clock, callee: CALLEES[e.callee]!, id: `s${i}` };
            const commit = e.kind === 'setup-commit';
            expect(now.evaluateSetup(account, call, { commit })).toEqual(was.evaluateSetup(account, call, { commit }));
            return;
          }
          let c: CdrRecord;
          if (e.kind === 'repeat' && sent.length > 0) c = sent[e.pick % sent.length]!;
          else {
            // a fractional time or a cost past an int32 turns a group's rows wide (window-rows.ts)
            const end = e.kind === 'late' ? clock - grid(e.lag) : e.kind === 'odd' ? clock + 0.5 : clock;
            const ring = e.kind === 'ring';
            const answered = !ring && e.dur % 5 !== 0;
            const dur = answered ? e.dur : 0;
            c = {
              id: `c${i}`, accountId: account.id, direction: ring ? 'inbound' : 'outbound',
              caller: ring ? CALLERS[e.caller]! : '+442071234567', callee: ring ? '+442071234567' : CALLEES[e.callee]!,
              startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
              durationSec: dur, disposition: answered ? 'answered' : 'no_answer', costMicros: answered ? (e.kind === 'big' ? 5_000_000_000 + e.cost : e.cost) : 0,
              currency: 'GBP', phase: 'end',
            };
            if (e.kind === 'start') c = { ...c, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock };
            sent.push(c);
          }
          const got = now.process(c, account);
          const want = was.process(c, account);
          expect(got).toEqual(want);
          hits += got.hits.length;
          if (now.state.windows.some((l) => l.wideRows && l.spec.maskCol >= 0)) wide++;
        });
        for (const a of profiles) {
          expect(now.snapshotAccount(a.id)).toEqual(was.snapshotAccount(a.id));
          expect(approxAccountBytes(now.state, a.id)).toBe(approxAccountBytes(was.state, a.id));
        }
        expect(now.errors.count()).toBe(was.errors.count());
      }),
      { numRuns: 20, seed: 20261201 },
    );
    expect(hits).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(0);
  });
});
