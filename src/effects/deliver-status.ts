// One status pass: claim due status rows, publish them as one ordered batch, then mark them done; or reschedule
// them with backoff, parking (and auditing) those out of attempts. Never publishes a row it has not claimed.
import type { Queryable } from '../store/db.js';
import type { DeliveryContext } from './delivery-context.js';
import { retryAt } from './delivery-context.js';
import { insertEffectAudit } from './outbox-audit.js';
import { claimBatch, markDone, markFailed, skipPending, type FailedRow, type FailureOutcome } from './outbox-sql.js';
import type { OutboxRow, StatusSink } from './outbox-types.js';
import { errorText, withTimeout } from './with-timeout.js';

/** Returns how many rows it handled (claimed or skipped); 0 means there was nothing due. */
export async function deliverStatusBatch(ctx: DeliveryContext, sink: StatusSink | undefined): Promise<number> {
  if (!sink) {
    // No Kafka: the status is already stored in account_status and served by the API; don't let rows pile up.
    const skipped = await skipPending(ctx.db, 'status', ctx.clock.now());
    if (skipped > 0) ctx.logger.debug({ skipped }, 'status outbox rows skipped: Kafka is not configured');
    return skipped;
  }
  const rows = await claimBatch(ctx.db, {
    kind: 'status',
    now: ctx.clock.now(),
    limit: ctx.batchSize,
    leaseMs: ctx.leaseMs,
    dispatcherId: ctx.dispatcherId,
  });
  if (rows.length === 0) return 0;

  const valid = rows.filter((r) => typeof r.payload === 'object' && r.payload !== null);
  const invalid = rows.filter((r) => !valid.includes(r));
  const failures: FailedRow[] = invalid.map((r) => ({ id: r.id, error: 'status payload is not a JSON object', retryAt: ctx.clock.now(), permanent: true }));

  let published = false;
  if (valid.length > 0) {
    try {
      await withTimeout(sink.publish(valid.map((r) => ({ accountId: r.accountId, value: r.payload }))), ctx.sendTimeoutMs);
      published = true;
    } catch (err) {
      ctx.logger.warn({ err, rows: valid.length }, 'status publish failed; will retry');
      const error = errorText(err);
      for (const r of valid) failures.push({ id: r.id, error, retryAt: retryAt(ctx, r.attempts) });
    }
  }
  // If this bookkeeping fails (database gone), the rows stay claimed and are published again after the lease:
  // a duplicate of the same version, which a compacting consumer absorbs, rather than a loss.
  if (published) await markDone(ctx.db, valid.map((r) => r.id), ctx.clock.now());
  if (failures.length > 0) await recordFailures(ctx, rows, failures);
  return rows.length;
}

async function recordFailures(ctx: DeliveryContext, rows: OutboxRow[], failures: FailedRow[]): Promise<void> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const errors = new Map(failures.map((f) => [f.id, f.error]));
  await ctx.db.transaction(async (tx: Queryable) => {
    const outcomes: FailureOutcome[] = await markFailed(tx, failures, { maxAttempts: ctx.maxAttempts, dispatcherId: ctx.dispatcherId });
    const parked = outcomes.filter((o) => o.state === 'parked');
    await insertEffectAudit(
      tx,
      parked.map((o) => {
        const payload = byId.get(o.id)?.payload as { version?: unknown } | undefined;
        return {
          accountId: o.accountId,
          kind: 'alert' as const,
          at: ctx.clock.now(),
          note: `status message was not published after ${o.attempts} attempts; parked`,
          evidence: { effect: 'status', outboxId: o.id, version: payload?.version ?? null, attempts: o.attempts, error: errors.get(o.id) ?? null },
        };
      }),
    );
    if (parked.length > 0) ctx.metrics.outboxRowParked('status', parked.length);
    for (const o of parked) ctx.logger.error({ accountId: o.accountId, outboxId: o.id, attempts: o.attempts, error: errors.get(o.id) }, 'status outbox row parked');
  });
}
