// Decides which fraud rules a CDR counts for: direction, callee prefixes (one trie walk), number type and country
// (cached libphonenumber lookups), local hours and days (the account's time zone), dispositions and appliesTo.
// Each expensive fact is computed at most once per CDR and only when some candidate rule asks for it. Pure.
import type { CdrRecord } from '../events/types.js';
import { LocalTime, inHours } from './local-time.js';
import { NumberInfoCache, typeMatches, type NumberInfo } from './number-info.js';
import { PrefixTrie } from './prefix-trie.js';
import type { AccountProfile, FraudRule } from './types.js';

interface Compiled {
  index: number;
  rule: FraudRule;
  prefixes: boolean;
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
  readonly numbers: NumberInfoCache;
  readonly local: LocalTime;

  constructor(rules: readonly FraudRule[], defaultTimezone: string, numbers?: NumberInfoCache, local?: LocalTime) {
    this.trie = new PrefixTrie(rules.length);
    this.numbers = numbers ?? new NumberInfoCache();
    this.local = local ?? new LocalTime(defaultTimezone);
    rules.forEach((rule, i) => {
      const c = compile(rule, i);
      (rule.match.direction === 'inbound' ? this.inbound : this.outbound).push(c);
      for (const p of rule.match.calleePrefixes ?? []) this.trie.add(p, i);
    });
  }

  /** Writes the indices of the rules `cdr` counts for into `out`; returns how many. Start events skip dispositions. */
  match(cdr: CdrRecord, account: AccountProfile, out: number[]): number {
    const list = cdr.direction === 'inbound' ? this.inbound : this.outbound;
    let n = 0;
    let walked = false;
    let info: NumberInfo | null = null;
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
      if (c.dispositions && cdr.phase === 'end' && !c.dispositions.includes(dispositionOf(cdr))) continue;
      if (c.types || c.countriesAny || c.countriesNone) {
        info ??= this.numbers.get(cdr.callee);
        if (c.types && !typeMatches(info.type, c.types)) continue;
        if (c.countriesAny && (info.country === null || !c.countriesAny.includes(info.country))) continue;
        // A non-geographic E.164 number (+882...) is outside every country; a non-E.164 callee is not known to be.
        if (c.countriesNone && (!info.e164 || (info.country !== null && c.countriesNone.includes(info.country)))) continue;
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

/** A record without a disposition counts as answered when it was answered or has a duration. */
function dispositionOf(cdr: CdrRecord): string {
  if (cdr.disposition !== null) return cdr.disposition;
  return cdr.answeredAt !== null || (cdr.durationSec ?? 0) > 0 ? 'answered' : 'unknown';
}
