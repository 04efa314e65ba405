// Review decisions (CONTRACT §1 Modes): an operator approves a pending decision (placing the hold, source kept as
// the decision's) or rejects it (optionally with an exemption). Pure: returns the decided decision and the result.
import { actorLabel, isOperator } from './actors.js';
import type { Subtree, TransitionContext } from './commands.js';
import { DomainError } from './errors.js';
import { newExemption } from './exemptions.js';
import { emptyResult } from './result.js';
import { suspend } from './suspend.js';
import type { Actor, AuditEntry, Decision, TransitionResult } from './types.js';

export interface DecisionOutcome {
  /** The decision with its new state, decidedAt and decidedBy; the store updates its row. */
  decision: Decision;
  result: TransitionResult;
}

function checkDecidable(decision: Decision, actor: Actor): void {
  if (!isOperator(actor)) throw new DomainError('forbidden', 'only an operator may decide a review decision');
  if (decision.state !== 'pending') throw new DomainError('conflict', `decision ${decision.id} is ${decision.state}`);
}

function decided(decision: Decision, state: 'approved' | 'rejected', actor: Actor, now: string): Decision {
  return { ...decision, state, decidedAt: now, decidedBy: actorLabel(actor) };
}

/**
 * Approve: place the decision's hold through `suspend` (so idempotence, status changes and email apply), with the
 * decision's source (an automatic hold stays automatic: only an operator or expiry lifts it).
 */
export function approveDecision(
  subtree: Subtree,
  decision: Decision,
  actor: Actor,
  ctx: TransitionContext,
  opts: { note?: string | null; expiresAt?: string | null } = {},
): DecisionOutcome {
  checkDecidable(decision, actor);
  if (decision.accountId !== subtree.target.id) {
    throw new DomainError('invalid', `decision ${decision.id} is not about account ${subtree.target.id}`);
  }
  const placed = suspend(
    subtree,
    {
      kind: 'suspend',
      accountId: decision.accountId,
      actor,
      reason: decision.reason,
      source: decision.source,
      note: opts.note ?? decision.note,
      evidence: decision.evidence,
      expiresAt: opts.expiresAt ?? null,
    },
    ctx,
  );
  const entry: AuditEntry = {
    accountId: decision.accountId,
    kind: 'decision_approved',
    actor: actorLabel(actor),
    at: ctx.now,
    decisionId: decision.id,
    holdId: placed.holdsPlaced[0]?.id ?? null,
    reason: decision.reason,
    note: opts.note ?? null,
    evidence: decision.evidence,
  };
  return {
    decision: decided(decision, 'approved', actor, ctx.now),
    result: { ...placed, changed: true, audit: [entry, ...placed.audit] },
  };
}

/** Reject: no hold. `exemptForMs` adds an exemption of the decision's reason until now + exemptForMs. */
export function rejectDecision(
  decision: Decision,
  actor: Actor,
  ctx: TransitionContext,
  opts: { note?: string | null; exemptForMs?: number | null } = {},
): DecisionOutcome {
  checkDecidable(decision, actor);
  const label = actorLabel(actor);
  const note = opts.note ?? null;
  const result: TransitionResult = { ...emptyResult(), changed: true };
  result.audit.push({
    accountId: decision.accountId,
    kind: 'decision_rejected',
    actor: label,
    at: ctx.now,
    decisionId: decision.id,
    reason: decision.reason,
    note,
    evidence: decision.evidence,
  });
  if (opts.exemptForMs != null) {
    if (!Number.isSafeInteger(opts.exemptForMs) || opts.exemptForMs <= 0) {
      throw new DomainError('invalid', 'exemptFor must be a positive duration');
    }
    const x = newExemption({
      id: ctx.newId('x'),
      accountId: decision.accountId,
      reason: decision.reason,
      now: ctx.now,
      forMs: opts.exemptForMs,
      note,
      createdBy: label,
    });
    result.exemptionsCreated.push(x);
    result.audit.push({ accountId: x.accountId, kind: 'exemption_created', actor: label, at: ctx.now, reason: x.reason, note });
  }
  return { decision: decided(decision, 'rejected', actor, ctx.now), result };
}
