// CdrMatcher.match judges a direction's rules as bit masks with memos (a trie node's rules, a disposition's, a number
// type's and country's, a local minute's, the last number answer's); matchEach, the rule-by-rule loop it replaced, is
// the oracle. Generated rule sets (every match condition, appliesTo, number overrides; sometimes more than 31 rules of
// a direction, which matchEach judges) and sequences of generated CDRs (so the memos carry from one CDR to the next):
// both must give the same rules in the same order. Also PrefixTrie.last/pathMasks against walk/matched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord, Disposition } from '../../../src/events/types.js';
import { CdrMatcher } from '../../../src/rules/cdr-matcher.js';
import { PrefixTrie } from '../../../src/rules/prefix-trie.js';
import type { AccountProfile, FraudRule, NumberOverride } from '../../../src/rules/types.js';

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

/** The same CDRs through both ways; each answer is compared as it comes (the memos are per matcher). */
function agree(rules: FraudRule[], calls: [CdrRecord, AccountProfile][]): void {
  const m = new CdrMatcher(rules, 'Europe/London');
  const a: number[] = [];
  const b: number[] = [];
  for (const [c, acct] of calls) {
    const n = m.match(c, acct, a);
    const k = m.matchEach(c, acct, b);
    expect(a.slice(0, n)).toEqual(b.slice(0, k));
  }
}

describe('CdrMatcher.match (masks) against matchEach (rule by rule)', () => {
  it('gives the same rules in the same order for generated rule sets and CDRs', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), fc.array(fc.tuple(cdr, account), { minLength: 1, maxLength: 40 }), agree),
      { numRuns: 300 },
    );
  });

  it('and for directions of more than 31 rules (matchEach judges them) and exactly 31', () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 28, maxLength: 70 }), fc.array(fc.tuple(cdr, account), { minLength: 1, maxLength: 20 }), agree),
      { numRuns: 40 },
    );
  });

  it('repeats of one kind of number (the last answer kept) answer as the first', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), cdr, account, fc.array(fc.tuple(fc.constantFrom(...DISPOSITIONS), fc.integer({ min: 0, max: 6 * 86_400_000 })), { maxLength: 10 }), (rules, c, acct, changes) => {
        agree(rules, [[c, acct], ...changes.map(([d, dt]) => [{ ...c, disposition: d, startedAt: c.startedAt + dt }, acct] as [CdrRecord, AccountProfile])]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('PrefixTrie.last and pathMasks', () => {
  it('mark exactly the ids walk marks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...PREFIXES), fc.integer({ min: 0, max: 30 })), { maxLength: 20 }), fc.array(number, { maxLength: 20 }), (adds, numbers) => {
        const trie = new PrefixTrie(31);
        for (const [p, id] of adds) trie.add(p, id);
        const masks = trie.pathMasks((id) => 1 << id);
        for (const n of numbers) {
          trie.walk(n);
          let want = 0;
          for (let id = 0; id < 31; id++) if (trie.matched(id)) want |= 1 << id;
          expect(masks[trie.last(n)]).toBe(want);
        }
      }),
    );
  });
});
