// Runs one operator transition (suspend, activate) or decision (approve, reject) through the store, which loads
// the subtree, runs the one domain transition and persists it in one transaction (retried when it loses a race).
// Then records metrics and wakes the outbox. Never decides authority itself: the domain does.
import type { TransitionCommand } from '../domain/commands.js';
import type { Decision, TransitionResult } from '../domain/types.js';
import { withDecision, type DecideCommand } from '../store/decide.js';
import { withTransition, type ExecutedTransition } from '../store/transitions.js';
import type { ApiDeps } from './deps.js';

function committed(deps: ApiDeps, accountId: string, action: string, result: TransitionResult): void {
  for (const h of result.holdsPlaced) deps.metrics.decision(h.reason, 'operator', 'suspend');
  for (const h of result.holdsLifted) deps.metrics.decision(h.reason, 'operator', 'activate');
  if (!result.changed) return;
  deps.logger.info(
    {
      accountId,
      action,
      holdsPlaced: result.holdsPlaced.map((h) => h.id),
      holdsLifted: result.holdsLifted.map((h) => h.id),
      decisionsOpened: result.decisionsOpened.map((d) => d.id),
      exemptionsCreated: result.exemptionsCreated.map((x) => x.id),
    },
    'operator action committed',
  );
  wake(deps);
}

export async function runTransition(deps: ApiDeps, cmd: TransitionCommand): Promise<ExecutedTransition> {
  const result = await withTransition(deps.db, cmd, { now: deps.clock.now() });
  committed(deps, cmd.accountId, cmd.kind, result);
  return result;
}

export async function runDecision(deps: ApiDeps, cmd: DecideCommand): Promise<{ decision: Decision; result: ExecutedTransition }> {
  const out = await withDecision(deps.db, cmd, { now: deps.clock.now() });
  committed(deps, out.decision.accountId, cmd.action, out.result);
  return out;
}

export function wake(deps: ApiDeps): void {
  try {
    deps.onCommitted?.();
  } catch (err) {
    deps.logger.error({ err }, 'onCommitted callback failed');
  }
}
