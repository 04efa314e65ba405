// Applying a batch's suspensions and reactivations through the one domain transition, in the caller's transaction.
// Fast path: all of them with the store's executeTransitions (one subtree load and one write statement for the
// batch, same effect as one by one). Slow path, when that hits a non-transient database error or a runner is
// injected: one executeTransition per account, each under a savepoint, so one bad account does not stop the others.
// Never: decides which actions to take (evaluate.ts does), or swallows a transient error (the caller reruns the batch).
import type { Queryable } from '../store/db.js';
import type { TransitionCommand } from '../domain/commands.js';
import type { TransitionResult } from '../domain/types.js';
import type { Logger } from '../log.js';
import { isRetryableDbError } from '../store/errors.js';
import { executeTransitions } from '../store/transitions.js';
import { runTransition } from './transition.js';
import type { DunningAction, LiftCause } from '../rules/dunning/types.js';

export type TransitionRunner = (tx: Queryable, cmd: TransitionCommand, now: string) => Promise<TransitionResult>;

type Outcome = { ok: true; result: TransitionResult } | { ok: false; error: unknown };

export type TransitionAction = Extract<DunningAction, { kind: 'suspend' | 'activate' }>;

export interface ApplyOptions {
  logger?: Pick<Logger, 'info' | 'error'> | undefined;
  /** Injected for tests: forces the one-by-one path with this runner. */
  transition?: TransitionRunner | undefined;
}

export interface ApplySummary {
  suspended: number;
  activated: number;
  failed: number;
  /** The transitions that changed something, in order: the caller counts them in the metrics after its commit. */
  decisions: Array<'suspend' | 'activate'>;
}

/** Why the dunning lifted its hold, in the hold_lifted audit entry. */
const LIFT_NOTES: Record<LiftCause, string> = {
  below_suspend_stage: 'reactivateWhen below_suspend_stage: the oldest overdue invoice that counts is younger than the suspending stage',
  balance_cleared: 'reactivateWhen balance_cleared: the overdue balance is below the policy minimum',
  left_policy: 'the account no longer matches the dunning policy (appliesTo); the episode ended',
  policy_removed: 'the dunning policy no longer exists; the episode ended',
};

export function transitionCommand(a: TransitionAction): TransitionCommand {
  return a.kind === 'suspend'
    ? { kind: 'suspend', accountId: a.accountId, actor: { kind: 'system', source: a.source }, reason: 'non_payment', source: a.source, evidence: { ...a.evidence } }
    : { kind: 'activate', accountId: a.accountId, actor: { kind: 'system', source: a.source }, reason: 'non_payment', source: a.source, note: LIFT_NOTES[a.cause] };
}

export async function applyTransitions(tx: Queryable, actions: readonly TransitionAction[], nowIso: string, opts: ApplyOptions): Promise<ApplySummary> {
  const summary: ApplySummary = { suspended: 0, activated: 0, failed: 0, decisions: [] };
  if (actions.length === 0) return summary;
  const cmds = actions.map(transitionCommand);
  let outcomes: Outcome[] | null = null;
  if (opts.transition === undefined) {
    await tx.query('SAVEPOINT dunning_transitions');
    try {
      outcomes = await executeTransitions(tx, cmds, { now: nowIso });
      await tx.query('RELEASE SAVEPOINT dunning_transitions');
    } catch (err) {
      if (isRetryableDbError(err)) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT dunning_transitions');
      opts.logger?.error({ err, accounts: actions.length }, 'dunning transitions failed as a batch; applying them one by one');
    }
  }
  if (outcomes === null) outcomes = await oneByOne(tx, cmds, nowIso, opts.transition);
  actions.forEach((a, i) => {
    const o = outcomes[i]!;
    if (!o.ok) {
      // Not transient: this account's transition is skipped and logged; for a suspension the episode keeps
      // `suspended`, so the next evaluation places the hold again, and other accounts go on.
      summary.failed += 1;
      opts.logger?.error({ err: o.error, accountId: a.accountId, policyId: a.policyId, action: a.kind }, 'dunning transition failed');
    } else if (o.result.changed) {
      summary.decisions.push(a.kind);
      if (a.kind === 'suspend') summary.suspended += 1;
      else summary.activated += 1;
      opts.logger?.info({ accountId: a.accountId, policyId: a.policyId, episodeId: a.episodeId, action: a.kind }, `dunning ${a.kind}`);
    }
  });
  return summary;
}

async function oneByOne(tx: Queryable, cmds: readonly TransitionCommand[], nowIso: string, runner: TransitionRunner | undefined): Promise<Outcome[]> {
  const run = runner ?? runTransition;
  const out: Outcome[] = [];
  for (const cmd of cmds) {
    await tx.query('SAVEPOINT dunning_transition');
    try {
      const result = await run(tx, cmd, nowIso);
      await tx.query('RELEASE SAVEPOINT dunning_transition');
      out.push({ ok: true, result });
    } catch (err) {
      if (isRetryableDbError(err)) throw err;
      await tx.query('ROLLBACK TO SAVEPOINT dunning_transition');
      out.push({ ok: false, error: err });
    }
  }
  return out;
}
