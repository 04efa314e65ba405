// The dunning ladder: given an account's invoice snapshots, its open episodes, holds and exemptions, and `now`,
// decides which stages fire and which emails, suspensions and reactivations follow. Pure: no I/O, no clock.
//
// Decisions (docs/dunning.md has a worked example of each):
// - One episode per account and currency, under one policy. It opens when the overdue balance reaches minOverdue,
//   closes when it falls below, and also closes when the account stops matching the policy's appliesTo (or the
//   policy is gone): that lifts the dunning hold whatever reactivateWhen says, with an audit note.
// - The ladder position is a function of the anchor, the oldest overdue invoice that counts, recomputed on every
//   evaluation. When the anchor moves to another invoice, the stages re-arm for it (anchor.ts); no stage is sent
//   twice for the same anchor.
// - Several stages due at once (an account first seen late, or an anchor that is already old): all are recorded as
//   fired, only the last one's email is sent, and a suspend among them applies (Kill Bill's
//   testDelayedCheckAppliesMostSevereMatchingState). Every email and suspension names the invoices and amounts.
// - The hold belongs in place (episode.suspended) with reactivateWhen below_suspend_stage while the position is at or
//   past the suspending stage, with balance_cleared from the suspension until the episode closes. If someone lifted
//   it, it is placed again, except while an exemption covers it (an operator's exemptFor is exactly that). An
//   exemption (reason non_payment or null) pauses the ladder: no stage fires and no hold is placed; lifting is never
//   paused.
// - Reactivation (reactivateOnPayment): when no open episode of the policy holds the hold in place any more and one
//   of them did, `activate` lifts the dunning's own hold; other holds stay.
import { localDate } from './calendar.js';
import { formatMicros } from '../../domain/money.js';
import { daysPastDue, overdueBalances } from './overdue.js';
import { appliesTo, choosePolicy, namedStages, type DunningAccount } from './policy.js';
import { firedEntry, invoiceList, overdueInvoices, pickAnchor, reanchor } from './anchor.js';
import type { InvoiceSnapshot } from './ledger.js';
import type { DunningPolicy } from '../types.js';
import type { HoldSource } from '../../domain/types.js';
import type { CurrencyState, DunningAction, Episode, ExemptionView, LadderResult, LiftCause, StageFired } from './types.js';

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

/** An episode whose hold state changed in this evaluation, for the lifting decision. */
interface Settled {
  ep: Episode;
  wasSuspended: boolean;
  cause: LiftCause | null;
}

export function evaluateLadder(input: LadderInput): LadderResult {
  const { account, now, policies } = input;
  const today = localDate(now, account.timezone);
  const chosen = choosePolicy(account, policies);
  const result: LadderResult = { currencies: [], episodes: [], stagesFired: [], actions: [] };
  const settled: Settled[] = [];

  const currencies = new Set(input.openEpisodes.map((e) => e.currency));
  if (chosen) {
    for (const b of overdueBalances(input.invoices, { ...chosen, timezone: account.timezone }, today)) currencies.add(b.currency);
  }
  for (const currency of [...currencies].sort()) {
    let current = input.openEpisodes.find((e) => e.currency === currency);
    if (current) {
      const own = policies.find((p) => p.id === current!.policyId);
      if (!own || !appliesTo(own.appliesTo, account)) {
        const cause = own ? 'left_policy' : 'policy_removed';
        const ended = { ...current, suspended: false, closedAt: now };
        result.episodes.push(ended);
        settled.push({ ep: ended, wasSuspended: current.suspended, cause });
        result.actions.push({
          kind: 'note', accountId: account.id, episodeId: current.id, policyId: current.policyId, cause,
          note: own
            ? `the account no longer matches the appliesTo of dunning policy ${own.id}: its episode ${current.id} ends and its dunning hold lifts`
            : `dunning policy ${current.policyId} no longer exists: episode ${current.id} ends and its dunning hold lifts`,
        });
        current = undefined;
      }
    }
    const policy = current ? policies.find((p) => p.id === current!.policyId)! : chosen;
    if (!policy) continue;
    const opts = { ...policy, timezone: account.timezone };
    const balance = overdueBalances(input.invoices.filter((i) => i.currency === currency), opts, today)[0];
    const amount = balance?.overdueMicros ?? 0;
    const paused = isPaused(input.exemptions, policy.id, now);
    const dpd = balance ? daysPastDue(balance.oldestDueAt, today, policy.graceDays) : null;
    result.currencies.push({ currency, policyId: policy.id, overdueMicros: amount, oldestDueAt: balance?.oldestDueAt ?? null, daysPastDue: dpd, paused } satisfies CurrencyState);

    if (!balance || amount < policy.minOverdueMicros) {
      if (current) {
        const ended = { ...current, suspended: false, closedAt: now };
        result.episodes.push(ended);
        settled.push({ ep: ended, wasSuspended: current.suspended, cause: policy.reactivateWhen });
      }
      continue;
    }
    const anchorId = pickAnchor(balance, current?.anchorInvoiceId ?? null);
    const ep: Episode = current
      ? reanchor(current, anchorId, balance.oldestDueAt)
      : {
          id: `${currency}-${now}`, accountId: account.id, currency, policyId: policy.id, openedAt: now, anchorDueAt: balance.oldestDueAt,
          anchorInvoiceId: anchorId, firedStages: [], firedLog: [], suspended: false, closedAt: null,
        };
    const changed = !current || current.anchorDueAt !== ep.anchorDueAt || current.anchorInvoiceId !== ep.anchorInvoiceId;
    const days = dpd ?? 0;
    const stages = namedStages(policy);
    const suspendAt = stages.find((s) => s.suspend)?.afterDays ?? null;
    const atSuspendStage = suspendAt !== null && days >= suspendAt;
    const source = dunningSource(policy.id);
    const wasSuspended = current?.suspended ?? false;
    const invoices = overdueInvoices(balance);
    const list = invoiceList(invoices, currency);
    const evidence = { overdue: formatMicros(amount), currency, oldestDueAt: balance.oldestDueAt, daysPastDue: days, invoiceId: anchorId, invoices, invoiceList: list };

    let placeStage: string | null = null;
    if (paused) {
      ep.suspended = policy.reactivateWhen === 'balance_cleared' ? wasSuspended : wasSuspended && atSuspendStage;
    } else {
      const due = stages.filter((s) => s.afterDays <= days && !ep.firedStages.includes(s.key));
      due.forEach((s, i) => {
        const last = i === due.length - 1;
        ep.firedStages.push(s.key);
        ep.firedLog.push(firedEntry(s.key, anchorId));
        result.stagesFired.push({
          accountId: account.id, episodeId: ep.id, policyId: policy.id, stage: s.key, currency, overdueMicros: amount,
          oldestDueAt: balance.oldestDueAt, daysPastDue: days, invoiceId: anchorId, invoices, email: s.email, emailSkipped: s.email !== null && !last, suspend: s.suspend,
        } satisfies StageFired);
        if (s.email && last) {
          result.actions.push({
            kind: 'email', accountId: account.id, episodeId: ep.id, policyId: policy.id, stage: s.key, template: s.email,
            data: { overdueAmount: evidence.overdue, currency, dueAt: balance.oldestDueAt, stage: s.key, policyId: policy.id, daysPastDue: days, invoiceId: anchorId, invoices, invoiceList: list },
          });
        }
        if (s.suspend) placeStage = s.key;
      });
      const belongs = policy.reactivateWhen === 'balance_cleared' ? wasSuspended || placeStage !== null : atSuspendStage;
      ep.suspended = belongs;
      if (belongs && placeStage === null && !input.nonPaymentHoldSources.includes(source)) {
        placeStage = [...stages].reverse().find((s) => s.suspend && ep.firedStages.includes(s.key))?.key ?? 'suspend';
      }
      if (!belongs) placeStage = null;
      if (placeStage !== null) {
        result.actions.push({ kind: 'suspend', accountId: account.id, episodeId: ep.id, policyId: policy.id, source, evidence: { ...evidence, stage: placeStage } });
      }
      if (changed || due.length > 0 || ep.suspended !== wasSuspended) result.episodes.push(ep);
    }
    if (paused && (changed || ep.suspended !== wasSuspended)) result.episodes.push(ep);
    settled.push({ ep, wasSuspended, cause: ep.suspended ? null : policy.reactivateWhen });
  }
  result.actions.push(...lifts(input, settled));
  return result;
}

/** The `activate` actions: per policy whose hold is in place, when no open episode keeps it and one let it go. */
function lifts(input: LadderInput, settled: readonly Settled[]): DunningAction[] {
  const out: DunningAction[] = [];
  for (const policyId of [...new Set(settled.map((s) => s.ep.policyId))].sort()) {
    const source = dunningSource(policyId);
    if (!input.nonPaymentHoldSources.includes(source)) continue;
    const mine = settled.filter((s) => s.ep.policyId === policyId);
    if (mine.some((s) => s.ep.closedAt === null && s.ep.suspended)) continue;
    if (input.openEpisodes.some((e) => e.policyId === policyId && e.suspended && !mine.some((s) => s.ep.id === e.id))) continue;
    const policy = input.policies.find((p) => p.id === policyId);
    const left = mine.find((s) => s.cause === 'left_policy' || s.cause === 'policy_removed');
    const paid = mine.find((s) => s.wasSuspended && s.cause !== null && (s.cause === 'below_suspend_stage' || s.ep.closedAt !== null));
    const why = left ?? (policy?.reactivateOnPayment ? paid : undefined);
    if (why) out.push({ kind: 'activate', accountId: input.account.id, episodeId: why.ep.id, policyId, source, cause: why.cause! });
  }
  return out;
}

/** Every currency's overdue state is summarised for metrics: is the account overdue at or above its minimum? */
export function isOverdueAccount(result: LadderResult, policies: readonly DunningPolicy[]): boolean {
  return result.currencies.some((c) => c.overdueMicros >= (policies.find((p) => p.id === c.policyId)?.minOverdueMicros ?? Infinity));
}

export type { Episode, DunningAction, StageFired, CurrencyState, LadderResult } from './types.js';
