// One email pass: claim due email rows, resolve each one's recipient and names from the account as stored now, and,
// a few at a time, render and send them, recording the result in the account's history in the same transaction
// that completes the row. A failure is retried with backoff and never blocks anything but later emails of the same
// account; a row with no recipient yet waits for it (email-wait.ts). Never sends a row it has not claimed.
import { z } from 'zod';
import type { Queryable } from '../store/db.js';
import type { DeliveryContext } from './delivery-context.js';
import { retryAt } from './delivery-context.js';
import { resolveRecipient, type StoredAccount } from './email-recipient.js';
import { settleUnresolved, type Unresolved } from './email-wait.js';
import { messageIdFor } from './message-id.js';
import { insertEffectAudit } from './outbox-audit.js';
import { claimBatch, markDone, markFailed } from './outbox-sql.js';
import { loadStoredAccounts } from './outbox-wait-sql.js';
import type { EmailPayload, EmailRenderer, EmailSink, OutboxRow } from './outbox-types.js';
import { errorText, withTimeout } from './with-timeout.js';

const emailPayloadSchema = z.object({
  template: z.string().min(1),
  accountId: z.string().min(1),
  to: z.object({ name: z.string().nullish(), email: z.string() }).nullable().default(null),
  data: z.record(z.string(), z.unknown()).default({}),
});

export interface EmailDeliveryDeps {
  sink: EmailSink;
  render: EmailRenderer;
  concurrency: number;
}

interface Completed {
  row: OutboxRow;
  template: string;
  messageId: string;
  to: string;
}

/**
 * Returns how many rows it claimed; 0 means there was nothing due. Sends run a few at a time; the rows sent are
 * recorded together (done + history, one transaction) at the end of the batch. A crash before that records
 * nothing, and those rows are sent again after their lease, with the same Message-IDs: at least once, never lost.
 */
export async function deliverEmailBatch(ctx: DeliveryContext, deps: EmailDeliveryDeps): Promise<number> {
  const rows = await claimBatch(ctx.db, {
    kind: 'email',
    now: ctx.clock.now(),
    limit: ctx.batchSize,
    leaseMs: ctx.leaseMs,
    dispatcherId: ctx.dispatcherId,
  });
  if (rows.length === 0) return 0;
  const stored = await loadStoredAccounts(ctx.db, rows.map((r) => r.accountId));
  const completed: Completed[] = [];
  const unresolved: Unresolved[] = [];
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        const c = await deliverOne(ctx, deps, row, stored.get(row.accountId));
        if (c && 'waitingFor' in c) unresolved.push(c);
        else if (c) completed.push(c);
      } catch (err) {
        // Only the bookkeeping of a failure can land here (database down): the lease expires and the row is retried.
        ctx.logger.error({ err, outboxId: row.id, accountId: row.accountId }, 'email outbox bookkeeping failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, rows.length) }, worker));
  if (completed.length > 0) await recordCompleted(ctx, completed);
  await settleUnresolved(ctx, unresolved);
  return rows.length;
}

async function recordCompleted(ctx: DeliveryContext, completed: Completed[]): Promise<void> {
  const now = ctx.clock.now();
  const done = await ctx.db.transaction(async (tx: Queryable) => {
    const ids = new Set(await markDone(tx, completed.map((c) => c.row.id), now));
    await insertEffectAudit(
      tx,
      completed
        .filter((c) => ids.has(c.row.id))
        .map((c) => ({ accountId: c.row.accountId, kind: 'email_sent' as const, at: now, note: `email "${c.template}" sent to the main contact`, evidence: { template: c.template, messageId: c.messageId, to: c.to, outboxId: c.row.id, attempts: c.row.attempts } })),
    );
    return ids;
  });
  for (const c of completed) {
    const log = { outboxId: c.row.id, accountId: c.row.accountId, template: c.template };
    ctx.metrics.email(c.template, 'sent');
    if (done.has(c.row.id)) ctx.logger.info({ ...log, messageId: c.messageId }, 'email sent');
    else ctx.logger.warn({ ...log, messageId: c.messageId }, 'email sent, but another dispatcher had completed the row: a resend with the same Message-ID');
  }
}

async function deliverOne(ctx: DeliveryContext, deps: EmailDeliveryDeps, row: OutboxRow, stored: StoredAccount | undefined): Promise<Completed | Unresolved | null> {
  const parsed = emailPayloadSchema.safeParse(row.payload);
  if (!parsed.success) {
    await fail(ctx, row, 'unknown', `email payload is invalid: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`, true);
    return null;
  }
  const recipient = resolveRecipient(parsed.data, stored);
  if (recipient.kind === 'wait') return { row, template: parsed.data.template, waitingFor: recipient.waitingFor };
  const { to, accountName } = recipient;
  // The names as stored now; an account not yet named keeps the one the intent carried (or its id, in the view).
  const payload: EmailPayload = { ...parsed.data, to, data: accountName ? { ...parsed.data.data, accountName } : parsed.data.data };
  const messageId = messageIdFor(row);
  try {
    const rendered = deps.render(payload);
    const mail = {
      messageId,
      to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      headers: { 'X-Suspensiond-Account': row.accountId, 'X-Suspensiond-Template': rendered.template, 'X-Suspensiond-Outbox': row.id },
    };
    await withTimeout(deps.sink.send(mail), ctx.sendTimeoutMs);
  } catch (err) {
    ctx.logger.warn({ outboxId: row.id, accountId: row.accountId, template: payload.template, err, attempts: row.attempts }, 'email send failed');
    await fail(ctx, row, payload.template, errorText(err), false);
    return null;
  }
  return { row, template: payload.template, messageId, to: to.email };
}

async function fail(ctx: DeliveryContext, row: OutboxRow, template: string, error: string, permanent: boolean): Promise<void> {
  const parked = await ctx.db.transaction(async (tx: Queryable) => {
    const [outcome] = await markFailed(tx, [{ id: row.id, error, retryAt: retryAt(ctx, row.attempts), permanent }], {
      maxAttempts: ctx.maxAttempts,
      dispatcherId: ctx.dispatcherId,
    });
    if (outcome?.state !== 'parked') return false;
    await insertEffectAudit(tx, [
      { accountId: row.accountId, kind: 'email_failed', at: ctx.clock.now(), note: `email "${template}" could not be sent after ${outcome.attempts} attempts; parked`, evidence: { template, outboxId: row.id, attempts: outcome.attempts, error } },
    ]);
    return true;
  });
  if (parked) {
    ctx.metrics.email(template, 'failed');
    ctx.metrics.outboxRowParked('email');
    ctx.logger.error({ outboxId: row.id, accountId: row.accountId, template, error }, 'email outbox row parked');
  }
}
