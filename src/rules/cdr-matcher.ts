// Decides which fraud rules a CDR counts for: direction, callee and caller prefixes (one trie walk each), number
// type and country (libphonenumber-js's answers with prefix overrides; an unclaimed number is placed in the
// account's own country, read from the account's own number on the call), local hours and days (the account's time
// zone), dispositions and appliesTo.
// Each expensive fact is computed at most once per CDR and only when some candidate rule asks for it. Pure.
import type { CdrRecord } from '../events/types.js';
import { LocalTime, inHours } from './local-time.js';
import { countryOf, homeCountryOf, NumberClassifier, typeMatches, type NumberInfo } from './number-info.js';
import { PrefixTrie } from './prefix-trie.js';
import type { AccountProfile, FraudRule, NumberOverride } from './types.js';

interface Compiled {
  index: number;
  rule: FraudRule;
  prefixes: boolean;
  callerPrefixes: boolean;
  callerAny: readonly string[] | null;
  callerNone: readonly string[] | null;
  types: readonly string[] | null;
  countriesAny: readonly string[] | null;
  countriesNone: readonly string[] | null;
  hours: { from: number; to: number } | null;
  days: boolean[] | null;
  dispositions: readonly string[] | null;
}

function compile(rule: FraudRule, index: number): Compiled {
  const m = rule.match;
  let days: boolean[] | null = null;
  if (m.days) {
    days = [false, false, false, false, false, false, false];
    for (const d of m.days) days[d] = true;
  }
  return {
    index,
    rule,
    prefixes: (m.calleePrefixes?.length ?? 0) > 0,
    callerPrefixes: (m.callerPrefixes?.length ?? 0) > 0,
    callerAny: m.callerCountries?.any ?? null,
    callerNone: m.callerCountries?.none ?? null,
    types: m.numberTypes ?? null,
    countriesAny: m.countries?.any ?? null,
    countriesNone: m.countries?.none ?? null,
    hours: m.hours ?? null,
    days,
    dispositions: m.dispositions ?? null,
  };
}

/**
 * `appliesTo` by account type and tags. An unknown account (type null) is treated as a customer: CDRs come from
 * customers' lines, and a CDR may arrive before its account snapshot (CONTRACT §2: it still counts).
 */
export function applies(rule: FraudRule, account: AccountProfile): boolean {
  const a = rule.appliesTo;
  if (!a) return true;
  if (a.accountTypes && !a.accountTypes.includes(account.type ?? 'customer')) return false;
  if (a.tags?.any && !anyOf(a.tags.any, account.tags)) return false;
  if (a.tags?.none && anyOf(a.tags.none, account.tags)) return false;
  return true;
}

/** Whether some element of `wanted` is in `tags` (plain loops: no closure per call on the hot path). */
function anyOf(wanted: readonly string[], tags: readonly string[]): boolean {
  for (let i = 0; i < wanted.length; i++) if (tags.includes(wanted[i]!)) return true;
  return false;
}

export class CdrMatcher {
  private readonly outbound: Compiled[] = [];
  private readonly inbound: Compiled[] = [];
  private readonly trie: PrefixTrie;
  private readonly callerTrie: PrefixTrie;
  readonly numbers: NumberClassifier;
  readonly local: LocalTime;

  /** `numbers` is reused only when it was built with the same overrides. */
  constructor(rules: readonly FraudRule[], defaultTimezone: string, numbers?: NumberClassifier, local?: LocalTime) {
    this.trie = new PrefixTrie(rules.length);
    this.callerTrie = new PrefixTrie(rules.length);
    const overrides = unionOverrides(rules);
    this.numbers = numbers && numbers.fingerprint === JSON.stringify(overrides) ? numbers : new NumberClassifier(overrides);
    this.local = local ?? new LocalTime(defaultTimezone);
    rules.forEach((rule, i) => {
      const c = compile(rule, i);
      (rule.match.direction === 'inbound' ? this.inbound : this.outbound).push(c);
      for (const p of rule.match.calleePrefixes ?? []) this.trie.add(p, i);
      for (const p of rule.match.callerPrefixes ?? []) this.callerTrie.add(p, i);
    });
  }

  /** The account's own country from its own number on the call (outbound: the caller; inbound: the callee). */
  homeCountry(cdr: CdrRecord): string | null {
    const own = cdr.direction === 'inbound' ? cdr.callee : cdr.caller;
    return own === null ? null : homeCountryOf(this.numbers.get(own));
  }

  /** Writes the indices of the rules `cdr` counts for into `out`; returns how many. Start events skip dispositions. */
  match(cdr: CdrRecord, account: AccountProfile, out: number[]): number {
    const list = cdr.direction === 'inbound' ? this.inbound : this.outbound;
    let n = 0;
    let walked = false;
    let callerWalked = false;
    let info: NumberInfo | null = null;
    let callerInfo: NumberInfo | null = null;
    let home: string | null | undefined;
    let localDone = false;
    for (let i = 0; i < list.length; i++) {
      const c = list[i]!;
      if (c.prefixes) {
        if (!walked) {
          this.trie.walk(cdr.callee);
          walked = true;
        }
        if (!this.trie.matched(c.index)) continue;
      }
      if (c.callerPrefixes) {
        if (cdr.caller === null) continue;
        if (!callerWalked) {
          this.callerTrie.walk(cdr.caller);
          callerWalked = true;
        }
        if (!this.callerTrie.matched(c.index)) continue;
      }
      if (c.dispositions && cdr.phase === 'end' && !c.dispositions.includes(dispositionOf(cdr))) continue;
      if (c.types || c.countriesAny || c.countriesNone) {
        info ??= this.numbers.get(cdr.callee);
        if (c.types && !typeMatches(info.type, c.types)) continue;
        if (info.unclaimed && home === undefined) home = this.homeCountry(cdr);
        if (!countryMatches(info, home ?? null, c.countriesAny, c.countriesNone)) continue;
      }
      if (c.callerAny || c.callerNone) {
        if (cdr.caller === null) continue;
        callerInfo ??= this.numbers.get(cdr.caller);
        if (callerInfo.unclaimed && home === undefined) home = this.homeCountry(cdr);
        if (!countryMatches(callerInfo, home ?? null, c.callerAny, c.callerNone)) continue;
      }
      if (c.hours || c.days) {
        if (!localDone) {
          // Hours and days are judged at the call's start: a call placed at 23:50 is a night call.
          this.local.at(cdr.startedAt, account.timezone);
          localDone = true;
        }
        if (c.hours && !inHours(this.local.minuteOfDay, c.hours)) continue;
        if (c.days && !c.days[this.local.weekday]) continue;
      }
      if (!applies(c.rule, account)) continue;
      out[n++] = c.index;
    }
    return n;
  }
}

/**
 * Whether no CDR can count for both rules, proven from their match conditions alone: `match` tests a CDR only against
 * the rules of its direction (every rule has one; an absent one is outbound, rule-map.ts), so rules of opposite
 * directions never both match. Window logs share a row column between such rules (rule-state.ts WindowPlan); any
 * condition this does not prove must answer false, or a shared column would mix two rules' keys.
 */
export function neverBoth(a: FraudRule, b: FraudRule): boolean {
  return a.match.direction !== b.match.direction;
}

/**
 * `countries: { any, none }` for one number. A non-geographic number (+882...) is outside every country, so it
 * passes `none` and fails `any`. An unclaimed number is in the account's own country; when even that is unknown
 * (a national-format number on a call without the account's own number) it is domestic: it fails both.
 */
function countryMatches(info: NumberInfo, home: string | null, any: readonly string[] | null, none: readonly string[] | null): boolean {
  const country = countryOf(info, home);
  if (country === null && info.unclaimed) return false;
  if (any && (country === null || !any.includes(country))) return false;
  if (none && country !== null && none.includes(country)) return false;
  return true;
}

function unionOverrides(rules: readonly FraudRule[]): NumberOverride[] {
  const seen = new Set<NumberOverride[]>();
  const out: NumberOverride[] = [];
  for (const r of rules) {
    if (!r.numberOverrides || r.numberOverrides.length === 0 || seen.has(r.numberOverrides)) continue;
    seen.add(r.numberOverrides);
    out.push(...r.numberOverrides);
  }
  return out;
}

/** A record without a disposition counts as answered when it was answered or has a duration. */
function dispositionOf(cdr: CdrRecord): string {
  if (cdr.disposition !== null) return cdr.disposition;
  return cdr.answeredAt !== null || (cdr.durationSec ?? 0) > 0 ? 'answered' : 'unknown';
}
