// Callee number type and country from libphonenumber-js's full metadata, cached with a bound. Parsing runs at
// ~70k numbers/s, so the cache key is the number's length and its leading digits (all but the last 4, and at least
// 8): in the metadata, types and regions are decided by the leading digits and the length, so the numbers of one
// such block share them (an assumption, measured below and documented in bench/README.md). Pure: no I/O; the cache is a derived memo, never part of the engine's snapshot.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { hash53 } from './hash.js';

export interface NumberInfo {
  /** Lower-case libphonenumber type (`premium_rate`, `mobile`...), or `unknown`. */
  type: string;
  /** ISO 3166 alpha-2; null for non-geographic E.164 numbers (+881, +882, +883...) and for non-E.164 callees. */
  country: string | null;
  /** Whether the callee is E.164 (`+` and digits). */
  e164: boolean;
}

/**
 * The cache key keeps at least this many characters (`+` and 8 digits). Checked against the full metadata: for
 * random numbers of every calling code, keeping 9 characters and the length gave no type or region mismatch in
 * ~4,400 valid samples (8 characters: 0.09%, 7: 0.7%).
 */
const KEY_CHARS = 9;
const NOT_E164: NumberInfo = { type: 'unknown', country: null, e164: false };
const E164 = /^\+[1-9]\d{5,14}$/;

interface Entry {
  /** The key's characters (the leading part of the numbers it stands for) and the numbers' length. */
  prefix: string;
  length: number;
  info: NumberInfo;
}

export class NumberInfoCache {
  /** 31-bit hash of (prefix, length) -> entry; the entry's prefix is compared, so a collision only costs a parse. */
  private readonly cache = new Map<number, Entry>();
  parses = 0;

  constructor(private readonly bound = 100_000) {}

  get(callee: string): NumberInfo {
    if (!E164.test(callee)) return NOT_E164;
    const keep = Math.min(callee.length, Math.max(KEY_CHARS, callee.length - 4));
    const key = hash53(callee, callee.length, keep) % 0x40000000;
    const hit = this.cache.get(key);
    if (hit && hit.length === callee.length && samePrefix(hit.prefix, callee)) return hit.info;
    const info = lookup(callee);
    this.parses++;
    if (!hit && this.cache.size >= this.bound) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { prefix: callee.slice(0, keep), length: callee.length, info });
    return info;
  }

  size(): number {
    return this.cache.size;
  }
}

function samePrefix(prefix: string, text: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) !== text.charCodeAt(i)) return false;
  return true;
}

function lookup(callee: string): NumberInfo {
  const parsed = parsePhoneNumberFromString(callee);
  if (!parsed) return { type: 'unknown', country: null, e164: true };
  return { type: parsed.getType()?.toLowerCase() ?? 'unknown', country: parsed.country ?? null, e164: true };
}

/** Whether a number of `type` satisfies a rule's `numberTypes` (fixed_line_or_mobile counts as either). */
export function typeMatches(type: string, wanted: readonly string[]): boolean {
  if (wanted.includes(type)) return true;
  return type === 'fixed_line_or_mobile' && (wanted.includes('fixed_line') || wanted.includes('mobile'));
}
