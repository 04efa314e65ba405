// The one suspend transition (CONTRACT §1). Idempotent per (reason, source); automatic suspensions in review mode or
// covered by an active exemption open a review decision instead. Pure: time and ids come from the context.
import { actorLabel, ruleIdOf } from './actors.js';
import type { SuspendCommand, Subtree, TransitionContext } from './commands.js';
import { activeExemption } from './exemptions.js';
import { emptyResult, guard, statusChanges } from './result.js';
import { suspensionEmail } from './emails.js';
import { ownHolds } from './tree.js';
import type { Decision, Hold, TransitionResult } from './types.js';

/**
 * Suspend `cmd.accountId` (the subtree's target).
 * - Persons go through the authority table (DomainError not_found/forbidden); system actors bypass it.
 * - A hold with the same reason and source already on the account: nothing happens (changed=false).
 * - A system actor with mode 'review', or covered by an active exemption: a pending decision is opened, unless one
 *   with the same source and reason is already pending. Persons always place the hold (mode is ignored for them).
 * - Email: `suspension-<reason>` when the account had no own hold of this reason yet. A second reason on an already
 *   suspended account is mailed too (it is news to the customer); a second source of the same reason is not.
 */
export function suspend(subtree: Subtree, cmd: SuspendCommand, ctx: TransitionContext): TransitionResult {
  guard(subtree, cmd);
  const own = ownHolds(subtree);
  if (own.some((h) => h.reason === cmd.reason && h.source === cmd.source)) return emptyResult();
  if (cmd.actor.kind === 'system' && needsReview(subtree, cmd, ctx.now)) return openDecision(subtree, cmd, ctx);
  return placeHold(subtree, cmd, ctx, own);
}

function needsReview(subtree: Subtree, cmd: SuspendCommand, now: string): boolean {
  if (cmd.mode === 'review') return true;
  const ruleId = cmd.ruleId ?? ruleIdOf(cmd.source);
  const exemptions = subtree.exemptions.filter((x) => x.accountId === subtree.target.id);
  return activeExemption(exemptions, cmd.reason, ruleId, now) !== null;
}

function openDecision(subtree: Subtree, cmd: SuspendCommand, ctx: TransitionContext): TransitionResult {
  const target = subtree.target;
  const duplicate = subtree.pendingDecisions.some(
    (d) => d.accountId === target.id && d.state === 'pending' && d.source === cmd.source && d.reason === cmd.reason,
  );
  if (duplicate) return emptyResult();
  const decision: Decision = {
    id: ctx.newId('d'),
    accountId: target.id,
    reason: cmd.reason,
    source: cmd.source,
    evidence: cmd.evidence ?? {},
    note: cmd.note ?? null,
    state: 'pending',
    createdAt: ctx.now,
    decidedAt: null,
    decidedBy: null,
  };
  return {
    ...emptyResult(),
    changed: true,
    decisionsOpened: [decision],
    audit: [
      {
        accountId: target.id,
        kind: 'decision_opened',
        actor: actorLabel(cmd.actor),
        at: ctx.now,
        decisionId: decision.id,
        reason: cmd.reason,
        note: decision.note,
        evidence: decision.evidence,
      },
    ],
  };
}

function placeHold(subtree: Subtree, cmd: SuspendCommand, ctx: TransitionContext, own: Hold[]): TransitionResult {
  const target = subtree.target;
  const hold: Hold = {
    id: ctx.newId('h'),
    accountId: target.id,
    reason: cmd.reason,
    source: cmd.source,
    evidence: cmd.evidence ?? {},
    note: cmd.note ?? null,
    placedAt: ctx.now,
    expiresAt: cmd.expiresAt ?? null,
  };
  const changes = statusChanges(subtree, subtree.holds, [...subtree.holds, hold]);
  const inheritedFrom = changes.find((c) => c.after.accountId === target.id)?.after.inheritedFrom ?? [];
  const newReason = !own.some((h) => h.reason === cmd.reason);
  return {
    ...emptyResult(),
    changed: true,
    holdsPlaced: [hold],
    audit: [
      {
        accountId: target.id,
        kind: 'hold_placed',
        actor: actorLabel(cmd.actor),
        at: ctx.now,
        holdId: hold.id,
        reason: hold.reason,
        note: hold.note,
        evidence: hold.evidence,
      },
    ],
    statusChanges: changes,
    emails: newReason ? [suspensionEmail(target, hold, inheritedFrom)] : [],
  };
}
