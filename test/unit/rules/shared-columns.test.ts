// Window groups keep one row column for sources whose rules never count the same CDR (window-columns.ts; proven
// from the rules' directions, cdr-matcher.ts neverBoth) and keep apart the columns of rules that may both match.
// Either way every windowed measure equals a brute-force oracle over mixed inbound and outbound traffic, through
// account parts, parts written with one column per source (as builds before sharing wrote them: WindowPlan.share
// off), and a rule change that moves rows between layouts.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { createFraudEngine, eventTime } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { WindowPlan } from '../../../src/rules/rule-state.js';
import type { FraudEngine, FraudRule, Measure } from '../../../src/rules/types.js';
import { WindowState } from '../../../src/rules/window-state.js';
import { profile } from '../../helpers/traffic.js';

const DEFAULT_INDEX_ABOVE = WindowState.indexAbove;
const DEFAULT_SCAN_UP_TO = WindowState.scanUpTo;
const W = 10 * 60_000;
const BASE = Date.parse('2026-11-24T09:00:00Z');
const NUMBERS = ['+442071230001', '+442071230002', '+442071230013', '+447911123456', '+447911123457', '+4930123456', '+23240100111'];

function rule(id: string, direction: 'inbound' | 'outbound', measure: Measure): FraudRule {
  return {
    id, description: null, mode: 'enforce', appliesTo: null, match: { direction }, measure, windowMs: W, rangeDigits: 1,
    warn: null, suspend: 0, baseline: null, cooldownMs: 0, releaseAfterMs: null, origin: { file: 'test', line: 1 },
  };
}

/** Sources that may share: the inbound callers and costs with the outbound ranges and costs. */
const APART = [
  rule('callers-in', 'inbound', 'distinct_callers'),
  rule('callees-out', 'outbound', 'distinct_callees'),
  rule('cost-out', 'outbound', 'cost'),
  rule('range-out', 'outbound', 'range_scan'),
  rule('most-in', 'inbound', 'calls_to_one_callee'),
  rule('calls-in', 'inbound', 'calls'),
];
/** Inbound callers and callees: one CDR counts for both, so their columns stay apart. */
const OVERLAPPING = [
  rule('callers-in', 'inbound', 'distinct_callers'),
  rule('callees-in', 'inbound', 'distinct_callees'),
  rule('cost-in', 'inbound', 'cost'),
  rule('range-in', 'inbound', 'range_scan'),
];

const eventArb = fc.record({
  acct: fc.integer({ min: 0, max: 2 }),
  inbound: fc.boolean(),
  step: fc.integer({ min: 0, max: 120_000 }),
  lag: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 * 60_000 })),
  caller: fc.option(fc.integer({ min: 0, max: NUMBERS.length - 1 }), { freq: 6 }),
  callee: fc.integer({ min: 0, max: NUMBERS.length - 1 }),
  cost: fc.integer({ min: 0, max: 5_000_000 }),
});

type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function stream(events: EventSpec[]): CdrRecord[] {
  let clock = BASE;
  return events.map((e, i) => {
    clock += e.step;
    const endedAt = clock - e.lag;
    return {
      id: `c${i}`, accountId: `a${e.acct}`, direction: e.inbound ? 'inbound' : 'outbound', caller: e.caller === null ? null : NUMBERS[e.caller]!,
      callee: NUMBERS[e.callee]!, startedAt: endedAt - 65_000, answeredAt: endedAt - 60_000, endedAt, durationSec: 60,
      disposition: 'answered', costMicros: e.cost, currency: 'GBP', phase: 'end',
    };
  });
}

function measureOf(measure: Measure, events: CdrRecord[]): number {
  const most = (keys: string[]) => Math.max(0, ...keys.map((k) => keys.filter((x) => x === k).length));
  switch (measure) {
    case 'calls': return events.length;
    case 'cost': return events.reduce((s, c) => s + c.costMicros!, 0);
    case 'distinct_callers': return new Set(events.map((c) => c.caller)).size;
    case 'distinct_callees': return new Set(events.map((c) => c.callee)).size;
    case 'calls_to_one_callee': return most(events.map((c) => c.callee));
    case 'range_scan': {
      const ranges = new Map<string, Set<string>>();
      for (const c of events) ranges.set(c.callee.slice(0, -1), (ranges.get(c.callee.slice(0, -1)) ?? new Set()).add(c.callee));
      return Math.max(0, ...[...ranges.values()].map((s) => s.size));
    }
    default: throw new Error(measure);
  }
}

/** The values each CDR's hits report (every rule hits at 0): by brute force over the CDRs of its direction. */
function oracle(rules: FraudRule[], latenessMs: number, cdrs: CdrRecord[]): string[] {
  const accepted: CdrRecord[] = [];
  const maxT = new Map<string, number>();
  return cdrs.map((cdr) => {
    const t = eventTime(cdr);
    const wm = Math.max(maxT.get(cdr.accountId) ?? -Infinity, t) - latenessMs;
    if (t < wm - W) return 'late';
    maxT.set(cdr.accountId, wm + latenessMs);
    accepted.push(cdr);
    const tau = Math.max(t, wm);
    const counts = (r: FraudRule, c: CdrRecord) => c.direction === r.match.direction && (r.measure !== 'distinct_callers' || c.caller !== null);
    return rules
      .filter((r) => counts(r, cdr))
      .map((r) => `${r.id} ${measureOf(r.measure, accepted.filter((c) => c.accountId === cdr.accountId && counts(r, c) && eventTime(c) >= tau - W && eventTime(c) <= tau))}`)
      .join();
  });
}

const opts = (latenessMs: number) => ({ allowedLatenessMs: latenessMs, defaultTimezone: 'UTC' });
const step = (engine: FraudEngine, c: CdrRecord) => {
  const r = engine.process(c, profile(c.accountId));
  return r.outcome === 'late' ? 'late' : r.hits.map((h) => `${h.ruleId} ${h.value}`).join();
};

/** An engine of `rules` built with sharing on or off (its plan is fixed when built). */
function engineOf(rules: FraudRule[], latenessMs: number, share: boolean): FraudEngine {
  WindowPlan.share = share;
  try {
    return createFraudEngine(rules, opts(latenessMs));
  } finally {
    WindowPlan.share = true;
  }
}

/** Moves every account of `from` into a new engine through its parts. */
function throughParts(from: FraudEngine, rules: FraudRule[], latenessMs: number, share: boolean): FraudEngine {
  const to = engineOf(rules, latenessMs, share);
  to.restoreParts(from.snapshotShared(), from.dirtyAccounts().map((id) => [id, from.snapshotAccount(id)!] as const));
  return to;
}

describe('the window plan', () => {
  it("keeps the shipped rules' 1 h rows in 4 doubles: the inbound rule's callers share the outbound cost's column", () => {
    const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;
    const hour = new WindowPlan(rules).groups.find((g) => g.windowMs === 3_600_000)!;
    expect(hour.cols.map((c) => c.src)).toEqual(['caller', 'cost', 'callee', 'range']);
    expect(hour.stored.of).toEqual([[1, 2], [3], [4]]);
    // time + 3 columns + mask, the mask packed with the time (window-rows.ts): 4 doubles, 32 B
    expect([hour.stride, hour.stored.stride]).toEqual([5, 6]);
  });

  it('shares no column between rules one CDR may count for, and a rule written without a direction is outbound', () => {
    expect(new WindowPlan(OVERLAPPING).groups[0]!.stored.of).toEqual([[1], [2], [3], [4]]);
    const file = `fraud:\n  - id: callers\n    match: { direction: inbound }\n    measure: distinct_callers\n    window: 1h\n    suspend: 5\n  - id: callees\n    measure: distinct_callees\n    window: 1h\n    suspend: 5\n  - id: callees-in\n    match: { direction: inbound }\n    measure: distinct_callees\n    window: 1h\n    suspend: 5\n`;
    const rules = buildRuleSet([{ file: 'test.yaml', text: file }], 'now').rules.fraud;
    expect(rules[1]!.match.direction).toBe('outbound');
    // callers and callees share while only the outbound rule reads callees; an inbound callee rule keeps them apart
    expect(new WindowPlan(rules.slice(0, 2)).groups[0]!.stored.of).toEqual([[1, 2]]);
    expect(new WindowPlan(rules).groups[0]!.stored.of).toEqual([[1], [2]]);
  });
});

describe.each([
  // name, key measures indexed above, windows scanned up to (rows)
  ['scanned windows', DEFAULT_INDEX_ABOVE, DEFAULT_SCAN_UP_TO],
  ['cursored windows', DEFAULT_INDEX_ABOVE, 0],
  ['indexed windows', 1, 0],
  ['windows switching between all three', 3, 2],
])('shared and separate columns (%s)', (_name, indexAbove, scanUpTo) => {
  beforeAll(() => {
    WindowState.indexAbove = indexAbove;
    WindowState.scanUpTo = scanUpTo;
  });
  afterAll(() => {
    WindowState.indexAbove = DEFAULT_INDEX_ABOVE;
    WindowState.scanUpTo = DEFAULT_SCAN_UP_TO;
  });
  afterEach(() => {
    WindowPlan.share = true;
  });

  it.each([
    ['rules of opposite directions (columns shared)', APART],
    ['rules one CDR may count for (columns apart)', OVERLAPPING],
  ])('%s: every measure equals the oracle, through parts written with or without sharing', (_n, rules) => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 90 }), fc.nat(), fc.constantFrom(0, 60_000), fc.boolean(), fc.boolean(), (events, cut, latenessMs, writerShares, readerShares) => {
        const cdrs = stream(events);
        const split = cut % (cdrs.length + 1);
        const expected = oracle(rules, latenessMs, cdrs);
        const whole = engineOf(rules, latenessMs, true);
        expect(cdrs.map((c) => step(whole, c))).toEqual(expected);
        // a writer with one column per source writes parts as builds before sharing did, and reads the new ones
        const writer = engineOf(rules, latenessMs, writerShares);
        const head = cdrs.slice(0, split).map((c) => step(writer, c));
        const reader = throughParts(writer, rules, latenessMs, readerShares);
        expect([...head, ...cdrs.slice(split).map((c) => step(reader, c))]).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('a rule change moves rows between layouts (callers from the cost column to the callee column) and keeps the surviving measures', () => {
    // without the inbound callee rule, the callers share the outbound callees' column instead of the cost's
    const after = APART.filter((r) => r.id !== 'most-in');
    expect([new WindowPlan(APART).groups[0]!.stored.of, new WindowPlan(after).groups[0]!.stored.of]).toEqual([[[1, 3], [2], [4]], [[1, 2], [3], [4]]]);
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 90 }), fc.nat(), fc.boolean(), (events, cut, share) => {
        const cdrs = stream(events);
        const split = cut % (cdrs.length + 1);
        const engine = engineOf(APART, 0, share);
        const head = cdrs.slice(0, split).map((c) => step(engine, c));
        WindowPlan.share = share;
        engine.setRules(after);
        WindowPlan.share = true;
        const tail = cdrs.slice(split).map((c) => step(engine, c));
        // the surviving rules' fingerprints are unchanged: their rows move, so they count as if never changed
        expect(head).toEqual(oracle(APART, 0, cdrs).slice(0, split));
        expect(tail).toEqual(oracle(after, 0, cdrs).slice(split));
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
