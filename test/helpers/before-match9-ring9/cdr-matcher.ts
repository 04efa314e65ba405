// Frozen copy of src/rules/cdr-matcher.ts as it was on main (8107d1c) before branches match9 and ring9 (imports of unchanged modules from src).
// Decides which fraud rules a CDR counts for: direction, callee and caller prefixes (one trie walk each), number
// type and country (libphonenumber-js's answers with prefix overrides; an unclaimed number is placed in the
// account's own country, read from the account's own number on the call), local hours and days (the account's time
// zone), dispositions and appliesTo.
// Each expensive fact is computed at most once per CDR and only when some candidate rule asks for it. A direction's
// rules (up to 31) are judged together as bit masks (bit k: its k-th rule): each fact clears the bits of the rules it
// fails, from masks made once per rule set (a prefix trie node's rules, a disposition's, a number type's, a
// country's, a local minute of the day's and a weekday's), so a CDR costs a few integer operations per fact rather than a test per rule and
// condition. `matchEach`, the rule-by-rule loop, is the reference (test/unit/rules/matcher-masks.test.ts) and serves a
// direction of more rules. Pure (the masks' memos are derived from the rules alone).
import type { CdrRecord } from '../../../src/events/types.js';
import { LocalTime, inHours } from '../../../src/rules/local-time.js';
import { countryOf, homeCountryOf, NumberClassifier, typeMatches, type NumberInfo } from './number-info.js';
import { PrefixTrie } from '../../../src/rules/prefix-trie.js';
import type { AccountProfile, FraudRule, NumberOverride } from '../../../src/rules/types.js';

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

/** The most rules of one direction `match` judges as masks (bits 0-30: no sign bit to mind). */
const MASK_RULES = 31;

/**
 * One direction's rules as masks (bit k: `list[k]`). `*Rules` are the rules a condition applies to; a fact's pass
 * mask has the bits of those rules it satisfies. Pass masks of a number type or country are memos (Maps bounded by
 * the metadata's types and countries and the rule files' overrides); those of a local minute of the day (hours) and
 * a weekday (days) are tables made with the masks (6 KB; a 40 KB memo per minute of the week until branch match6).
 */
class Masks {
  readonly all: number;
  readonly index: Int32Array;
  readonly prefixRules: number;
  /** Read with `last` and `pathMasks` only (never `walk`, which would need stamps for the ids). */
  readonly trie = new PrefixTrie(0);
  readonly prefixPass: Int32Array;
  readonly callerPrefixRules: number;
  readonly callerTrie = new PrefixTrie(0);
  readonly callerPrefixPass: Int32Array;
  readonly dispRules: number;
  /** Disposition -> the dispositions rules that list it. */
  private readonly dispPass = new Map<string, number>();
  private lastDisposition = '';
  private lastDispPass = 0;
  /** Rules with number types or countries of the callee (every one of them fails a number placed nowhere). */
  readonly infoRules: number;
  /** Those of `infoRules` that pass a number outside every country (+882...): all but the `countries.any` ones. */
  readonly noCountryPass: number;
  private readonly typePasses = new Map<string, number>();
  private readonly countryPasses = new Map<string, number>();
  readonly callerRules: number;
  readonly callerNoCountryPass: number;
  private readonly callerCountryPasses = new Map<string, number>();
  readonly timeRules: number;
  /** Local minute of the day -> the rules of `timeRules` it passes on hours (those without hours: all). */
  private readonly hourPasses: Int32Array;
  /** Weekday -> the rules of `timeRules` it passes on days (those without days: all). */
  private readonly dayPasses: Int32Array;
  /** Rules of one `appliesTo` (equal conditions share an entry): its first rule, and the mask of them all. */
  readonly applies: { rule: FraudRule; mask: number }[] = [];

  constructor(private readonly list: readonly Compiled[]) {
    const bits = (test: (c: Compiled) => boolean) => list.reduce((m, c, k) => (test(c) ? m | (1 << k) : m), 0);
    this.all = bits(() => true);
    this.index = Int32Array.from(list, (c) => c.index);
    this.prefixRules = bits((c) => c.prefixes);
    this.callerPrefixRules = bits((c) => c.callerPrefixes);
    list.forEach((c, k) => {
      for (const p of c.rule.match.calleePrefixes ?? []) this.trie.add(p, k);
      for (const p of c.rule.match.callerPrefixes ?? []) this.callerTrie.add(p, k);
      for (const d of c.dispositions ?? []) this.dispPass.set(d, (this.dispPass.get(d) ?? 0) | (1 << k));
    });
    this.prefixPass = this.trie.pathMasks((k) => 1 << k);
    this.callerPrefixPass = this.callerTrie.pathMasks((k) => 1 << k);
    this.dispRules = bits((c) => c.dispositions !== null);
    this.infoRules = bits((c) => c.types !== null || c.countriesAny !== null || c.countriesNone !== null);
    this.noCountryPass = this.infoRules & ~bits((c) => c.countriesAny !== null);
    this.callerRules = bits((c) => c.callerAny !== null || c.callerNone !== null);
    this.callerNoCountryPass = this.callerRules & ~bits((c) => c.callerAny !== null);
    this.timeRules = bits((c) => c.hours !== null || c.days !== null);
    this.hourPasses = new Int32Array(this.timeRules === 0 ? 0 : 1440);
    this.dayPasses = new Int32Array(this.timeRules === 0 ? 0 : 7);
    list.forEach((c, k) => {
      if ((this.timeRules & (1 << k)) === 0) return;
      for (let m = 0; m < this.hourPasses.length; m++) if (!c.hours || inHours(m, c.hours)) this.hourPasses[m]! |= 1 << k;
      for (let w = 0; w < this.dayPasses.length; w++) if (!c.days || c.days[w]) this.dayPasses[w]! |= 1 << k;
    });
    const byCondition = new Map<string, { rule: FraudRule; mask: number }>();
    list.forEach((c, k) => {
      if (!c.rule.appliesTo) return;
      const key = JSON.stringify(c.rule.appliesTo);
      const g = byCondition.get(key);
      if (g) g.mask |= 1 << k;
      else byCondition.set(key, { rule: c.rule, mask: 1 << k });
    });
    this.applies = [...byCondition.values()];
  }

  /** The dispositions rules that list `disposition` (the last one's answer kept: most calls are answered). */
  dispositionPass(disposition: string): number {
    if (disposition !== this.lastDisposition) {
      this.lastDisposition = disposition;
      this.lastDispPass = this.dispPass.get(disposition) ?? 0;
    }
    return this.lastDispPass;
  }

  /** The last claimed number's answer given to `infoPass`, and its mask; and the one before (traffic alternates
   * between a country's fixed lines and mobiles). */
  lastInfo: NumberInfo | null = null;
  lastInfoPass = 0;
  prevInfo: NumberInfo | null = null;
  prevInfoPass = 0;

  /** The rules of `infoRules` a callee passes on its type and country (countryMatches). */
  infoPass(info: NumberInfo, home: string | null): number {
    const country = countryOf(info, home);
    // a number placed nowhere (national format, the account's country unknown) fails them all
    const m = this.typePass(info.type) & (country !== null ? this.countryPass(country) : info.unclaimed ? 0 : this.noCountryPass);
    if (!info.unclaimed) {
      this.prevInfo = this.lastInfo;
      this.prevInfoPass = this.lastInfoPass;
      this.lastInfo = info;
      this.lastInfoPass = m;
    }
    return m;
  }

  /** The rules of `infoRules` a callee of `type` passes on its type. */
  typePass(type: string): number {
    let m = this.typePasses.get(type);
    if (m === undefined) {
      m = 0;
      for (let k = 0; k < this.list.length; k++) {
        const c = this.list[k]!;
        if ((this.infoRules & (1 << k)) !== 0 && (c.types === null || typeMatches(type, c.types))) m |= 1 << k;
      }
      this.typePasses.set(type, m);
    }
    return m;
  }

  /** The rules of `infoRules` a callee in `country` passes on its country (countryMatches with a country). */
  countryPass(country: string): number {
    let m = this.countryPasses.get(country);
    if (m === undefined) {
      m = this.passes(this.infoRules, country, (c) => c.countriesAny, (c) => c.countriesNone);
      this.countryPasses.set(country, m);
    }
    return m;
  }

  /** The rules of `callerRules` a caller in `country` passes. */
  callerCountryPass(country: string): number {
    let m = this.callerCountryPasses.get(country);
    if (m === undefined) {
      m = this.passes(this.callerRules, country, (c) => c.callerAny, (c) => c.callerNone);
      this.callerCountryPasses.set(country, m);
    }
    return m;
  }

  private passes(rules: number, country: string, any: (c: Compiled) => readonly string[] | null, none: (c: Compiled) => readonly string[] | null): number {
    let m = 0;
    for (let k = 0; k < this.list.length; k++) {
      if ((rules & (1 << k)) === 0) continue;
      const a = any(this.list[k]!);
      const n = none(this.list[k]!);
      if ((a === null || a.includes(country)) && (n === null || !n.includes(country))) m |= 1 << k;
    }
    return m;
  }

  /** The rules of `timeRules` a call started at local `minuteOfDay` on `weekday` passes (on both hours and days). */
  minutePass(minuteOfDay: number, weekday: number): number {
    return this.hourPasses[minuteOfDay]! & this.dayPasses[weekday]!;
  }
}

export class CdrMatcher {
  private readonly outbound: Compiled[] = [];
  private readonly inbound: Compiled[] = [];
  private readonly trie: PrefixTrie;
  private readonly callerTrie: PrefixTrie;
  /** Null for a direction of more than MASK_RULES rules (matchEach judges it). */
  private readonly outboundMasks: Masks | null;
  private readonly inboundMasks: Masks | null;
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
    this.outboundMasks = this.outbound.length <= MASK_RULES ? new Masks(this.outbound) : null;
    this.inboundMasks = this.inbound.length <= MASK_RULES ? new Masks(this.inbound) : null;
  }

  /** The account's own country from its own number on the call (outbound: the caller; inbound: the callee). */
  homeCountry(cdr: CdrRecord): string | null {
    const own = cdr.direction === 'inbound' ? cdr.callee : cdr.caller;
    return own === null ? null : homeCountryOf(this.numbers.get(own));
  }

  /** Writes the indices of the rules `cdr` counts for into `out`; returns how many. Start events skip dispositions. */
  match(cdr: CdrRecord, account: AccountProfile, out: number[]): number {
    const d = cdr.direction === 'inbound' ? this.inboundMasks : this.outboundMasks;
    if (d === null) return this.matchEach(cdr, account, out);
    let m = d.all;
    if ((m & d.dispRules) !== 0 && cdr.phase === 'end') m &= ~d.dispRules | d.dispositionPass(dispositionOf(cdr));
    if ((m & d.prefixRules) !== 0) m &= ~d.prefixRules | d.prefixPass[d.trie.last(cdr.callee)]!;
    if ((m & d.callerPrefixRules) !== 0) m &= ~d.callerPrefixRules | (cdr.caller === null ? 0 : d.callerPrefixPass[d.callerTrie.last(cdr.caller)]!);
    let home: string | null | undefined;
    if ((m & d.infoRules) !== 0) {
      const info = this.numbers.get(cdr.callee);
      // answers are shared frozen objects (number-info.ts), so consecutive calls to one kind of number reuse the mask
      if (info === d.lastInfo) m &= ~d.infoRules | d.lastInfoPass;
      else if (info === d.prevInfo) m &= ~d.infoRules | d.prevInfoPass;
      else if (!info.unclaimed) m &= ~d.infoRules | d.infoPass(info, null);
      else {
        home = this.homeCountry(cdr);
        m &= ~d.infoRules | d.infoPass(info, home);
      }
    }
    if ((m & d.callerRules) !== 0) {
      if (cdr.caller === null) m &= ~d.callerRules;
      else {
        const info = this.numbers.get(cdr.caller);
        if (info.unclaimed && home === undefined) home = this.homeCountry(cdr);
        const country = countryOf(info, home ?? null);
        m &= ~d.callerRules | (country !== null ? d.callerCountryPass(country) : info.unclaimed ? 0 : d.callerNoCountryPass);
      }
    }
    if ((m & d.timeRules) !== 0) {
      // Hours and days are judged at the call's start: a call placed at 23:50 is a night call.
      this.local.at(cdr.startedAt, account.timezone);
      m &= ~d.timeRules | d.minutePass(this.local.minuteOfDay, this.local.weekday);
    }
    // Last, so the account's profile (whose first read per CDR is a cache miss among 100,000 accounts) is read only
    // when a rule that needs it is still in: the shipped appliesTo rules are international ones, which ordinary
    // domestic calls have failed on their number by now.
    for (let g = 0; g < d.applies.length; g++) {
      const a = d.applies[g]!;
      if ((m & a.mask) !== 0 && !applies(a.rule, account)) m &= ~a.mask;
    }
    let n = 0;
    while (m !== 0) {
      const low = m & -m;
      out[n++] = d.index[31 - Math.clz32(low)]!;
      m ^= low;
    }
    return n;
  }

  /** `match` rule by rule: the reference for the masks, and the way for a direction of more than MASK_RULES rules. */
  matchEach(cdr: CdrRecord, account: AccountProfile, out: number[]): number {
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
