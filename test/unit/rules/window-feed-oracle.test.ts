// The engine's per-CDR window work as branch `lazy6` does it (fraud-engine.ts: queries skipped when their value
// cannot reach a level, the group's feed fused; window-state.ts and its layers) against a frozen copy of the engine
// and its window logs from before (test/helpers/before-lazy6, main at 8d6dbf7): the same random streams of end and
// start records (in order, late, too late, repeated, inbound rings and call-backs, set-up evaluations with and
// without commit) give the same outcomes and hits (levels, values, thresholds, samples), the same stored account
// parts and byte estimates, under the shipped rules and under a set of every window kind with low levels, high
// levels and baselines, with the scan and key-index limits at their defaults and low (cursors and indexes early).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { approxAccountBytes } from '../../../src/rules/account-bytes.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { RowArena } from '../../../src/rules/row-arena.js';
import { WindowPlan } from '../../../src/rules/rule-state.js';
import type { AccountProfile } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { createFraudEngine as createOldEngine } from '../../helpers/before-lazy6/fraud-engine.js';
import { WindowState as OldState } from '../../helpers/before-lazy6/window-state.js';
import { profile } from '../../helpers/traffic.js';
import { always, BASE, CALLEES, event, EVENT_KINDS, HOUR, MIN, mixed, recordOf } from '../../helpers/window-traffic.js';

const ACCOUNTS = 4;

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

const ev = event(ACCOUNTS, EVENT_KINDS);

// the frozen engine takes src's window plan: logs by window length, as it kept them (branch `grp9` merges lengths)
const merge = WindowPlan.merge;
beforeAll(() => {
  WindowPlan.merge = 'none';
});
afterAll(() => {
  WindowPlan.merge = merge;
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
          const c = recordOf(e, i, clock, grid, sent, account.id);
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
