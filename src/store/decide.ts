// Approving or rejecting a review decision in one transaction: lock the decision, run the pure domain
// (approveDecision / rejectDecision), record the decided state and persist the result like any transition.
// Never: decides anything itself; the domain does.
import type { Database, Queryable } from './db.js';
import { approveDecision, rejectDecision } from '../domain/decisions.js';
import { DomainError } from '../domain/errors.js';
import type { Actor, Decision } from '../domain/types.js';
import { getDecision, setDecisionState } from './decisions-repo.js';
import {
  domainContext,
  inTransactionWithRetry,
  loadSubtreeOrThrow,
  persistTransition,
  TransitionConflictError,
  type ExecuteContext,
  type ExecutedTransition,
} from './transitions.js';

export type DecideCommand =
  | { action: 'approve'; decisionId: string; actor: Actor; note?: string | null; expiresAt?: string | null }
  | { action: 'reject'; decisionId: string; actor: Actor; note?: string | null; exemptForMs?: number | null };

export interface DecideOutcome {
  decision: Decision;
  result: ExecutedTransition;
}

/** Unknown decision -> DomainError('not_found'); already decided -> DomainError('conflict') (from the domain). */
export async function executeDecision(tx: Queryable, cmd: DecideCommand, ctx: ExecuteContext): Promise<DecideOutcome> {
  const found = await getDecision(tx, cmd.decisionId);
  if (found === null) throw new DomainError('not_found', `decision ${cmd.decisionId} not found`);
  // Lock the account subtree first (the same order as every transition), then the decision row.
  const subtree = await loadSubtreeOrThrow(tx, found.accountId);
  const decision = await getDecision(tx, cmd.decisionId, { forUpdate: true });
  if (decision === null) throw new DomainError('not_found', `decision ${cmd.decisionId} not found`);
  const dctx = domainContext(ctx);
  const outcome =
    cmd.action === 'approve'
      ? approveDecision(subtree, decision, cmd.actor, dctx, { note: cmd.note ?? null, expiresAt: cmd.expiresAt ?? null })
      : rejectDecision(decision, cmd.actor, dctx, { note: cmd.note ?? null, exemptForMs: cmd.exemptForMs ?? null });
  if (!(await setDecisionState(tx, outcome.decision))) {
    throw new TransitionConflictError(`decision ${decision.id} was decided concurrently`);
  }
  const result = await persistTransition(tx, subtree, outcome.result, dctx.now);
  return { decision: outcome.decision, result };
}

export function withDecision(db: Database, cmd: DecideCommand, ctx: ExecuteContext): Promise<DecideOutcome> {
  return inTransactionWithRetry(db, (tx) => executeDecision(tx, cmd, ctx));
}
