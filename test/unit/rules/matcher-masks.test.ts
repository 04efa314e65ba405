// CdrMatcher.match judges a direction's rules as bit masks with memos (a trie node's rules, a disposition's, a number
// type's and country's, a local minute's, the last number answer's); matchEach, the rule-by-rule loop it replaced, is
// the oracle. Generated rule sets (every match condition, appliesTo, number overrides; sometimes more than 31 rules of
// a direction, which matchEach judges) and sequences of generated CDRs (so the memos carry from one CDR to the next):
// both must give the same rules in the same order. Also PrefixTrie.last/pathMasks against walk/matched.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CdrRecord } from '../../../src/events/types.js';
import { CdrMatcher } from '../../../src/rules/cdr-matcher.js';
import { PrefixTrie } from '../../../src/rules/prefix-trie.js';
import type { AccountProfile, FraudRule } from '../../../src/rules/types.js';

import { account, cdr, DISPOSITIONS, number, PREFIXES, rule } from '../../helpers/matcher-arbitraries.js';

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
