// Exemptions (CONTRACT §1 Overrides): while one is active, automatic suspensions it covers open a review decision
// instead of placing a hold. Pure: `now` is passed in; instants are compared as parsed times, never as strings.
import type { Exemption, HoldReason } from './types.js';

export function isExemptionActive(exemption: Exemption, now: string): boolean {
  return Date.parse(exemption.until) > Date.parse(now);
}

/**
 * The first active exemption that covers an automatic suspension for `reason` by rule `ruleId` (null for dunning).
 * Covers: reason equal or null, and rules null or listing `ruleId`.
 */
export function activeExemption(
  exemptions: readonly Exemption[],
  reason: HoldReason,
  ruleId: string | null,
  now: string,
): Exemption | null {
  for (const x of exemptions) {
    if (!isExemptionActive(x, now)) continue;
    if (x.reason !== null && x.reason !== reason) continue;
    if (x.rules !== null && (ruleId === null || !x.rules.includes(ruleId))) continue;
    return x;
  }
  return null;
}

/** ISO instant `ms` milliseconds after `iso`. */
export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export interface NewExemption {
  id: string;
  accountId: string;
  reason: HoldReason | null;
  rules?: string[] | null;
  now: string;
  forMs: number;
  note: string | null;
  createdBy: string;
}

export function newExemption(p: NewExemption): Exemption {
  return {
    id: p.id,
    accountId: p.accountId,
    reason: p.reason,
    rules: p.rules ?? null,
    until: addMs(p.now, p.forMs),
    note: p.note,
    createdBy: p.createdBy,
    createdAt: p.now,
  };
}
