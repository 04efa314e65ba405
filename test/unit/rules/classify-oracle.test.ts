// classifyE164 and parseE164 (src/rules/number-plan.ts: the pattern tests of a calling code answered by one walk
// of a digit automaton, answers kept per state and digit count; branch match6's c47890d, re-adopted by branch match9)
// give exactly what main gave (test/helpers/before-match9-ring9/number-plan.ts: every pattern tested by its RegExp), for numbers drawn from every plan's
// national, type and national-prefix-for-parsing patterns (with a national prefix written in, near misses, extra
// digits past 17, letters), random digits after any calling code, and sequences that revisit the same states (the
// kept answers), with the automata as made (up to 4,096 states a code), capped at 700 (+1's 1,340 states: RegExps
// only, +44's 683: automaton) and off.
import fc from 'fast-check';
import metadata from 'libphonenumber-js/max/metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { automatonStates, classifyE164, parseE164, resetAutomata } from '../../../src/rules/number-plan.js';
import * as before from '../../helpers/before-match9-ring9/number-plan.js';
import { drawFrom } from '../../helpers/pattern-draw.js';
import { rng } from '../../helpers/traffic.js';

type PlanJson = (string | number[] | unknown)[];
const meta = metadata as unknown as { countries: Record<string, PlanJson>; nonGeographic: Record<string, PlanJson> };
const plans: [string, PlanJson][] = [...Object.values(meta.countries), ...Object.values(meta.nonGeographic)].map((p) => [String(p[0]), p]);
const callingCodes = [...new Set(plans.map(([code]) => code))];

/** Digit strings after each calling code, drawn from its plans' patterns, as the national part of a number. */
function nationals(seed: number, perPattern: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (const [code, p] of plans) {
    const types = ((p[11] as ([string] | null)[] | undefined) ?? []).flatMap((t) => (t?.[0] ? [t[0]] : []));
    const prefix = typeof p[7] === 'string' ? p[7] : typeof p[5] === 'string' ? p[5] : null;
    const nationalPrefix = typeof p[5] === 'string' ? p[5] : '';
    for (const pattern of [p[2] as string, ...types]) {
      for (let k = 0; k < perPattern; k++) {
        const national = drawFrom(pattern, r);
        if (national === null) continue;
        const x = r();
        let body = national;
        if (x < 0.1 && nationalPrefix) body = nationalPrefix + national;
        else if (x < 0.2 && prefix) body = (drawFrom(prefix, r) ?? '') + national;
        const y = r();
        if (y < 0.1) body = body.slice(0, -1);
        else if (y < 0.2) body += String(Math.floor(r() * 10));
        else if (y < 0.3) {
          const at = Math.floor(r() * body.length);
          body = body.slice(0, at) + String(Math.floor(r() * 10)) + body.slice(at + 1);
        } else if (y < 0.32) body += '1234567890';
        else if (y < 0.33) body = body.slice(0, 2) + 'x' + body.slice(2);
        out.push(`+${code}${body}`);
      }
    }
  }
  return out;
}

function same(n: string): void {
  const id = classifyE164(n);
  expect(id, n).toBe(before.classifyE164(n));
  expect(parseE164(n), n).toEqual(before.parseE164(n));
  // and the national number of an answer given by classifyE164 (not only by parseE164)
  if (id >= 0) expect(parseE164(n)?.nationalNumber, n).toBe(before.parseE164(n)?.nationalNumber);
}

describe('classifyE164 against the RegExps-only code (before match9)', () => {
  afterAll(() => resetAutomata(4096));
  const corpus = nationals(21, 25);

  for (const limit of [4096, 700, 0]) {
    it(`answers as before for numbers of every plan's patterns (automata of at most ${limit} states)`, () => {
      resetAutomata(limit);
      expect(corpus.length).toBeGreaterThan(30_000);
      // twice: the second pass reads the answers the first kept
      for (let pass = 0; pass < 2; pass++) for (const n of corpus) same(n);
      if (limit > 0) expect(automatonStates(44)).toBeGreaterThan(0);
      if (limit > 0) expect(automatonStates(44)).toBeLessThanOrEqual(limit);
      expect(automatonStates(1)).toBe(limit >= 4096 ? 1340 : -1);
    }, 120_000);
  }

  it('answers as before for random digits after any calling code, in sequences revisiting states', () => {
    resetAutomata(4096);
    const code = fc.oneof(fc.constantFrom(...callingCodes), fc.integer({ min: 1, max: 999 }).map(String));
    const digits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 0, maxLength: 19 }).map((d) => d.join(''));
    const number = fc.tuple(code, digits, fc.constantFrom('', '', '', 'a', '+', ' ')).map(([c, d, junk]) => `+${c}${d}${junk}`);
    fc.assert(
      fc.property(fc.array(number, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (numbers, repeats) => {
        for (let k = 0; k <= repeats; k++) for (const n of numbers) same(n);
      }),
      { numRuns: 3000 },
    );
  }, 120_000);

  it('keeps the automata small on the bench\'s traffic', () => {
    resetAutomata(4096);
    const r = rng(5);
    for (let i = 0; i < 20_000; i++) same(`+44${Math.floor(1e9 + r() * 9e9)}`);
    expect(automatonStates(44)).toBeLessThan(1000);
  });
});
