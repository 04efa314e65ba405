// Refreshes the gauges that are counts over the store: accounts suspended by reason and the review queue.
// Two small aggregate queries per tick, whatever the number of accounts.
import type { Metrics } from '../metrics.js';
import type { Queryable } from '../store/db.js';
import { HOLD_REASONS } from '../domain/types.js';
import { countSuspendedByReason } from '../store/holds-repo.js';

export async function refreshStoreGauges(db: Queryable, metrics: Metrics): Promise<void> {
  const held = await countSuspendedByReason(db);
  for (const reason of HOLD_REASONS) metrics.setAccountsSuspended(reason, held[reason]);
  const pending = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM decisions WHERE state = 'pending'`);
  metrics.setDecisionsPending(Number(pending.rows[0]?.n ?? 0));
}
