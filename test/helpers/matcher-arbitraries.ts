// Generated rule sets (every match condition, appliesTo, number overrides), CDRs, numbers and accounts for the
// matcher's property tests (matcher-masks, matcher-oracle, match9-oracle), and the loop that holds two matchers to
// the same answers (sameMatches).
import fc from 'fast-check';
import { expect } from 'vitest';
import type { CdrRecord, Disposition } from '../../src/events/types.js';
import type { AccountProfile, FraudRule, NumberOverride } from '../../src/rules/types.js';

export const PREFIXES = ['+44', '+447', '+4420', '+449', '+882', '+883', '+252', '+1', '+1876', '118', '0', '07', '+', '+33', '+3', 'x1'];
export const TYPES = ['premium_rate', 'mobile', 'fixed_line', 'fixed_line_or_mobile', 'toll_free', 'shared_cost', 'unknown', 'voip'];
export const COUNTRIES = ['GB', 'FR', 'US', 'CA', 'JM', 'JE', 'GG', 'SO', 'DE'];
export const DISPOSITIONS: Disposition[] = ['answered', 'no_answer', 'busy', 'failed', 'cancelled'];
export const ZONES = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Not/AZone'];

export const subset = <T>(xs: readonly T[]) => fc.subarray([...xs], { minLength: 1 });
export const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
export const countries = fc.record({ any: maybe(subset(COUNTRIES)), none: maybe(subset(COUNTRIES)) }, { requiredKeys: [] });
export const minute = fc.integer({ min: 0, max: 1439 });

export const override: fc.Arbitrary<NumberOverride> = fc.record({
  prefix: fc.constantFrom('+44845', '+447700', '+4420', '+882', '+1876', '0845', '+33'),
  length: fc.option(fc.integer({ min: 6, max: 13 }), { nil: null }),
  type: fc.option(fc.constantFrom(...TYPES), { nil: null }),
  country: fc.option(fc.constantFrom('GB', 'FR', 'none'), { nil: null }),
});

export const rule: fc.Arbitrary<FraudRule> = fc
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

export const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
export const number = fc.oneof(
  fc.tuple(fc.constantFrom('+44207', '+447', '+449', '+44845', '+448', '+44118', '+447700900', '+441632960'), fc.integer({ min: 3, max: 8 })).chain(([p, n]) => digits(n).map((d) => p + d)),
  fc.tuple(fc.constantFrom('+882', '+883', '+252', '+1876', '+1212', '+33', '+331', '+999', '+7', '+2'), fc.integer({ min: 4, max: 10 })).chain(([p, n]) => digits(n).map((d) => p + d)),
  fc.constantFrom('07700900123', '118500', '0845123456', '+44118118', '', 'abc', '+', '+0123456789', '+442071234567'),
);

export const cdr: fc.Arbitrary<CdrRecord> = fc
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

export const account: fc.Arbitrary<AccountProfile> = fc.record({
  id: fc.constant('a'),
  type: fc.constantFrom('customer' as const, 'reseller' as const, null),
  tags: fc.subarray(['a', 'b', 'trusted-international']),
  timezone: fc.constantFrom(...ZONES),
});

/** What the matcher oracles call on either side (src's CdrMatcher and a frozen copy). */
interface Matches {
  match(cdr: CdrRecord, account: AccountProfile, out: number[]): number;
}

/**
 * The CDRs of `order` (indices into `pool`) through two matchers, each answer compared as it comes; `also` checks
 * more per CDR (`then`'s answer: its `k` rules in `want`; `out` is `now`'s to reuse).
 */
export function sameMatches<M extends Matches>(
  now: M, then: Matches, pool: [CdrRecord, AccountProfile][], order: number[],
  also: (cdr: CdrRecord, account: AccountProfile, k: number, out: number[], want: number[]) => void = () => {},
): void {
  const a: number[] = [];
  const b: number[] = [];
  for (const i of order) {
    const [c, acct] = pool[i % pool.length]!;
    const n = now.match(c, acct, a);
    const k = then.match(c, acct, b);
    expect(a.slice(0, n)).toEqual(b.slice(0, k));
    also(c, acct, k, a, b);
  }
}
