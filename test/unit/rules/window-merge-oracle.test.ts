// Branch `grp9`: window groups of several lengths in one log (WindowPlan.merge: `short`, a 5 min count in the 1 h
// log; `all`, every length in one), each rule queried over its own window, against a frozen copy of main's engine
// (test/helpers/before-grp9, main at 8107d1c: one log per window length). The same random streams (several accounts;
// end records in order, late and too late, repeated; start events; inbound rings and call-backs; set-up
// evaluations with and without commit; gaps of hours and of a day) give the same ProcessResult, compared whole, and
// the same set-up hits, under rules of 5 min, 1 h, 6 h and 24 h windows of every measure (cost, minutes,
// distinct_callees, calls_to_one_callee, range_scan, callbacks, distinct_callers, concurrent_calls, baselines), and
// under the shipped rules. Stored state along the way, in both directions: main's bytes (full snapshot, or shared
// part, account parts and dedupe segments) restored into the new engine, which goes on as main's engine goes on;
// the new engine's bytes restored into main's (a rollback); the new engine's own bytes restored into itself (logs
// split by length on write and joined on read); and rule changes (withRules).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { WindowPlan, type MergePolicy } from '../../../src/rules/rule-state.js';
import type { AccountProfile, FraudRule } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { createFraudEngine as createOldEngine } from '../../helpers/before-grp9/fraud-engine.js';
import { profile } from '../../helpers/traffic.js';
import { always, BASE, CALLEES, event, EVENT_KINDS, HOUR, MIN, mixed, recordOf, rule } from '../../helpers/window-traffic.js';

const ACCOUNTS = 4;
const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

/** 24 h rules beside the 5 min, 1 h and 6 h ones (main kept each length in a log of its own). */
const day: FraudRule[] = [
  rule('cost', 24 * HOUR, null, 0, { baseline: { factor: 2, minimum: 3_000_000 } }),
  rule('calls', 24 * HOUR, 6, 12),
  rule('distinct_callees', 24 * HOUR, null, 0, { cooldownMs: 0 }),
  rule('concurrent_calls', null, null, 1, { cooldownMs: 0 }),
];

const KINDS = [...EVENT_KINDS, 'day', 'snap', 'parts', 'rollback', 'self', 'rules'] as const;
const ev = event(ACCOUNTS, KINDS);

const policy = WindowPlan.merge;
afterEach(() => {
  WindowState.indexAbove = 24;
  WindowState.scanUpTo = 16;
  RowArena.minWaste = 4 * (1 << 12);
  WindowPlan.merge = policy;
});

type Engine = ReturnType<typeof createFraudEngine>;
type OldEngine = ReturnType<typeof createOldEngine>;

describe.each<[string, MergePolicy, FraudRule[], number, number]>([
  ['shipped rules, 5 min into 1 h', 'short', shipped, 24, 16],
  ['shipped rules, one log', 'all', shipped, 24, 16],
  ['every kind, 5 min into 1 h', 'short', [...mixed, ...day], 24, 16],
  ['every kind, one log', 'all', [...mixed, ...day], 24, 16],
  ['every value shown, 5 min into 1 h, cursors early', 'short', [...always, ...mixed, ...day], 3, 2],
  ['every value shown, one log, cursors early', 'all', [...always, ...day, ...mixed], 3, 2],
  ['every value shown, one log, indexes before the scan limit', 'all', [...mixed, ...always, ...day], 2, 6],
])('window logs of several lengths against main (%s)', (_name, merge, rules, indexAbove, scanUpTo) => {
  it('give the same results, set-up hits and errors, through stored state both ways and rule changes', () => {
    WindowPlan.merge = merge;
    WindowState.indexAbove = indexAbove; // (both engines' logs are src's GroupLogs: unchanged by grp9)
    WindowState.scanUpTo = scanUpTo;
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // compact whenever holey: rows move often
    // a rule change: the first rule dropped, a 1 h rule's window changed (its state starts afresh), a new 5 min rule
    const other = [...rules.slice(1).map((r, i) => (i === 2 && r.windowMs === HOUR ? { ...r, windowMs: 2 * HOUR } : r)), rule('calls', 5 * MIN, null, 0, { cooldownMs: 0 })];
    const counts = { hits: 0, merged: 0, restores: 0, accepted: 0 };
    fc.assert(
      // half the runs put every time on a 30 s grid, so that rows fall exactly on window edges
      fc.property(fc.array(ev, { minLength: 1, maxLength: 400, size: 'max' }), fc.boolean(), (evs, coarse) => {
        const grid = (x: number) => (coarse ? Math.round(x / 30_000) * 30_000 : x);
        const opts = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' };
        let set = rules;
        let now: Engine = createFraudEngine(set, opts);
        let was: OldEngine = createOldEngine(set, opts);
        if (now.state.plan.groups.some((g) => g.parts.length > 1)) counts.merged++;
        const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`a${a}`));
        const sent: CdrRecord[] = [];
        /** main's dedupe segments, in the order written (for restores from parts) */
        const segments: Uint8Array[] = [];
        let clock = BASE;
        evs.forEach((e, i) => {
          clock += e.kind === 'gap' ? 2 * HOUR : e.kind === 'day' ? 23 * HOUR + grid(e.step) : grid(e.step);
          const account = profiles[e.acct]!;
          if (e.kind === 'snap') {
            // main's full snapshot into a new engine: it goes on as main does
            now = createFraudEngine(set, opts);
            now.restore(was.snapshot());
            counts.restores++;
            return;
          }
          if (e.kind === 'parts') {
            // as the store keeps them: a segment of the whole horizon replaces the ones before
            const seg = was.dedupeSegment();
            if (seg.expiredBefore === Number.POSITIVE_INFINITY) segments.length = 0;
            segments.push(seg.pairs);
            was.dedupeStored();
            const parts = profiles.map((a) => [a.id, was.snapshotAccount(a.id)] as const).filter((x): x is [string, Uint8Array] => x[1] !== null);
            now = createFraudEngine(set, opts);
            now.restoreParts(was.snapshotShared(), parts, segments);
            counts.restores++;
            return;
          }
          if (e.kind === 'rollback') {
            was = createOldEngine(set, opts);
            was.restore(now.snapshot());
            segments.length = 0;
            return;
          }
          if (e.kind === 'self') {
            const bytes = now.snapshot();
            now = createFraudEngine(set, opts);
            now.restore(bytes);
            return;
          }
          if (e.kind === 'rules') {
            set = set === rules ? other : rules;
            now.setRules(set);
            was.setRules(set);
            segments.length = 0;
            return;
          }
          if (e.kind === 'setup' || e.kind === 'setup-commit') {
            const call = { at: clock, callee: CALLEES[e.callee]!, id: `s${i}` };
            const commit = e.kind === 'setup-commit';
            expect(now.evaluateSetup(account, call, { commit })).toEqual(was.evaluateSetup(account, call, { commit }));
            return;
          }
          const c = recordOf(e, i, clock, grid, sent, account.id);
          const got = now.process(c, account);
          expect(got).toEqual(was.process(c, account));
          counts.hits += got.hits.length;
          if (got.outcome === 'accepted') counts.accepted++;
        });
        expect(now.errors.count()).toBe(was.errors.count());
      }),
      { numRuns: 15, seed: 20261201 },
    );
    expect(counts.merged).toBe(15);
    expect(counts.restores).toBeGreaterThan(15);
    expect(counts.accepted).toBeGreaterThan(1000);
    if (rules !== shipped) expect(counts.hits).toBeGreaterThan(100);
  }, 600_000);
});
