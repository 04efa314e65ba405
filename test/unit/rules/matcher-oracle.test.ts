// CdrMatcher.match and NumberClassifier.get (src: number-info's answers by array, the override trie read by `last`, the
// last two claimed numbers' masks kept, hours and days as two tables) give exactly what the code before
// branch `match6` gave (test/helpers/before-match6: cdr-matcher.ts, number-info.ts, number-plan.ts as on main
// 8d6dbf7), for generated rule sets (every match condition, appliesTo, overrides) and sequences of CDRs drawn from a
// small pool, so that the same few kinds of number come back in every order (A B A, A A B ...) and the memos carry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord, Disposition } from '../../../src/events/types.js';
import { CdrMatcher } from '../../../src/rules/cdr-matcher.js';
import { NumberClassifier } from '../../../src/rules/number-info.js';
import type { AccountProfile, FraudRule, NumberOverride } from '../../../src/rules/types.js';
import { CdrMatcher as BeforeMatcher } from '../../helpers/before-match6/cdr-matcher.js';
import { NumberClassifier as BeforeClassifier } from '../../helpers/before-match6/number-info.js';

const PREFIXES = ['+44', '+447', '+4420', '+449', '+882', '+883', '+252', '+1', '+1876', '118', '0', '07', '+', '+33', '+3', 'x1'];
const TYPES = ['premium_rate', 'mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'shared_cost', 'unknown', 'voip'];
const COUNTRIES = ['GB', 'FR', 'US', 'CA', 'JM', 'JE', 'GG', 'SO', 'DE'];
const DISPOSITIONS: Disposition[] = ['answered', 'no_answer', 'busy', 'failed', 'cancelled'];
const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Not/AZone'];

const subset = <T>(xs: readonly T[]) => fc.subarray([...xs], { minLength: 1 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const countries = fc.record({ any: maybe(subset(COUNTRIES)), none: maybe(subset(COUNTRIES)) }, { requiredKeys: [] });
const minute = fc.integer({ min: 0, max: 1439 });

const override: fc.Arbitrary<NumberOverride> = fc.record({
  prefix: fc.constantFrom('+44845', '+447700', '+4420', '+882', '+1876', '0845', '+33'),
  length: fc.option(fc.integer({ min: 6, max: 13 }), { nil: null }),
  type: fc.option(fc.constantFrom(...TYPES), { nil: null }),
  country: fc.option(fc.constantFrom('GB', 'FR', 'none'), { nil: null }),
});

const rule: fc.Arbitrary<FraudRule> = fc
  .record({
    direction: fc.constantFrom('outbound', 'inbound', 'outbound'),
    calleePrefixes: maybe(subset(PREFIXES)),
    callerPrefixes: maybe(subset(PREFIXES)),
    numberTypes: maybe(subset(TYPES)),
    countries: maybe(countries),
    callerCountries: maybe(countries),
    hours: maybe(fc.record({ from: minute, to: minute })),
    days: maybe(subset([0, 1, 2, 3, 4, 5, 6])),
    dispositions: maybe(subset(DISPOSITIONS)),
    appliesTo: fc.option(
      fc.record({ accountTypes: maybe(subset(['reseller', 'channel', 'customer'] as const)), tags: maybe(fc.record({ any: maybe(subset(['a', 'b'])), none: maybe(subset(['b', 'trusted-international'])) }, { requiredKeys: [] })) }, { requiredKeys: [] }),
      { nil: null, freq: 2 },
    ),
    numberOverrides: fc.array(override, { maxLength: 2 }),
  })
  .map((x) => {
    const match: Record<string, unknown> = { direction: x.direction };
    for (const k of ['calleePrefixes', 'callerPrefixes', 'numberTypes', 'countries', 'callerCountries', 'hours', 'days', 'dispositions'] as const) {
      if (x[k] !== undefined) match[k] = x[k];
    }
    return { id: 'r', match, appliesTo: x.appliesTo, numberOverrides: x.numberOverrides } as unknown as FraudRule;
  });

const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const number = fc.oneof(
  fc.tuple(fc.constantFrom('+44207', '+447', '+449', '+44845', '+448', '+44118', '+447700900', '+441632960'), fc.integer({ min: 3, max: 8 })).chain(([p, n]) => digits(n).map((d) => p + d)),
  fc.tuple(fc.constantFrom('+882', '+883', '+252', '+1876', '+1212', '+33', '+331', '+999', '+7', '+2'), fc.integer({ min: 4, max: 10 })).chain(([p, n]) => digits(n).map((d) => p + d)),
  fc.constantFrom('07700900123', '118500', '0845123456', '+44118118', '', 'abc', '+', '+0123456789', '+442071234567'),
);

const cdr: fc.Arbitrary<CdrRecord> = fc
  .record({
    direction: fc.constantFrom('outbound' as const, 'inbound' as const),
    phase: fc.constantFrom('end' as const, 'start' as const, 'end' as const),
    disposition: fc.option(fc.constantFrom(...DISPOSITIONS), { nil: null, freq: 4 }),
    answeredAt: fc.option(fc.constant(1), { nil: null }),
    durationSec: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    callee: number,
    caller: fc.option(number, { nil: null, freq: 5 }),
    startedAt: fc.integer({ min: Date.parse('2026-03-27T00:00:00Z'), max: Date.parse('2026-04-03T00:00:00Z') }),
  })
  .map((x) => ({ ...x, id: 'c', accountId: 'a', endedAt: null, costMicros: null, currency: null }) as CdrRecord);

const account: fc.Arbitrary<AccountProfile> = fc.record({
  id: fc.constant('a'),
  type: fc.constantFrom('customer' as const, 'reseller' as const, null),
  tags: fc.subarray(['a', 'b', 'trusted-international']),
  timezone: fc.constantFrom(...ZONES),
});

/** The CDRs of `order` (indices into `pool`) through both matchers; each answer compared as it comes. */
function agree(rules: FraudRule[], pool: [CdrRecord, AccountProfile][], order: number[]): void {
  const now = new CdrMatcher(rules, 'Europe/London');
  const then = new BeforeMatcher(rules, 'Europe/London');
  const a: number[] = [];
  const b: number[] = [];
  for (const i of order) {
    const [c, acct] = pool[i % pool.length]!;
    const n = now.match(c, acct, a);
    const k = then.match(c, acct, b);
    expect(a.slice(0, n)).toEqual(b.slice(0, k));
    expect(now.matchEach(c, acct, a)).toBe(k);
    expect(a.slice(0, k)).toEqual(b.slice(0, k));
  }
}

describe('CdrMatcher against the code before match6', () => {
  it('gives the same rules for sequences over a small pool of CDRs (numbers coming back in every order)', () => {
    fc.assert(
      fc.property(
        fc.array(rule, { maxLength: 12 }),
        fc.array(fc.tuple(cdr, account), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 40 }),
        agree,
      ),
      { numRuns: 600 },
    );
  });

  it('and for longer sequences of fresh CDRs, and directions of more than 31 rules', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 40 }), fc.array(fc.tuple(cdr, account), { minLength: 1, maxLength: 40 }), (rules, calls) => {
        agree(rules, calls, calls.map((_, i) => i));
      }),
      { numRuns: 200 },
    );
  });

  it('and at the edges of hours and days, in every zone', () => {
    // local minutes on and beside hours' ends (zones at +0/+1 h, -5/-4 h, +5:30), on every day of a week with a DST change
    const EDGES = [0, 60, 420, 480, 1260, 1320];
    const minuteOf = fc.tuple(fc.constantFrom(...EDGES), fc.constantFrom(0, -60, 300, 240, -330), fc.constantFrom(-1, 0, 1), fc.integer({ min: 0, max: 6 }));
    const edgeRule = fc.tuple(rule, fc.constantFrom(...EDGES), fc.constantFrom(...EDGES), fc.option(subset([0, 1, 2, 3, 4, 5, 6]), { nil: undefined })).map(([r, from, to, days]) => {
      const match = { ...r.match, hours: { from, to } } as Record<string, unknown>;
      if (days) match.days = days;
      else delete match.days;
      return { ...r, match } as unknown as FraudRule;
    });
    const day0 = Date.parse('2026-03-26T00:00:00Z');
    fc.assert(
      fc.property(fc.array(edgeRule, { minLength: 1, maxLength: 8 }), fc.array(fc.tuple(cdr, account, minuteOf), { minLength: 1, maxLength: 30 }), (rules, calls) => {
        const pool = calls.map(([c, acct, [h, z, d, day]]) => [{ ...c, startedAt: day0 + day * 86_400_000 + (((h + z + d) % 1440) + 1440) % 1440 * 60_000 }, acct] as [CdrRecord, AccountProfile]);
        agree(rules, pool, pool.map((_, i) => i));
      }),
      { numRuns: 400 },
    );
  });

  it('NumberClassifier.get answers as before, overrides included', () => {
    fc.assert(
      fc.property(fc.array(override, { maxLength: 4 }), fc.array(number, { minLength: 1, maxLength: 30 }), (overrides, numbers) => {
        const now = new NumberClassifier(overrides);
        const then = new BeforeClassifier(overrides);
        for (const n of [...numbers, ...numbers]) expect(now.get(n), n).toEqual(then.get(n));
      }),
      { numRuns: 500 },
    );
  });
});
