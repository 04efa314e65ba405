// CdrMatcher.match and NumberClassifier.get (src: number-info's answers by array, the override trie read by `last`, the
// last two claimed numbers' masks kept, hours and days as two tables) give exactly what the code before
// branch `match6` gave (test/helpers/before-match6: cdr-matcher.ts, number-info.ts, number-plan.ts as on main
// 8d6dbf7), for generated rule sets (every match condition, appliesTo, overrides) and sequences of CDRs drawn from a
// small pool, so that the same few kinds of number come back in every order (A B A, A A B ...) and the memos carry.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { CdrMatcher } from '../../../src/rules/cdr-matcher.js';
import { NumberClassifier } from '../../../src/rules/number-info.js';
import type { AccountProfile, FraudRule } from '../../../src/rules/types.js';
import { CdrMatcher as BeforeMatcher } from '../../helpers/before-match6/cdr-matcher.js';
import { NumberClassifier as BeforeClassifier } from '../../helpers/before-match6/number-info.js';

import { account, cdr, number, override, rule, sameMatches, subset } from '../../helpers/matcher-arbitraries.js';

/** The CDRs of `order` (indices into `pool`) through both matchers; each answer compared as it comes. */
function agree(rules: FraudRule[], pool: [CdrRecord, AccountProfile][], order: number[]): void {
  const now = new CdrMatcher(rules, 'Europe/London');
  sameMatches(now, new BeforeMatcher(rules, 'Europe/London'), pool, order, (c, acct, k, a, b) => {
    expect(now.matchEach(c, acct, a)).toBe(k);
    expect(a.slice(0, k)).toEqual(b.slice(0, k));
  });
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
