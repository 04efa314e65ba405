// The one activate transition (CONTRACT §1): lifts the target's own holds that match the command's filters and that
// the actor may lift. Pure: time and ids come from the context; descendants keep their own holds.
import { actorLabel, isOperator } from './actors.js';
import { canLift } from './authority.js';
import type { ActivateCommand, Subtree, TransitionContext } from './commands.js';
import { activationEmail } from './emails.js';
import { DomainError } from './errors.js';
import { newExemption } from './exemptions.js';
import { emptyResult, guard, statusChanges } from './result.js';
import { ownHolds } from './tree.js';
import type { AuditEntry, Exemption, Hold, TransitionResult } from './types.js';

function matches(hold: Hold, cmd: ActivateCommand): boolean {
  if (cmd.reason != null && hold.reason !== cmd.reason) return false;
  if (cmd.source != null && hold.source !== cmd.source) return false;
  if (cmd.holdIds != null && !cmd.holdIds.includes(hold.id)) return false;
  return true;
}

/**
 * Activate `cmd.accountId` (the subtree's target).
 * - Persons go through the authority table; system actors bypass it but still obey canLift.
 * - No own hold matches the filters: nothing happens (changed=false), so a repeat is harmless.
 * - Holds match but the actor may lift none of them: DomainError('forbidden'). Some liftable: those are lifted.
 * - `exemptForMs`: operators only (else forbidden); one exemption per lifted reason, until now + exemptForMs.
 * - Email `activation` only when the last own hold goes, even if an ancestor still suspends the account.
 */
export function activate(subtree: Subtree, cmd: ActivateCommand, ctx: TransitionContext): TransitionResult {
  guard(subtree, cmd);
  if (cmd.exemptForMs != null) {
    if (!isOperator(cmd.actor)) throw new DomainError('forbidden', 'only an operator may grant exemptFor');
    if (!Number.isSafeInteger(cmd.exemptForMs) || cmd.exemptForMs <= 0) {
      throw new DomainError('invalid', 'exemptFor must be a positive duration');
    }
  }
  const own = ownHolds(subtree);
  const matching = own.filter((h) => matches(h, cmd));
  if (matching.length === 0) return emptyResult();
  const lifted = matching.filter((h) => canLift(cmd.actor, h, ctx.now));
  if (lifted.length === 0) {
    throw new DomainError('forbidden', `not allowed to lift the holds on account ${subtree.target.id}`);
  }
  const liftedIds = new Set(lifted.map((h) => h.id));
  const remaining = subtree.holds.filter((h) => !liftedIds.has(h.id));
  const changes = statusChanges(subtree, subtree.holds, remaining);
  const actor = actorLabel(cmd.actor);
  const audit: AuditEntry[] = lifted.map((h) => ({
    accountId: h.accountId,
    kind: 'hold_lifted',
    actor,
    at: ctx.now,
    holdId: h.id,
    reason: h.reason,
    note: cmd.note ?? null,
    evidence: null,
  }));
  const exemptions: Exemption[] = [];
  if (cmd.exemptForMs != null) {
    for (const reason of [...new Set(lifted.map((h) => h.reason))].sort()) {
      const x = newExemption({
        id: ctx.newId('x'),
        accountId: subtree.target.id,
        reason,
        now: ctx.now,
        forMs: cmd.exemptForMs,
        note: cmd.note ?? null,
        createdBy: actor,
      });
      exemptions.push(x);
      audit.push({ accountId: x.accountId, kind: 'exemption_created', actor, at: ctx.now, reason, note: x.note });
    }
  }
  const lastGone = lifted.length === own.length;
  const inheritedFrom = changes.find((c) => c.after.accountId === subtree.target.id)?.after.inheritedFrom ?? [];
  return {
    ...emptyResult(),
    changed: true,
    holdsLifted: lifted,
    exemptionsCreated: exemptions,
    audit,
    statusChanges: changes,
    emails: lastGone ? [activationEmail(subtree.target, lifted, ctx.now, inheritedFrom)] : [],
  };
}
