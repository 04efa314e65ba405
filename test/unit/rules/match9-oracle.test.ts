// Branch `match9` (number types by one digit automaton per calling code, number-plan.ts: match6's c47890d re-adopted)
// must give exactly the decisions of the code before it (test/helpers/before-match9-ring9: cdr-matcher.ts, number-info.ts
// and number-plan.ts as on main 8107d1c, with that commit's engine to run on them, shared with the ring9 oracle: its
// ring store is main's too): the same
// outcomes and hits (levels, values, thresholds, samples), stored account parts and rule errors, for random streams of
// end, start, inbound, late, repeated and set-up records from accounts whose profiles (type, tags, time zone) change
// between calls, under the shipped rules and under generated rule sets (every match condition, appliesTo, hours and
// days, levels low enough to hit, baselines); and the matcher's rules and the numbers' types and countries for random
// CDRs and profiles.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import type { AccountProfile, FraudRule, Measure } from '../../../src/rules/types.js';
import { createFraudEngine as createOldEngine } from '../../helpers/before-match9-ring9/fraud-engine.js';
import { CdrMatcher } from '../../../src/rules/cdr-matcher.js';
import { CdrMatcher as BeforeMatcher } from '../../helpers/before-match9-ring9/cdr-matcher.js';
import { account as profileOf, cdr, DISPOSITIONS, number, rule as matchRule, sameMatches } from '../../helpers/matcher-arbitraries.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const BASE = Date.parse('2026-03-28T18:30:00Z'); // a Saturday evening before a DST change
const ACCOUNTS = 4;

const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

const MEASURES: Measure[] = ['calls', 'cost', 'minutes', 'distinct_callees', 'calls_to_one_callee', 'range_scan', 'distinct_callers', 'callbacks', 'call_duration', 'call_cost', 'concurrent_calls'];

/** A generated rule set: random match conditions and appliesTo, each with a measure, a window and low levels. */
const ruleSet: fc.Arbitrary<FraudRule[]> = fc.array(
  fc.record({
    m: matchRule,
    measure: fc.constantFrom(...MEASURES),
    window: fc.constantFrom(5 * MIN, HOUR, 6 * HOUR),
    warn: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    suspend: fc.integer({ min: 1, max: 6 }),
    baseline: fc.option(fc.record({ factor: fc.constantFrom(1, 2), minimum: fc.integer({ min: 0, max: 3 }), by: fc.constantFrom(undefined, 'hour_of_week' as const) }), { nil: null, freq: 4 }),
    cooldown: fc.constantFrom(0, 10 * MIN),
  }),
  { minLength: 1, maxLength: 24 },
).map((xs) =>
  xs.map((x, i): FraudRule => {
    const windowless = x.measure === 'call_duration' || x.measure === 'call_cost' || x.measure === 'concurrent_calls';
    const baseline = x.baseline === null ? null : x.baseline.by ? { factor: x.baseline.factor, minimum: x.baseline.minimum, by: x.baseline.by } : { factor: x.baseline.factor, minimum: x.baseline.minimum };
    return {
      id: `g${i}-${x.measure}`, description: null, mode: 'enforce', appliesTo: x.m.appliesTo, match: x.m.match,
      numberOverrides: x.m.numberOverrides, measure: x.measure, windowMs: windowless ? null : x.window, rangeDigits: 2,
      warn: x.warn !== null && x.warn < x.suspend ? x.warn : null, suspend: x.suspend, baseline: baseline as FraudRule['baseline'],
      cooldownMs: x.cooldown, releaseAfterMs: null, origin: { file: 'test', line: i + 1 },
    } as FraudRule;
  }),
);

const CALLEES = ['+442071230001', '+442071230002', '+447911123456', '+4930123456', '+882123456', '+25261234567', '+18765551234', '+33123456789', '0845123456', '118500'];

const ev = fc.record({
  acct: fc.integer({ min: 0, max: ACCOUNTS - 1 }),
  kind: fc.constantFrom('end', 'end', 'end', 'end', 'end', 'start', 'ring', 'late', 'repeat', 'setup', 'setup-commit', 'gap', 'profile'),
  step: fc.integer({ min: 0, max: 20 * MIN }),
  lag: fc.integer({ min: 0, max: 30 * MIN }),
  dur: fc.integer({ min: 0, max: 900 }),
  cost: fc.integer({ min: 0, max: 3_000_000 }),
  callee: fc.oneof(fc.constantFrom(...CALLEES), number),
  caller: fc.option(fc.oneof(fc.constantFrom(...CALLEES), number), { nil: null, freq: 6 }),
  disposition: fc.option(fc.constantFrom(...DISPOSITIONS), { nil: null, freq: 4 }),
  profile: profileOf,
  pick: fc.nat(),
});

type Ev = typeof ev extends fc.Arbitrary<infer T> ? T : never;

function agree(rules: readonly FraudRule[], evs: Ev[], profiles: AccountProfile[]): number {
  const opts = { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' };
  const now = createFraudEngine(rules, opts);
  const was = createOldEngine(rules, opts);
  const accounts = profiles.map((p, a) => ({ ...p, id: `a${a}` }));
  const sent: CdrRecord[] = [];
  let clock = BASE;
  let hits = 0;
  evs.forEach((e, i) => {
    clock += e.kind === 'gap' ? 7 * HOUR : e.step;
    if (e.kind === 'profile') {
      accounts[e.acct] = { ...e.profile, id: `a${e.acct}` };
      return;
    }
    const account = accounts[e.acct]!;
    if (e.kind === 'setup' || e.kind === 'setup-commit') {
      const call = { at: clock, callee: e.callee, id: `s${i}`, caller: e.caller ?? undefined };
      const commit = e.kind === 'setup-commit';
      const got = now.evaluateSetup(account, call, { commit });
      expect(got).toEqual(was.evaluateSetup(account, call, { commit }));
      hits += got.length;
      return;
    }
    let c: CdrRecord;
    if (e.kind === 'repeat' && sent.length > 0) c = sent[e.pick % sent.length]!;
    else {
      const end = e.kind === 'late' ? clock - e.lag : clock;
      const inbound = e.kind === 'ring';
      const answered = e.dur % 5 !== 0;
      const dur = answered ? e.dur : 0;
      c = {
        id: `c${i}`, accountId: account.id, direction: inbound ? 'inbound' : 'outbound',
        caller: inbound ? e.caller ?? null : e.caller ?? '+442071234567', callee: inbound ? '+442071234567' : e.callee,
        startedAt: end - dur * 1000 - 5000, answeredAt: answered ? end - dur * 1000 : null, endedAt: end,
        durationSec: dur, disposition: e.disposition ?? (answered ? 'answered' : null), costMicros: answered ? e.cost : 0,
        currency: 'GBP', phase: 'end',
      };
      if (e.kind === 'start') c = { ...c, phase: 'start', answeredAt: null, endedAt: null, durationSec: null, disposition: null, costMicros: null, startedAt: clock };
      sent.push(c);
    }
    const got = now.process(c, account);
    expect(got).toEqual(was.process(c, account));
    hits += got.hits.length;
  });
  for (const a of accounts) expect(now.snapshotAccount(a.id)).toEqual(was.snapshotAccount(a.id));
  expect(now.snapshot()).toEqual(was.snapshot());
  expect(now.errors.count()).toBe(was.errors.count());
  return hits;
}

describe('the engine against the code before branch match9', () => {
  it('gives the same outcomes, hits, stored parts and errors under the shipped rules', () => {
    let hits = 0;
    fc.assert(
      fc.property(fc.array(ev, { minLength: 1, maxLength: 300, size: 'max' }), fc.array(profileOf, { minLength: ACCOUNTS, maxLength: ACCOUNTS }), (evs, profiles) => {
        hits += agree(shipped, evs, profiles);
      }),
      { numRuns: 30, seed: 20261201 },
    );
    expect(hits).toBeGreaterThan(0);
  });

  it('and under generated rule sets (every match condition, appliesTo, hours and days, baselines)', () => {
    let hits = 0;
    fc.assert(
      fc.property(ruleSet, fc.array(ev, { minLength: 1, maxLength: 300, size: 'max' }), fc.array(profileOf, { minLength: ACCOUNTS, maxLength: ACCOUNTS }), (rules, evs, profiles) => {
        hits += agree(rules, evs, profiles);
      }),
      { numRuns: 60, seed: 20261201 },
    );
    expect(hits).toBeGreaterThan(100);
  });
});

describe('CdrMatcher against the code before branch match9 (number types by the digit automaton)', () => {
  /** The calls of `order` (indices into `pool`) through both matchers, each answer compared as it comes. */
  function same(rules: FraudRule[], pool: [CdrRecord, AccountProfile][], order: number[]): void {
    const now = new CdrMatcher(rules, 'Europe/London');
    const then = new BeforeMatcher(rules, 'Europe/London');
    sameMatches(now, then, pool, order, (c) => {
      expect(now.numbers.get(c.callee)).toEqual(then.numbers.get(c.callee));
      if (c.caller !== null) expect(now.numbers.get(c.caller)).toEqual(then.numbers.get(c.caller));
    });
  }

  it('gives the same rules for random CDRs and account profiles (types, tags, time zones), numbers coming back', () => {
    fc.assert(
      fc.property(
        fc.array(matchRule, { maxLength: 16 }),
        fc.array(fc.tuple(cdr, profileOf), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200, size: 'max' }),
        same,
      ),
      { numRuns: 400, seed: 20261201 },
    );
  });
});
