// The compiled number plan (src/rules/number-plan.ts) gives exactly libphonenumber-js's answer (calling code,
// country, national number, type) for E.164 numbers of every calling code: random digits of every length, numbers
// drawn from each plan's own type patterns (so every type of every country is reached, not only the lucky few of
// random digits), the same with a national prefix written in, and near misses (a digit changed, one digit more or
// less). The library's own `parsePhoneNumberFromString(n)` and `getType()` are the oracle.
import fc from 'fast-check';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_OVERRIDES, NumberClassifier, type NumberInfo } from '../../../src/rules/number-info.js';
import { parseE164, type ParsedNumber } from '../../../src/rules/number-plan.js';
import type { NumberOverride } from '../../../src/rules/types.js';
import { rng } from '../../helpers/traffic.js';

const E164 = /^\+[1-9]\d{5,14}$/;
type PlanJson = (string | number[] | unknown)[];
const meta = metadata as unknown as { country_calling_codes: Record<string, string[]>; countries: Record<string, PlanJson>; nonGeographic: Record<string, PlanJson> };
const plans: [string, PlanJson][] = [...Object.values(meta.countries), ...Object.values(meta.nonGeographic)].map((p) => [String(p[0]), p]);
const callingCodes = [...new Set(plans.map(([code]) => code))];

function oracle(number: string): ParsedNumber | null {
  const p = parsePhoneNumberFromString(number);
  if (!p) return null;
  return { callingCode: p.countryCallingCode, country: p.country ?? null, nationalNumber: p.nationalNumber, type: p.getType() ?? null };
}

/**
 * The classification as it was computed before number-plan.ts (issue 12): the library's parse and type, then the
 * longest override by a scan of every prefix (a later one of equal prefix wins).
 */
function classifiedByLibrary(number: string, extra: readonly NumberOverride[]): NumberInfo {
  let base: NumberInfo;
  if (!E164.test(number)) base = { type: 'unknown', country: null, e164: false, unclaimed: true, codeCountries: [] };
  else {
    const p = parsePhoneNumberFromString(number);
    const type = p?.getType()?.toLowerCase() ?? 'unknown';
    const codeCountries = p ? (meta.country_calling_codes[p.countryCallingCode] ?? []).filter((c) => /^[A-Z]{2}$/.test(c)) : [];
    if (!p) base = { type: 'unknown', country: null, e164: true, unclaimed: true, codeCountries: [] };
    else if (p.country) base = { type, country: p.country, e164: true, unclaimed: false, codeCountries: [] };
    else base = { type, country: null, e164: true, unclaimed: codeCountries.length > 0, codeCountries };
  }
  const all = [...BUILT_IN_OVERRIDES, ...extra].map((o, i) => ({ o, i })).sort((a, b) => b.o.prefix.length - a.o.prefix.length || b.i - a.i);
  const digits = number.startsWith('+') ? number.length - 1 : number.length;
  const hit = all.find(({ o }) => number.startsWith(o.prefix) && (o.length === null || o.length === digits))?.o;
  if (!hit) return base;
  const info = { ...base };
  if (hit.type !== null) info.type = hit.type;
  if (hit.country !== null) Object.assign(info, { country: hit.country === 'none' ? null : hit.country, unclaimed: false, codeCountries: [] });
  return info;
}

/** A random string matching a metadata pattern (digits, \d, [..] classes, (?:..), |, ?, {n} and {n,m}). */
function sample(pattern: string, r: () => number): string {
  let i = 0;
  const pick = (n: number) => Math.floor(r() * n);
  function alternation(): string {
    const options: (() => string)[] = [];
    let start = i;
    let depth = 0;
    // from i to the ')' that closes the current group (or the end): split at top-level '|', sample one branch
    for (; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '\\') i++;
      else if (c === '[') i = pattern.indexOf(']', i);
      else if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (c === '|' && depth === 0) {
        const [from, to] = [start, i];
        options.push(() => sequence(from, to));
        start = i + 1;
      }
    }
    const [from, to] = [start, i];
    options.push(() => sequence(from, to));
    return options[pick(options.length)]!();
  }
  function sequence(from: number, to: number): string {
    const save = i;
    i = from;
    let out = '';
    while (i < to) {
      let atom: () => string;
      const c = pattern[i]!;
      if (c === '(') {
        i += pattern.startsWith('(?:', i) ? 3 : 1;
        const begin = i;
        alternation(); // moves i to the group's ')'
        i++;
        atom = () => {
          const keep = i;
          i = begin;
          const s = alternation();
          i = keep;
          return s;
        };
      } else if (c === '[') {
        const close = pattern.indexOf(']', i);
        const body = pattern.slice(i + 1, close);
        const set: string[] = [];
        for (let k = 0; k < body.length; k++) {
          if (body[k + 1] === '-' && k + 2 < body.length) {
            for (let d = body.charCodeAt(k); d <= body.charCodeAt(k + 2); d++) set.push(String.fromCharCode(d));
            k += 2;
          } else set.push(body[k]!);
        }
        i = close + 1;
        atom = () => set[pick(set.length)]!;
      } else if (c === '\\') {
        i += 2;
        atom = () => String(pick(10));
      } else {
        i++;
        atom = () => c;
      }
      let min = 1;
      let max = 1;
      if (pattern[i] === '?') {
        [min, max] = [0, 1];
        i++;
      } else if (pattern[i] === '{') {
        const close = pattern.indexOf('}', i);
        const [a, b] = pattern.slice(i + 1, close).split(',');
        [min, max] = [Number(a), b === undefined ? Number(a) : Number(b)];
        i = close + 1;
      }
      const times = min + pick(max - min + 1);
      for (let k = 0; k < times; k++) out += atom();
    }
    i = save;
    return out;
  }
  i = 0;
  const s = alternation();
  return s;
}

/** Numbers drawn from a plan's patterns (national pattern and every type), with prefixes and near misses. */
function corpus(seed: number, perPattern: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (const [code, p] of plans) {
    const patterns = [p[2] as string, ...((p[11] as ([string] | null)[] | undefined) ?? []).flatMap((t) => (t?.[0] ? [t[0]] : []))];
    const nationalPrefix = typeof p[5] === 'string' ? p[5] : '';
    for (const pattern of patterns) {
      for (let k = 0; k < perPattern; k++) {
        const national = sample(pattern, r);
        const x = r();
        const body = x < 0.15 && nationalPrefix ? nationalPrefix + national : national;
        let n = `+${code}${body}`;
        const y = r();
        if (y < 0.15) n = n.slice(0, -1);
        else if (y < 0.3) n += String(Math.floor(r() * 10));
        else if (y < 0.45) {
          const at = 1 + code.length + Math.floor(r() * body.length);
          n = n.slice(0, at) + String(Math.floor(r() * 10)) + n.slice(at + 1);
        }
        if (E164.test(n)) out.push(n);
      }
    }
  }
  return out;
}

describe('number plan (libphonenumber-js compiled once)', () => {
  it('pattern sampler draws strings its pattern matches', () => {
    const r = rng(3);
    for (const [, p] of plans.slice(0, 40)) {
      const pattern = p[2] as string;
      for (let k = 0; k < 5; k++) expect(sample(pattern, r)).toMatch(new RegExp(`^(?:${pattern})$`));
    }
  });

  it('gives the library\'s answer for numbers drawn from every plan\'s type patterns, prefixed and mutated', () => {
    const numbers = corpus(12, 40);
    let typed = 0;
    const types = new Set<string>();
    for (const n of numbers) {
      const want = oracle(n);
      if (want?.type) {
        typed++;
        types.add(want.type);
      }
      expect(parseE164(n), n).toEqual(want);
    }
    // the corpus reaches every type the library knows and mostly valid numbers
    expect(numbers.length).toBeGreaterThan(50_000);
    expect(typed / numbers.length).toBeGreaterThan(0.5);
    expect([...types].sort()).toEqual(['FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'MOBILE', 'PAGER', 'PERSONAL_NUMBER', 'PREMIUM_RATE', 'SHARED_COST', 'TOLL_FREE', 'UAN', 'VOICEMAIL', 'VOIP']);
  }, 120_000);

  it('gives the library\'s answer for random digits after any calling code, or none, at every E.164 length', () => {
    const code = fc.oneof(fc.constantFrom(...callingCodes), fc.integer({ min: 1, max: 999 }).map(String));
    fc.assert(
      fc.property(code, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 3, maxLength: 14 }), (cc, digits) => {
        const n = `+${cc}${digits.join('')}`.slice(0, 16);
        if (!E164.test(n)) return;
        expect(parseE164(n), n).toEqual(oracle(n));
      }),
      { seed: 17, numRuns: 60_000 },
    );
  }, 120_000);

  it('classifies as the library plus the overrides did, for every kind of number and override', () => {
    const extra: NumberOverride[] = [
      { prefix: '+44845', length: null, type: 'premium_rate', country: null },
      { prefix: '+448450', length: 12, type: 'toll_free', country: null },
      { prefix: '+88213', length: null, type: null, country: 'none' },
      { prefix: '+99912', length: null, type: 'voip', country: 'GB' },
      { prefix: '+4420', length: null, type: null, country: 'JE' },
      { prefix: '+4420', length: null, type: 'uan', country: null },
      { prefix: '0', length: 11, type: 'mobile', country: null },
    ];
    const r = rng(21);
    const near = (prefix: string) => prefix + Array.from({ length: 3 + Math.floor(r() * 10) }, () => Math.floor(r() * 10)).join('');
    const numbers = [
      ...corpus(5, 3),
      ...[...BUILT_IN_OVERRIDES, ...extra].flatMap((o) => Array.from({ length: 40 }, () => near(o.prefix))),
      ...Array.from({ length: 200 }, () => near(['0', '118', '07', '+'][Math.floor(r() * 4)]!)),
    ];
    for (const overrides of [[], extra]) {
      const classifier = new NumberClassifier(overrides);
      for (const n of numbers) expect(classifier.get(n), n).toEqual(classifiedByLibrary(n, overrides));
    }
  }, 120_000);
});
