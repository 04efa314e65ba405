// Frozen copy of src/rules/number-info.ts as it was on main (8107d1c) before branches match9 and ring9 (imports of unchanged modules from src).
// Number type and country from libphonenumber-js's full metadata, corrected by prefix overrides (built-in ones for
// what the metadata gets wrong for fraud purposes, then the rule files' `numberOverrides`, longest prefix first). The
// metadata's answer is computed for every number, exactly as the library gives it (number-plan.ts: ~0.3-1.5 us a
// number), so nothing is cached and nothing is assumed about which digits decide a type. Before, a parse through
// the library cost ~36 us and answers were cached per block of numbers sharing all but their last 4 digits (an
// assumption about the metadata, and ~300 B of heap per account at 100,000 accounts). A number no country claims
// (valid calling code, unknown range; or national format) is `unclaimed`: the matcher places it in the account's
// own country (docs/rules.md). Pure: no I/O, no state beyond the compiled overrides.
import metadata from 'libphonenumber-js/max/metadata';
import { classifyE164, parsedOf } from './number-plan.js';
import { PrefixTrie } from '../../../src/rules/prefix-trie.js';
import type { NumberOverride } from '../../../src/rules/types.js';

export interface NumberInfo {
  /** Lower-case libphonenumber type (`premium_rate`, `mobile`...), or `unknown`. */
  type: string;
  /** ISO 3166 alpha-2; null for non-geographic E.164 numbers (+881, +882, +883...) and for unclaimed numbers. */
  country: string | null;
  /** Whether the number is E.164 (`+` and digits). */
  e164: boolean;
  /** No country claims it: it belongs to the account's own country when that shares `codeCountries`. */
  unclaimed: boolean;
  /** The countries of its calling code, main one first (unclaimed E.164 numbers only). */
  codeCountries: readonly string[];
}

/**
 * Ofcom's numbering plan where libphonenumber's metadata misleads fraud rules (docs/rules.md): the UK's 0843-0845
 * and 0870-0873 service numbers are not premium rate; 118 directory enquiries are; the drama ranges are GB.
 */
export const BUILT_IN_OVERRIDES: readonly NumberOverride[] = [
  ...['+44843', '+44844', '+44845', '+44870', '+44871', '+44872', '+44873'].map((prefix) => ({ prefix, type: 'shared_cost', country: null, length: null })),
  { prefix: '+44118', length: 8, type: 'premium_rate', country: null },
  { prefix: '118', length: 6, type: 'premium_rate', country: null },
  { prefix: '+441632960', length: null, type: 'fixed_line', country: 'GB' },
  { prefix: '+447700900', length: null, type: 'mobile', country: 'GB' },
];

/** `+`, then 6-15 digits, the first not 0 (the form number-plan.ts answers for). */
function isE164(number: string): boolean {
  const n = number.length;
  if (n < 7 || n > 16 || number.charCodeAt(0) !== 43) return false;
  const first = number.charCodeAt(1);
  if (first < 49 || first > 57) return false;
  for (let i = 2; i < n; i++) {
    const c = number.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
const NO_COUNTRIES: readonly string[] = Object.freeze([]);

/** Numbers' types and countries with the overrides applied; the engine shares one per rule set's overrides. */
export class NumberClassifier {
  /** Built-ins then the rule files' overrides, longest prefix first (a later entry of equal prefix wins). */
  private readonly overrides: readonly NumberOverride[];
  /** The overrides' prefixes: one walk of a number finds which of them it starts with. */
  private readonly trie: PrefixTrie;
  /** Trie node -> whether an override's prefix ends on the path to it (`last` then this: no walk for most numbers). */
  private readonly onPath: Int32Array;
  readonly fingerprint: string;

  constructor(overrides: readonly NumberOverride[] = []) {
    const all = [...BUILT_IN_OVERRIDES, ...overrides].map((o, i) => ({ o, i }));
    all.sort((a, b) => b.o.prefix.length - a.o.prefix.length || b.i - a.i);
    this.overrides = all.map((x) => x.o);
    this.trie = new PrefixTrie(this.overrides.length);
    this.overrides.forEach((o, i) => this.trie.add(o.prefix, i));
    this.onPath = this.trie.pathMasks(() => 1);
    this.fingerprint = JSON.stringify(overrides);
  }

  /** The number's type and country. The result is shared: callers must not change it. */
  get(number: string): NumberInfo {
    return this.override(number, isE164(number) ? lookup(number) : NATIONAL);
  }

  /** The longest matching override (by prefix, and digit count where it says) applied over `base`. */
  private override(number: string, base: NumberInfo): NumberInfo {
    if (this.onPath[this.trie.last(number)] === 0) return base;
    this.trie.walk(number);
    const digits = number.startsWith('+') ? number.length - 1 : number.length;
    for (let i = 0; i < this.overrides.length; i++) {
      const o = this.overrides[i]!;
      if (!this.trie.matched(i) || (o.length !== null && o.length !== digits)) continue;
      const info = { ...base };
      if (o.type !== null) info.type = o.type;
      if (o.country !== null) {
        info.country = o.country === 'none' ? null : o.country;
        info.unclaimed = false;
        info.codeCountries = NO_COUNTRIES;
      }
      return info;
    }
    return base;
  }
}

/** A number not in E.164 form (national format, short codes): nobody claims it. */
const NATIONAL: NumberInfo = Object.freeze({ type: 'unknown', country: null, e164: false, unclaimed: true, codeCountries: NO_COUNTRIES });
/** An E.164 number without a known calling code (+999...). */
const UNKNOWN_CODE: NumberInfo = Object.freeze({ type: 'unknown', country: null, e164: true, unclaimed: true, codeCountries: NO_COUNTRIES });

/**
 * Shared answers by number-plan.ts's id of a parse (calling code, country, type): a number's answer without a parse
 * object or string keys, by calling code (id >> 10) then country and type (the id's low 10 bits). Bounded by the
 * metadata (codes x their countries x types).
 */
const answers: (NumberInfo | undefined)[][] = [];

/** libphonenumber-js's answer for an E.164 number (number-plan.ts gives exactly its parse and type). */
export function lookup(number: string): NumberInfo {
  const id = classifyE164(number);
  if (id < 0) return UNKNOWN_CODE;
  const byCode = answers[id >> 10] ?? (answers[id >> 10] = new Array<NumberInfo | undefined>(1024).fill(undefined));
  let info = byCode[id & 1023];
  if (!info) {
    const parsed = parsedOf(id, '');
    byCode[id & 1023] = info = Object.freeze(answerOf(parsed.country, parsed.callingCode, (parsed.type ?? 'UNKNOWN').toLowerCase()));
  }
  return info;
}

function answerOf(country: string | null, callingCode: string, type: string): NumberInfo {
  if (country) return { type, country, e164: true, unclaimed: false, codeCountries: NO_COUNTRIES };
  const codeCountries = countriesOfCode(callingCode);
  // A non-geographic calling code (+800, +881, +882, +883...) has no country: outside every country, not unclaimed.
  if (codeCountries.length === 0) return { type, country: null, e164: true, unclaimed: false, codeCountries: NO_COUNTRIES };
  return { type, country: null, e164: true, unclaimed: true, codeCountries };
}

const CODE_COUNTRIES = (metadata as { country_calling_codes: Record<string, string[]> }).country_calling_codes;

/** The countries sharing a calling code, main one first (`44` -> GB, GG, IM, JE); none for non-geographic codes. */
function countriesOfCode(code: string): readonly string[] {
  return (CODE_COUNTRIES[code] ?? []).filter((c) => /^[A-Z]{2}$/.test(c));
}

/**
 * The country of a number for the rules: its own, or for an unclaimed number the account's (`home`) when its calling
 * code allows, else its calling code's main country; null when outside every country or when nothing is known.
 */
export function countryOf(info: NumberInfo, home: string | null): string | null {
  if (!info.unclaimed) return info.country;
  if (info.codeCountries.length === 0) return home;
  return home !== null && info.codeCountries.includes(home) ? home : info.codeCountries[0]!;
}

/** The account's own country from its own number on a call (null when that says nothing). */
export function homeCountryOf(info: NumberInfo): string | null {
  return info.unclaimed ? (info.codeCountries[0] ?? null) : info.country;
}

/** Whether a number of `type` satisfies a rule's `numberTypes` (fixed_line_or_mobile counts as either). */
export function typeMatches(type: string, wanted: readonly string[]): boolean {
  if (wanted.includes(type)) return true;
  return type === 'fixed_line_or_mobile' && (wanted.includes('fixed_line') || wanted.includes('mobile'));
}
