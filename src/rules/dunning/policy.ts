// Choosing the dunning policy for an account (appliesTo: account type and tags), and naming its stages.
// Pure. The first policy in rule-set order whose appliesTo matches wins.
import type { AccountType } from '../../domain/types.js';
import type { AppliesTo, DunningPolicy, DunningStage } from '../types.js';

export interface DunningAccount {
  id: string;
  type: AccountType | null;
  tags: readonly string[];
  /** IANA zone; the caller substitutes DEFAULT_TIMEZONE for accounts without one. */
  timezone: string;
}

export function appliesTo(rule: AppliesTo | null, account: Pick<DunningAccount, 'type' | 'tags'>): boolean {
  if (!rule) return true;
  if (rule.accountTypes && rule.accountTypes.length > 0 && (account.type === null || !rule.accountTypes.includes(account.type))) return false;
  if (rule.tags?.any && rule.tags.any.length > 0 && !rule.tags.any.some((t) => account.tags.includes(t))) return false;
  if (rule.tags?.none && rule.tags.none.some((t) => account.tags.includes(t))) return false;
  return true;
}

export function choosePolicy(account: Pick<DunningAccount, 'type' | 'tags'>, policies: readonly DunningPolicy[]): DunningPolicy | null {
  return policies.find((p) => appliesTo(p.appliesTo, account)) ?? null;
}

export interface NamedStage extends DunningStage {
  /** Stable name within the policy: `<afterDays>d` (`-2`, `-3`... when two stages share a day). */
  key: string;
}

/** Stages sorted by afterDays, each with its stable key. */
export function namedStages(policy: DunningPolicy): NamedStage[] {
  const seen = new Map<number, number>();
  return [...policy.stages]
    .sort((a, b) => a.afterDays - b.afterDays)
    .map((s) => {
      const n = (seen.get(s.afterDays) ?? 0) + 1;
      seen.set(s.afterDays, n);
      return { ...s, key: n === 1 ? `${s.afterDays}d` : `${s.afterDays}d-${n}` };
    });
}
