// Number classification you can trust (issue 12 item 4): national service numbers are not premium rate (UK
// 0843-0845, 0870-0873), UK 09 and 118 are; a number no country claims (Ofcom's drama ranges, CONTRACT §2's caller)
// is in the account's own country, not international; rule files override by prefix. With regressions for the
// trade counter's 0845 supplier and the drama-range numbers at night.
import { describe, expect, it } from 'vitest';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { buildRuleSet } from '../../../src/rules/load-rules.js';
import { countryOf, NumberClassifier } from '../../../src/rules/number-info.js';
import type { CdrRecord } from '../../../src/events/types.js';
import { cdr, profile } from '../../helpers/traffic.js';

const numbers = new NumberClassifier();
const TUE_10 = Date.parse('2026-11-24T10:00:00Z');
const TUE_21 = Date.parse('2026-11-24T21:00:00Z');
const MIN = 60_000;

function rulesOf(yaml: string) {
  const { rules, problems } = buildRuleSet([{ file: 'test.yaml', text: yaml }], 'now');
  expect(problems).toEqual([]);
  return rules.fraud;
}

// As shipped before issue 12 (rules/fraud.yaml): premium-rate-numbers and night-international.
const SHIPPED = `
fraud:
  - id: premium-rate-numbers
    match: { numberTypes: [premium_rate] }
    measure: calls
    window: 1h
    warn: 3
    suspend: 10
  - id: night-international
    match:
      countries: { none: [GB] }
      hours: "20:00-07:00"
    measure: calls
    window: 1h
    warn: 5
    suspend: 15
`;

const hitsOf = (yaml: string, calls: CdrRecord[]) => {
  const engine = createFraudEngine(rulesOf(yaml), { allowedLatenessMs: 5 * MIN, defaultTimezone: 'Europe/London' });
  return calls.flatMap((c) => engine.process(c, profile(c.accountId)).hits);
};

describe('number types', () => {
  it.each([
    ['+448432001234', 'shared_cost'], ['+448442345678', 'shared_cost'], ['+448453001234', 'shared_cost'],
    ['+448701234567', 'shared_cost'], ['+448712345678', 'shared_cost'], ['+448722345678', 'shared_cost'], ['+448732345678', 'shared_cost'],
    ['+449012345678', 'premium_rate'], ['+44118118', 'premium_rate'], ['118500', 'premium_rate'],
    ['+441181234567', 'fixed_line'], ['+448001234567', 'toll_free'],
  ])('%s is %s', (n, type) => {
    expect(numbers.get(n).type).toBe(type);
  });

  it('a rule file overrides by prefix, longest prefix first, with an optional digit count', () => {
    const cache = new NumberClassifier([
      { prefix: '+44845', length: null, type: 'premium_rate', country: null },
      { prefix: '+448450', length: 12, type: 'toll_free', country: null },
      { prefix: '+88213', length: null, type: null, country: 'none' },
      { prefix: '+99912', length: null, type: 'voip', country: 'GB' },
    ]);
    expect(cache.get('+448453001234').type).toBe('premium_rate');
    expect(cache.get('+448450001234').type).toBe('toll_free');
    expect(cache.get('+44845000123').type).toBe('premium_rate');
    expect(cache.get('+99912345678')).toMatchObject({ type: 'voip', country: 'GB', unclaimed: false });
  });
});

describe('countries', () => {
  it('the drama ranges and CONTRACT §2 caller are GB; an unknown +44 range belongs to the account when it shares +44', () => {
    for (const n of ['+447700900123', '+441632960001', '+441632960999']) expect(countryOf(numbers.get(n), null)).toBe('GB');
    const unknownUk = numbers.get('+4420794601234'); // one digit too many for London: no range claims it
    expect(unknownUk.unclaimed).toBe(true);
    expect(countryOf(unknownUk, 'JE')).toBe('JE');
    expect(countryOf(unknownUk, 'FR')).toBe('GB');
    expect(countryOf(unknownUk, null)).toBe('GB');
  });

  it('non-geographic numbers are outside every country; national-format numbers are the account\'s own', () => {
    expect(countryOf(numbers.get('+88213000123'), 'GB')).toBeNull();
    expect(numbers.get('+88213000123').unclaimed).toBe(false);
    expect(countryOf(numbers.get('07700900123'), 'GB')).toBe('GB');
  });
});

describe('regressions of issue 12', () => {
  it('a trade counter calling its supplier\'s 0845 number 40 times a day is not premium-rate traffic', () => {
    const calls = Array.from({ length: 40 }, (_, i) => cdr({ id: `s${i}`, accountId: 'trade', callee: '+448453001234', startedAt: TUE_10 + i * 9 * MIN, durationSec: 120 }));
    expect(hitsOf(SHIPPED, calls)).toEqual([]);
    const premium = Array.from({ length: 10 }, (_, i) => cdr({ id: `p${i}`, accountId: 'hacked', callee: '+449012345678', startedAt: TUE_10 + i * MIN }));
    expect(hitsOf(SHIPPED, premium).filter((h) => h.level === 'suspend').map((h) => h.ruleId)).toEqual(['premium-rate-numbers']);
  });

  it('drama-range numbers at night are not international, from a drama-range caller too', () => {
    const calls = Array.from({ length: 30 }, (_, i) => cdr({
      id: `d${i}`, accountId: 'studio', caller: '+441632960001', callee: i % 2 ? `+4477009001${String(i).padStart(2, '0')}` : `+4416329601${String(i).padStart(2, '0')}`,
      startedAt: TUE_21 + i * MIN,
    }));
    expect(hitsOf(SHIPPED, calls)).toEqual([]);
    const abroad = Array.from({ length: 15 }, (_, i) => cdr({ id: `i${i}`, accountId: 'hacked', callee: `+3531234567${i % 10}`, startedAt: TUE_21 + i * MIN }));
    expect(hitsOf(SHIPPED, abroad).filter((h) => h.level === 'suspend').map((h) => h.ruleId)).toEqual(['night-international']);
  });

  it('a national-format callee on a call from a UK line is domestic', () => {
    const calls = Array.from({ length: 20 }, (_, i) => cdr({ id: `n${i}`, accountId: 'a', callee: '07700900123', startedAt: TUE_21 + i * MIN }));
    expect(hitsOf(SHIPPED, calls)).toEqual([]);
  });

  it('numberOverrides in a rule file apply to every rule loaded with it', () => {
    const yaml = `numberOverrides:\n  - { prefix: "+44845", type: premium_rate }\n${SHIPPED}`;
    const calls = Array.from({ length: 10 }, (_, i) => cdr({ id: `s${i}`, accountId: 'trade', callee: '+448453001234', startedAt: TUE_10 + i * MIN }));
    expect(hitsOf(yaml, calls).filter((h) => h.level === 'suspend').map((h) => h.ruleId)).toEqual(['premium-rate-numbers']);
  });
});

describe('rule files', () => {
  it('a bad override names its field; overrides without fraud rules are refused', () => {
    const bad = buildRuleSet([{ file: 'x.yaml', text: 'numberOverrides:\n  - { prefix: "+44x", type: premium }\nfraud:\n  - { id: a, measure: calls, window: 1h, suspend: 1 }\n' }], 'now').problems;
    expect(bad.map((p) => `${p.line}:${p.field}`)).toEqual(['2:numberOverrides[0].prefix', '2:numberOverrides[0].type']);
    const alone = buildRuleSet([{ file: 'y.yaml', text: 'numberOverrides:\n  - { prefix: "+44845", type: shared_cost }\n' }], 'now').problems;
    expect(alone.map((p) => p.field)).toEqual(['numberOverrides']);
  });
});
