// Maps validated raw rule-file entries to the engine's types (src/rules/types.ts): durations in ms, local hours in
// minutes, weekdays as 0..6 (sunday = 0), money in integer micro-units. Pure; callers validate first.
import type { AccountType } from '../domain/types.js';
import { parseDuration, parseHours, parseRuleAmount, parseWeekday } from './durations.js';
import { MONEY_MEASURES, type RawDunningPolicy, type RawFraudRule, type RawNumberOverride } from './rule-schema.js';
import type { AppliesTo, DunningPolicy, FraudRule, Measure, NumberOverride } from './types.js';

type Origin = { file: string; line: number };

function level(value: number | string, money: boolean): number {
  return money ? parseRuleAmount(value)! : Number(value);
}

function appliesTo(raw: RawFraudRule['appliesTo']): AppliesTo | null {
  if (!raw) return null;
  const out: AppliesTo = {};
  if (raw.accountTypes) out.accountTypes = [...raw.accountTypes] as AccountType[];
  if (raw.tags) out.tags = { ...raw.tags };
  return out;
}

export function toFraudRule(raw: RawFraudRule, origin: Origin, overrides: NumberOverride[] = []): FraudRule {
  const measure = raw.measure as Measure;
  const money = (MONEY_MEASURES as string[]).includes(measure);
  const m = raw.match ?? {};
  const match: FraudRule['match'] = { direction: m.direction ?? 'outbound' };
  if (m.calleePrefixes) match.calleePrefixes = [...m.calleePrefixes];
  if (m.callerPrefixes) match.callerPrefixes = [...m.callerPrefixes];
  if (m.callerCountries) match.callerCountries = { ...m.callerCountries };
  if (m.numberTypes) match.numberTypes = [...m.numberTypes];
  if (m.countries) match.countries = { ...m.countries };
  if (m.hours) match.hours = parseHours(m.hours)!;
  if (m.days) match.days = m.days.map(parseWeekday);
  if (m.dispositions) match.dispositions = [...m.dispositions];
  // `by` is kept only when it is not the default, so a rule written before it keeps its state fingerprint.
  const baseline: FraudRule['baseline'] = raw.baseline
    ? { factor: raw.baseline.factor, minimum: level(raw.baseline.minimum, money), ...(raw.baseline.by === 'hour_of_week' ? { by: 'hour_of_week' as const } : {}) }
    : null;
  return {
    id: raw.id,
    description: raw.description ?? null,
    mode: raw.mode ?? 'enforce',
    appliesTo: appliesTo(raw.appliesTo),
    match,
    measure,
    windowMs: raw.window === undefined ? null : parseDuration(raw.window),
    rangeDigits: raw.rangeDigits ?? 2,
    warn: raw.warn === undefined ? null : level(raw.warn, money),
    // With a baseline the suspend level is max(minimum, factor x baseline) (CONTRACT §3) and `suspend` is not used;
    // it may be omitted, and then records the minimum.
    suspend: raw.suspend === undefined ? baseline!.minimum : level(raw.suspend, money),
    baseline,
    cooldownMs: raw.cooldown === undefined ? null : parseDuration(raw.cooldown),
    releaseAfterMs: raw.releaseAfter === undefined ? null : parseDuration(raw.releaseAfter),
    shortCallMs: raw.shortCall === undefined ? DEFAULT_SHORT_CALL_MS : parseDuration(raw.shortCall)!,
    numberOverrides: overrides,
    origin,
  };
}

/** `callbacks`: an inbound call answered for at most this long counts as a ring. */
export const DEFAULT_SHORT_CALL_MS = 10_000;

export function toNumberOverride(raw: RawNumberOverride): NumberOverride {
  return { prefix: raw.prefix, length: raw.length ?? null, type: raw.type ?? null, country: raw.country ?? null };
}

export function toDunningPolicy(raw: RawDunningPolicy, origin: Origin): DunningPolicy {
  return {
    id: raw.id,
    appliesTo: appliesTo(raw.appliesTo),
    minOverdueMicros: raw.minOverdue === undefined ? 0 : parseRuleAmount(raw.minOverdue)!,
    graceDays: raw.graceDays ?? 0,
    countDisputed: raw.countDisputed ?? false,
    stages: raw.stages.map((s) => ({ afterDays: parseInt(s.after, 10), email: s.email ?? null, suspend: s.suspend ?? false })),
    reactivateOnPayment: raw.reactivateOnPayment ?? true,
    reactivateWhen: raw.reactivateWhen ?? 'below_suspend_stage',
    origin,
  };
}
