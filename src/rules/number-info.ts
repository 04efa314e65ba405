// Number type and country from libphonenumber-js's full metadata, corrected by prefix overrides (built-in ones for
// what the metadata gets wrong for fraud purposes, then the rule files' `numberOverrides`, longest prefix first),
// cached with a bound. Parsing runs at ~70k numbers/s, so the cache key is the number's length and its leading
// digits (all but the last 4, and at least 8; a block that an override longer than the key splits keeps the parse
// and applies the overrides on each hit): in the metadata, types and
// regions are decided by the leading digits and the length, so the numbers of one such block share them (an
// assumption, measured below and documented in bench/README.md). A number no country claims (valid calling code,
// unknown range; or national format) is `unclaimed`: the matcher places it in the account's own country
// (docs/rules.md). Pure: no I/O; the cache is a derived memo, never part of the engine's snapshot.
import metadata from 'libphonenumber-js/max/metadata';
import { hash53 } from './hash.js';
import { parseE164 } from './number-plan.js';
import type { NumberOverride } from './types.js';

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

/**
 * The cache key keeps at least this many characters (`+` and 8 digits). Checked against the full metadata: for
 * random numbers of every calling code, keeping 9 characters and the length gave no type or region mismatch in
 * ~4,400 valid samples (8 characters: 0.09%, 7: 0.7%).
 */
const KEY_CHARS = 9;
const E164 = /^\+[1-9]\d{5,14}$/;

interface Entry {
  /** The key's characters (the leading part of the numbers it stands for) and the numbers' length. */
  prefix: string;
  length: number;
  info: NumberInfo;
  /** The metadata's answer when an override longer than the key splits the block (overrides apply per number). */
  split: NumberInfo | null;
}

export class NumberInfoCache {
  /** 31-bit hash of (prefix, length) -> entry; the entry's prefix is compared, so a collision only costs a parse. */
  private readonly cache = new Map<number, Entry>();
  /** Built-ins then the rule files' overrides, longest prefix first (a later entry of equal prefix wins). */
  private readonly overrides: readonly NumberOverride[];
  readonly fingerprint: string;
  parses = 0;

  constructor(overrides: readonly NumberOverride[] = [], private readonly bound = 100_000) {
    const all = [...BUILT_IN_OVERRIDES, ...overrides].map((o, i) => ({ o, i }));
    all.sort((a, b) => b.o.prefix.length - a.o.prefix.length || b.i - a.i);
    this.overrides = all.map((x) => x.o);
    this.fingerprint = JSON.stringify(overrides);
  }

  get(number: string): NumberInfo {
    if (!E164.test(number)) return this.override(number, { type: 'unknown', country: null, e164: false, unclaimed: true, codeCountries: [] });
    const keep = Math.min(number.length, Math.max(KEY_CHARS, number.length - 4));
    const key = hash53(number, number.length, keep) % 0x40000000;
    const hit = this.cache.get(key);
    if (hit && hit.length === number.length && samePrefix(hit.prefix, number)) return hit.split ? this.override(number, hit.split) : hit.info;
    const base = lookup(number);
    const info = this.override(number, base);
    this.parses++;
    if (!hit && this.cache.size >= this.bound) this.cache.delete(this.cache.keys().next().value!);
    const prefix = number.slice(0, keep);
    const split = this.overrides.some((o) => o.prefix.length > keep && o.prefix.startsWith(prefix)) ? base : null;
    this.cache.set(key, { prefix, length: number.length, info, split });
    return info;
  }

  size(): number {
    return this.cache.size;
  }

  /** The longest matching override (by prefix, and digit count where it says) applied over `base`. */
  private override(number: string, base: NumberInfo): NumberInfo {
    const digits = number.startsWith('+') ? number.length - 1 : number.length;
    for (const o of this.overrides) {
      if (!number.startsWith(o.prefix) || (o.length !== null && o.length !== digits)) continue;
      const info = { ...base };
      if (o.type !== null) info.type = o.type;
      if (o.country !== null) {
        info.country = o.country === 'none' ? null : o.country;
        info.unclaimed = false;
        info.codeCountries = [];
      }
      return info;
    }
    return base;
  }
}

function samePrefix(prefix: string, text: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) !== text.charCodeAt(i)) return false;
  return true;
}

/** libphonenumber-js's answer for an E.164 number (number-plan.ts gives exactly its parse and type). */
export function lookup(number: string): NumberInfo {
  const parsed = parseE164(number);
  // No known calling code (+999...): nobody claims it.
  if (!parsed) return { type: 'unknown', country: null, e164: true, unclaimed: true, codeCountries: [] };
  const type = parsed.type?.toLowerCase() ?? 'unknown';
  if (parsed.country) return { type, country: parsed.country, e164: true, unclaimed: false, codeCountries: [] };
  const codeCountries = countriesOfCode(parsed.callingCode);
  // A non-geographic calling code (+800, +881, +882, +883...) has no country: outside every country, not unclaimed.
  if (codeCountries.length === 0) return { type, country: null, e164: true, unclaimed: false, codeCountries };
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
