// Lifts rule holds whose `releaseAfter` has passed, through the ordinary activate transition as the `expiry`
// system actor. One set-based query finds the due holds; each account is then one transition of its own.
import type { Clock } from '../clock.js';
import { expiryCommand } from '../domain/expiry.js';
import type { Hold } from '../domain/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/db.js';
import { listExpiredHolds } from '../store/holds-repo.js';
import { withTransition } from '../store/transitions.js';

export interface HoldExpiryDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  onCommitted?: () => void;
  batchSize?: number;
}

/** Lifts every due hold (at most `batchSize` per call); returns how many holds were lifted. */
export async function releaseExpiredHolds(deps: HoldExpiryDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await listExpiredHolds(deps.db, now.toISOString(), deps.batchSize ?? 500);
  const byAccount = new Map<string, Hold[]>();
  for (const h of due) byAccount.set(h.accountId, [...(byAccount.get(h.accountId) ?? []), h]);
  let lifted = 0;
  for (const [accountId, holds] of byAccount) {
    const cmd = expiryCommand(accountId, holds);
    try {
      const result = await withTransition(deps.db, cmd, { now });
      for (const h of result.holdsLifted) {
        deps.metrics.decision(h.reason, 'expiry', 'activate');
        deps.logger.info({ accountId, holdId: h.id, reason: h.reason, source: h.source }, 'hold expired and lifted');
        lifted += 1;
      }
      if (result.changed) deps.onCommitted?.();
    } catch (err) {
      deps.logger.error({ err, accountId }, 'could not lift expired holds');
    }
  }
  return lifted;
}
