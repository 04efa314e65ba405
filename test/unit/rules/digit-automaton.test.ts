// The digit automaton (src/rules/digit-automaton.ts) answers as the JS RegExp of every pattern of libphonenumber's
// metadata that number-plan.ts tests (national patterns, type patterns, leading digits, national prefixes for
// parsing): entirely (`^(?:p)$`.test), and as a prefix (`search(p) === 0` and `^(?:p)` exec), over strings drawn
// from each pattern, their near misses (a digit changed, dropped or added, cut short) and random digits.
import { Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { DigitAutomaton, parsePattern, Unsupported } from '../../../src/rules/digit-automaton.js';
import { draw } from '../../helpers/pattern-draw.js';
import { rng } from '../../helpers/traffic.js';

const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
interface PlanApi {
  nationalNumberPattern(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  type(t: string): { pattern(): string | undefined } | undefined;
}
const meta = metadata as unknown as { countries: Record<string, unknown>; nonGeographic: Record<string, unknown> };

/** Every pattern number-plan.ts compiles, with how it tests it. */
function metadataPatterns(): { entire: Set<string>; prefix: Set<string> } {
  const entire = new Set<string>();
  const prefix = new Set<string>();
  for (const key of [...Object.keys(meta.countries), ...Object.keys(meta.nonGeographic)]) {
    const np = (new Metadata(metadata) as unknown as { selectNumberingPlan(k: string): { numberingPlan: PlanApi } }).selectNumberingPlan(key).numberingPlan;
    entire.add(`${np.nationalNumberPattern()}`);
    for (const t of TYPES) {
      const p = np.type(t)?.pattern();
      if (p) entire.add(p);
    }
    const l = np.leadingDigits();
    if (l) prefix.add(l);
    const f = np.nationalPrefixForParsing();
    if (f) prefix.add(f);
  }
  return { entire, prefix };
}

function strings(pattern: string, r: () => number, n: number): string[] {
  const tree = parsePattern(pattern);
  const out: string[] = ['', '0', '1'];
  for (let k = 0; k < n; k++) {
    const s = draw(tree, r);
    if (s === null) continue;
    out.push(s);
    const at = Math.floor(r() * (s.length + 1));
    const d = String(Math.floor(r() * 10));
    out.push(s.slice(0, at) + d + s.slice(at + 1), s.slice(0, at) + s.slice(at + 1), s.slice(0, at) + d + s.slice(at), s.slice(0, at));
  }
  for (let k = 0; k < n; k++) out.push(Array.from({ length: Math.floor(r() * 18) }, () => Math.floor(r() * 10)).join(''));
  return out;
}

function walk(dfa: DigitAutomaton, s: string): number {
  let state = dfa.begin();
  expect(s).toMatch(/^\d*$/);
  for (let i = 0; i < s.length; i++) state = dfa.step(state, s.charCodeAt(i) - 48);
  expect(state).toBeGreaterThanOrEqual(0);
  return state;
}

describe('digit automaton', () => {
  const { entire, prefix } = metadataPatterns();

  it('parses every pattern of the metadata', () => {
    const unsupported: string[] = [];
    for (const p of [...entire, ...prefix]) {
      try {
        parsePattern(p);
      } catch (e) {
        if (!(e instanceof Unsupported)) throw e;
        unsupported.push(p);
      }
    }
    expect(entire.size + prefix.size).toBeGreaterThan(1000);
    expect(unsupported).toEqual([]);
  });

  it('answers as the RegExp, entirely and as a prefix, for every pattern', () => {
    const r = rng(7);
    let inLanguage = 0;
    let total = 0;
    for (const p of [...entire, ...prefix]) {
      const dfa = new DigitAutomaton();
      const e = dfa.add(p, 'entire');
      const f = dfa.add(p, 'prefix');
      const whole = new RegExp(`^(?:${p})$`);
      const searched = new RegExp(p);
      const head = new RegExp(`^(?:${p})`);
      for (const s of strings(p, r, 12)) {
        const state = walk(dfa, s);
        const want = whole.test(s);
        if (want) inLanguage++;
        total++;
        expect(dfa.has(state, e), `${p} entire ${s}`).toBe(want);
        expect(dfa.has(state, f), `${p} prefix ${s}`).toBe(s.search(searched) === 0);
        expect(dfa.has(state, f), `${p} exec ${s}`).toBe(head.exec(s) !== null);
      }
    }
    expect(inLanguage / total).toBeGreaterThan(0.2);
  }, 120_000);

  it('answers as the RegExp for the syntax it accepts, and refuses the rest', () => {
    const cases = ['1$|2', '(3\\d)$|1', '1|2', '(?:12)?3', '[^1-8]\\d', '4*', '5+6', '7{2,}', '8{1,3}?', '(9)', '.1', '[\\d]', '[-1]', 'a|1', '\\.|2', ']1', '[a-c1]'];
    const r = rng(8);
    for (const p of cases) {
      const dfa = new DigitAutomaton();
      const e = dfa.add(p, 'entire');
      const f = dfa.add(p, 'prefix');
      const whole = new RegExp(`^(?:${p})$`);
      const searched = new RegExp(p);
      for (let k = 0; k < 300; k++) {
        const s = Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 10)).join('');
        const state = walk(dfa, s);
        expect(dfa.has(state, e), `${p} ${s}`).toBe(whole.test(s));
        expect(dfa.has(state, f), `${p} prefix ${s}`).toBe(s.search(searched) === 0);
      }
    }
    for (const p of ['^1', '1$?', '\\b1', '(?=1)1', '(1)\\1', '\\w', '1{2', '[1', '(1', '1)', '*1']) expect(() => parsePattern(p), p).toThrow(Unsupported);
  });

  it('stops making states at its limit', () => {
    const dfa = new DigitAutomaton(3);
    dfa.add('\\d{10}', 'entire');
    let s = dfa.begin();
    for (let i = 0; i < 2; i++) s = dfa.step(s, 1);
    expect(s).toBeGreaterThanOrEqual(0);
    expect(dfa.step(s, 1)).toBe(-1);
    expect(dfa.complete()).toBe(false);
    const whole = new DigitAutomaton(12);
    whole.add('\\d{10}', 'entire');
    expect(whole.complete()).toBe(true);
    expect(whole.transitions().length).toBe(12 * 10); // 11 counts of digits, then a dead state
  });
});
