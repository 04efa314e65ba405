// Scores a replay of the detection week against its ground truth: per attack type, whether and when a hold came and
// what the fraud cost before it; per honest profile, the accounts suspended and warned and the rules that fired.
// Decision times are the event times replay reports (the record that crossed the level). Pure.
import type { ReplayFinding } from '../../src/ingest/replay-report.js';
import { ATTACK_TYPES, type AttackType, type DetectionWeek, type HonestProfile } from './types.js';

export interface AttackScore {
  accountId: string;
  type: AttackType;
  /** First outbound attack call (the fraud's first cost), epoch ms. */
  firstCallMs: number;
  holdMs: number | null;
  holdRule: string | null;
  /**
   * Fraud cost (the operator's loss) incurred before the hold: answered attack calls, pro rata of their talk time
   * up to the hold (the switch refuses new calls from then on). All of it without a hold.
   */
  costBeforeHoldMicros: number;
  /** The whole cost of the attack calls set up before the hold, as if the calls then in progress ran to their end. */
  costOfCallsStartedMicros: number;
  /** A hold placed before the attack began (a false suspension of the victim). */
  heldBeforeAttack: boolean;
}

export interface ProfileScore {
  profile: HonestProfile;
  accounts: number;
  suspended: string[];
  warned: string[];
  /** Rule id -> accounts it fired on (any level, review included). */
  rules: Map<string, Set<string>>;
}

export interface WeekScore {
  attacks: AttackScore[];
  profiles: ProfileScore[];
  honestAccounts: number;
  honestSuspended: number;
  honestWarned: number;
  totalCostMicros: number;
  totalStartedCostMicros: number;
  medianHoldMin: number | null;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface AttackCall {
  start: number;
  answer: number | null;
  end: number;
  cost: number;
}

/** The part of a call's loss incurred before `holdMs` (its talk time up to then); all of it without a hold. */
function incurred(c: AttackCall, holdMs: number | null): number {
  if (holdMs === null) return c.cost;
  if (c.answer === null || c.answer >= holdMs || c.end <= c.answer) return c.answer !== null && c.end <= holdMs ? c.cost : 0;
  return c.end <= holdMs ? c.cost : Math.round((c.cost * (holdMs - c.answer)) / (c.end - c.answer));
}

export function scoreWeek(week: DetectionWeek, findings: readonly ReplayFinding[]): WeekScore {
  const byAccount = new Map<string, ReplayFinding[]>();
  for (const f of findings) (byAccount.get(f.accountId) ?? byAccount.set(f.accountId, []).get(f.accountId)!).push(f);
  const attackCalls = new Map<string, AttackCall[]>();
  for (const c of week.calls) {
    if (c.attack === null || c.direction !== 'outbound') continue;
    (attackCalls.get(c.accountId) ?? attackCalls.set(c.accountId, []).get(c.accountId)!).push({ start: c.startMs, answer: c.answerMs, end: c.endMs, cost: c.lossMicros });
  }
  const attacks: AttackScore[] = [];
  const profiles = new Map<HonestProfile, ProfileScore>();
  for (const a of week.accounts) {
    if (a.type !== 'customer') continue;
    const fs = byAccount.get(a.id) ?? [];
    const holds = fs.filter((f) => f.action === 'suspend').map((f) => ({ at: Date.parse(f.at), rule: f.source.replace(/^rule:/, '') }));
    if (a.attack) {
      const calls = attackCalls.get(a.id) ?? [];
      const firstCallMs = calls.length > 0 ? calls.reduce((m, c) => Math.min(m, c.start), Infinity) : a.attack.startMs;
      const hold = holds.find((h) => h.at >= a.attack!.startMs) ?? null;
      const cost = calls.reduce((s, c) => s + incurred(c, hold?.at ?? null), 0);
      const startedBefore = calls.filter((c) => hold === null || c.start < hold.at).reduce((s, c) => s + c.cost, 0);
      attacks.push({ accountId: a.id, type: a.attack.type, firstCallMs, holdMs: hold?.at ?? null, holdRule: hold?.rule ?? null, costBeforeHoldMicros: cost, costOfCallsStartedMicros: startedBefore, heldBeforeAttack: holds.some((h) => h.at < a.attack!.startMs) });
      continue;
    }
    const p = profiles.get(a.profile!) ?? profiles.set(a.profile!, { profile: a.profile!, accounts: 0, suspended: [], warned: [], rules: new Map() }).get(a.profile!)!;
    p.accounts++;
    if (holds.length > 0) p.suspended.push(a.id);
    else if (fs.some((f) => f.action === 'alert' || f.action === 'review')) p.warned.push(a.id);
    for (const f of fs) {
      if (f.action !== 'alert' && f.action !== 'review' && f.action !== 'suspend') continue;
      const rule = f.source.replace(/^rule:/, '');
      (p.rules.get(rule) ?? p.rules.set(rule, new Set()).get(rule)!).add(a.id);
    }
  }
  const ps = [...profiles.values()];
  return {
    attacks: attacks.sort((x, y) => ATTACK_TYPES.indexOf(x.type) - ATTACK_TYPES.indexOf(y.type) || (x.accountId < y.accountId ? -1 : 1)),
    profiles: ps,
    honestAccounts: ps.reduce((s, p) => s + p.accounts, 0),
    honestSuspended: ps.reduce((s, p) => s + p.suspended.length, 0),
    honestWarned: ps.reduce((s, p) => s + p.warned.length, 0),
    totalCostMicros: attacks.reduce((s, a) => s + a.costBeforeHoldMicros, 0),
    totalStartedCostMicros: attacks.reduce((s, a) => s + a.costOfCallsStartedMicros, 0),
    // A hold before the first outbound attack call (a Wangiri campaign stopped at its rings) counts as 0 minutes.
    medianHoldMin: median(attacks.filter((a) => a.holdMs !== null).map((a) => Math.max(0, a.holdMs! - a.firstCallMs) / 60_000)),
  };
}

export { median };
