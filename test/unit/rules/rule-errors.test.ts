// A rule can never lose a batch (issue 12 item 6): baseline levels stay whole micro-units (the fractional level
// 57600000.00000001 that could not be formatted as money), and an error thrown while one rule judges one record is
// caught and recorded with the rule, account and record, while the record's other rules and later records go on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatMicros } from '../../../src/domain/money.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { RuleState, wholeUnits } from '../../../src/rules/rule-state.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { cdr, profile } from '../../helpers/traffic.js';

const T0 = Date.parse('2026-11-24T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

function rule(over: Partial<FraudRule>): FraudRule {
  return {
    id: 'r', description: null, mode: 'enforce', appliesTo: null, match: { direction: 'outbound' }, measure: 'calls',
    windowMs: 10 * MIN, rangeDigits: 2, warn: null, suspend: 3, baseline: null, cooldownMs: null, releaseAfterMs: null,
    origin: { file: 'test', line: 1 }, ...over,
  };
}

/** The shipped spend-spike with a minimum of 50.00: 45.00 in one hour, then 60.00 two idle hours later. */
const spendSpike = rule({ id: 'spend-spike', mode: 'review', match: { direction: 'outbound', dispositions: ['answered'] }, measure: 'cost', windowMs: HOUR, suspend: 50_000_000, baseline: { factor: 10, minimum: 50_000_000 }, cooldownMs: 6 * HOUR });
const expensiveCall = rule({ id: 'expensive-call', measure: 'call_cost', windowMs: null, warn: 25_000_000, suspend: 75_000_000, cooldownMs: HOUR });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('baseline levels in whole units', () => {
  it('a product a hair above a whole number is that number; anything else rounds up', () => {
    expect(wholeUnits(57_600_000.00000001)).toBe(57_600_000);
    expect(wholeUnits(69_468_160.00000001)).toBe(69_468_160);
    expect(wholeUnits(44_459_622.4)).toBe(44_459_623);
    expect(wholeUnits(0)).toBe(0);
  });

  it('the decayed spend-spike baseline gives a level in whole micro-units that formats as money', () => {
    const engine = createFraudEngine([spendSpike], { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC' });
    expect(engine.process(cdr({ id: 'c1', accountId: 'a', callee: '+442071230001', startedAt: T0, costMicros: 45_000_000 }), profile('a')).hits).toEqual([]);
    const hits = engine.process(cdr({ id: 'c2', accountId: 'a', callee: '+442071230001', startedAt: T0 + 3 * HOUR, costMicros: 60_000_000 }), profile('a')).hits;
    // 10 x (0.2 x 45.00 x 0.8^2) = 57.60, which floating point computes as 57600000.00000001 micro-units
    expect(hits.map((h) => [h.ruleId, h.value, h.threshold])).toEqual([['spend-spike', 60_000_000, 57_600_000]]);
    expect(formatMicros(hits[0]!.threshold)).toBe('57.60');
    expect(engine.errors.count()).toBe(0);
  });
});

describe('rule errors', () => {
  it('a rule that throws loses only its own verdict: the record\'s other rules and later records go on', () => {
    const level = RuleState.prototype.level;
    vi.spyOn(RuleState.prototype, 'level').mockImplementation(function (this: RuleState, r, value, at) {
      if (r.id === 'boom') throw new Error('kaboom');
      return level.call(this, r, value, at);
    });
    const seen: string[] = [];
    const errors = new RuleErrors((e) => seen.push(`${e.ruleId} ${e.accountId} ${e.cdrId} ${e.message}`));
    const boom = rule({ id: 'boom', measure: 'call_cost', windowMs: null, suspend: 0 });
    const engine = createFraudEngine([boom, expensiveCall], { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC', errors });
    const first = engine.process(cdr({ id: 'x1', accountId: 'acct-1', callee: '+442071230001', startedAt: T0, costMicros: 80_000_000 }), profile('acct-1'));
    expect(first.outcome).toBe('accepted');
    expect(first.hits.map((h) => [h.ruleId, h.level, h.sampleCdrIds])).toEqual([['expensive-call', 'suspend', ['x1']]]);
    const second = engine.process(cdr({ id: 'x2', accountId: 'acct-2', callee: '+442071230001', startedAt: T0 + MIN, costMicros: 30_000_000 }), profile('acct-2'));
    expect(second.hits.map((h) => [h.accountId, h.ruleId, h.level])).toEqual([['acct-2', 'expensive-call', 'warn']]);
    expect(seen).toEqual(['boom acct-1 x1 kaboom', 'boom acct-2 x2 kaboom']);
    expect(errors.count('boom')).toBe(2);
    expect(errors.count('expensive-call')).toBe(0);
    expect(errors.summary()).toEqual({
      boom: { count: 2, last: { accountId: 'acct-2', cdrId: 'x2', phase: 'end', at: new Date(T0 + MIN + 65_000).toISOString(), message: 'kaboom' } },
    });
  });

  it('a listener that throws does not escape the engine', () => {
    vi.spyOn(RuleState.prototype, 'level').mockImplementation(() => {
      throw new Error('always');
    });
    const errors = new RuleErrors(() => {
      throw new Error('listener down');
    });
    const engine = createFraudEngine([expensiveCall], { allowedLatenessMs: 5 * MIN, defaultTimezone: 'UTC', errors });
    expect(engine.process(cdr({ id: 'y1', accountId: 'a', callee: '+442071230001', startedAt: T0, costMicros: 80_000_000 }), profile('a'))).toEqual({ outcome: 'accepted', hits: [] });
    expect(errors.count()).toBe(1);
  });
});
