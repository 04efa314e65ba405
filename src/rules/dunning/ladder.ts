// The dunning ladder: given an account's invoice snapshots, its open episodes, holds and exemptions, and `now`,
// decides which stages fire and which emails, suspensions and reactivations follow. Pure: no I/O, no clock.
//
// Decisions (documented in src/dunning/README.md):
// - One episode per account and currency. It opens when the overdue balance reaches minOverdue, closes when it falls
//   below, and each stage fires at most once in it.
// - Re-anchoring (Kill Bill #2297): the anchor is always the due date of the *current* oldest overdue invoice. When
//   the oldest is paid, stages already fired stay fired (no second reminder in the same episode, and a suspension
//   stays until the balance clears); stages not yet fired are measured from the new anchor.
// - Several stages due at once (first evaluation late in the ladder): all are recorded as fired, only the last one's
//   email is sent, and a suspend from any of them applies.
// - The suspension is a state of the episode: while a suspend stage has fired and the episode is open, the dunning
//   hold belongs in place; if someone lifted it, it is placed again, except while an exemption covers it (an
//   operator's exemptFor is exactly that). An exemption (reason non_payment or null) pauses the whole ladder.
// - Reactivation (reactivateOnPayment): when an episode that suspended closes and no other open episode of the same
//   policy has suspended, the dunning's own hold is lifted; other holds stay. The activation email comes from the
//   domain's activate transition.
import { localDate } from './calendar.js';
import { formatMicros } from '../../domain/money.js';
import { daysPastDue, overdueBalances } from './overdue.js';
import { choosePolicy, namedStages, type DunningAccount } from './policy.js';
import type { InvoiceSnapshot } from './ledger.js';
import type { DunningPolicy } from '../types.js';
import type { HoldSource } from '../../domain/types.js';
import type { CurrencyState, DunningAction, Episode, ExemptionView, LadderResult, StageFired } from './types.js';

export interface LadderInput {
  account: DunningAccount;
  invoices: readonly InvoiceSnapshot[];
  /** The account's open episodes (closedAt null), at most one per currency. */
  openEpisodes: readonly Episode[];
  policies: readonly DunningPolicy[];
  exemptions: readonly ExemptionView[];
  /** Sources of the account's own `non_payment` holds. */
  nonPaymentHoldSources: readonly string[];
  now: number;
}

export const dunningSource = (policyId: string): HoldSource => `dunning:${policyId}`;

export function isPaused(exemptions: readonly ExemptionView[], policyId: string, now: number): boolean {
  return exemptions.some(
    (x) => x.until > now && (x.reason === null || x.reason === 'non_payment') && (x.rules === null || x.rules.length === 0 || x.rules.includes(policyId)),
  );
}

export function evaluateLadder(input: LadderInput): LadderResult {
  const { account, now, policies } = input;
  const today = localDate(now, account.timezone);
  const chosen = choosePolicy(account, policies);
  const result: LadderResult = { currencies: [], episodes: [], stagesFired: [], actions: [] };
  const closing: Episode[] = [];
  const open: Episode[] = [];

  const currencies = new Set(input.openEpisodes.map((e) => e.currency));
  if (chosen) {
    for (const b of overdueBalances(input.invoices, { ...chosen, timezone: account.timezone }, today)) currencies.add(b.currency);
  }
  for (const currency of [...currencies].sort()) {
    const current = input.openEpisodes.find((e) => e.currency === currency);
    const policy = (current && policies.find((p) => p.id === current.policyId)) ?? chosen;
    if (!policy) {
      if (current) closing.push({ ...current, closedAt: now });
      continue;
    }
    const invoices = input.invoices.filter((i) => i.currency === currency);
    const balance = overdueBalances(invoices, { ...policy, timezone: account.timezone }, today)[0];
    const amount = balance?.overdueMicros ?? 0;
    const paused = isPaused(input.exemptions, policy.id, now);
    const dpd = balance ? daysPastDue(balance.oldestDueAt, today, policy.graceDays) : null;
    result.currencies.push({ currency, policyId: policy.id, overdueMicros: amount, oldestDueAt: balance?.oldestDueAt ?? null, daysPastDue: dpd, paused });

    if (!balance || amount < policy.minOverdueMicros) {
      if (current) closing.push({ ...current, closedAt: now });
      continue;
    }
    const ep: Episode = current
      ? { ...current, firedStages: [...current.firedStages], anchorDueAt: balance.oldestDueAt }
      : { id: `${currency}-${now}`, accountId: account.id, currency, policyId: policy.id, openedAt: now, anchorDueAt: balance.oldestDueAt, firedStages: [], suspended: false, closedAt: null };
    const changed = !current || current.anchorDueAt !== ep.anchorDueAt;
    open.push(ep);
    if (paused) {
      if (changed) result.episodes.push(ep);
      continue;
    }
    const days = dpd ?? 0;
    const evidence = { overdue: formatMicros(amount), currency, oldestDueAt: balance.oldestDueAt, daysPastDue: days };
    const due = namedStages(policy).filter((s) => s.afterDays <= days && !ep.firedStages.includes(s.key));
    const source = dunningSource(policy.id);
    let suspendStage: string | null = null;
    due.forEach((s, i) => {
      const last = i === due.length - 1;
      ep.firedStages.push(s.key);
      result.stagesFired.push({
        accountId: account.id, episodeId: ep.id, policyId: policy.id, stage: s.key, currency, overdueMicros: amount,
        oldestDueAt: balance.oldestDueAt, daysPastDue: days, email: s.email, emailSkipped: s.email !== null && !last, suspend: s.suspend,
      });
      if (s.email && last) {
        result.actions.push({
          kind: 'email', accountId: account.id, episodeId: ep.id, policyId: policy.id, stage: s.key, template: s.email,
          data: { overdueAmount: evidence.overdue, currency, dueAt: balance.oldestDueAt, stage: s.key, policyId: policy.id, daysPastDue: days },
        });
      }
      if (s.suspend) suspendStage = s.key;
    });
    if (suspendStage === null && ep.suspended && !input.nonPaymentHoldSources.includes(source)) {
      suspendStage = [...namedStages(policy)].reverse().find((s) => s.suspend && ep.firedStages.includes(s.key))?.key ?? 'suspend';
    }
    if (suspendStage !== null) {
      ep.suspended = true;
      result.actions.push({ kind: 'suspend', accountId: account.id, episodeId: ep.id, policyId: policy.id, source, evidence: { ...evidence, stage: suspendStage } });
    }
    if (changed || due.length > 0) result.episodes.push(ep);
  }

  for (const ep of closing) {
    result.episodes.push(ep);
    const policy = policies.find((p) => p.id === ep.policyId);
    const source = dunningSource(ep.policyId);
    const stillSuspended = open.some((o) => o.suspended && o.policyId === ep.policyId);
    if (ep.suspended && policy?.reactivateOnPayment && !stillSuspended && input.nonPaymentHoldSources.includes(source)) {
      result.actions.push({ kind: 'activate', accountId: account.id, episodeId: ep.id, policyId: ep.policyId, source });
    }
  }
  return result;
}

/** Every currency's overdue state is summarised for metrics: is the account overdue at or above its minimum? */
export function isOverdueAccount(result: LadderResult, policies: readonly DunningPolicy[]): boolean {
  return result.currencies.some((c) => c.overdueMicros >= (policies.find((p) => p.id === c.policyId)?.minOverdueMicros ?? Infinity));
}

export type { Episode, DunningAction, StageFired, CurrencyState, LadderResult } from './types.js';
