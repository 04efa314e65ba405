// Emails whose account is not known yet, or has no main contact yet: each is rescheduled with backoff (the row
// keeps its place at the head of its account's emails, so they stay in order, while other accounts' emails and this
// account's status messages go on), and parked once EMAIL_WAIT_FOR_CONTACT has passed since it was written. A parked
// one is visible: an `email_failed` entry in the account's history, suspensiond_emails_total{outcome="no_recipient"},
// suspensiond_outbox_parked_total{kind="email"} and the SuspensiondEmailsNoRecipient alert. Never sends anything.
import type { Queryable } from '../store/db.js';
import type { DeliveryContext } from './delivery-context.js';
import { nextWaitStep, type WaitingFor } from './email-recipient.js';
import { insertEffectAudit } from './outbox-audit.js';
import { markFailed } from './outbox-sql.js';
import { markWaiting, type WaitingRow } from './outbox-wait-sql.js';
import type { OutboxRow } from './outbox-types.js';

export interface Unresolved {
  row: OutboxRow;
  template: string;
  waitingFor: WaitingFor;
}

const WHY: Record<WaitingFor, string> = {
  account: "the account's snapshot has not arrived yet",
  contact: 'the account has no main contact yet',
};

function duration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

/** Reschedules or parks the rows of one pass that found no recipient. */
export async function settleUnresolved(ctx: DeliveryContext, items: readonly Unresolved[]): Promise<void> {
  if (items.length === 0) return;
  const now = ctx.clock.now();
  const waiting: WaitingRow[] = [];
  const parking: (Unresolved & { waitedMs: number })[] = [];
  for (const item of items) {
    const step = nextWaitStep({ createdAt: item.row.createdAt, now, waits: item.row.waits + 1, waitMs: ctx.waitForContactMs, backoff: ctx.backoff, random: ctx.random });
    if (step.kind === 'park') parking.push({ ...item, waitedMs: step.waitedMs });
    else waiting.push({ id: item.row.id, waitingFor: item.waitingFor, retryAt: step.at, note: `waiting: ${WHY[item.waitingFor]}` });
  }
  await markWaiting(ctx.db, waiting, ctx.dispatcherId, now);
  for (const w of waiting) {
    const item = items.find((i) => i.row.id === w.id)!;
    // The first wait is worth a line; the later ones are its backoff.
    const log = { outboxId: w.id, accountId: item.row.accountId, template: item.template, waitingFor: w.waitingFor, retryAt: w.retryAt.toISOString() };
    if (item.row.waits === 0) ctx.logger.info(log, `email waits for its recipient: ${WHY[w.waitingFor]}`);
    else ctx.logger.debug(log, 'email still waits for its recipient');
  }
  if (parking.length > 0) await park(ctx, parking, now);
}

async function park(ctx: DeliveryContext, items: readonly (Unresolved & { waitedMs: number })[], now: Date): Promise<void> {
  const waited = duration(ctx.waitForContactMs);
  const parked = await ctx.db.transaction(async (tx: Queryable) => {
    const outcomes = await markFailed(
      tx,
      items.map((i) => ({ id: i.row.id, error: `no recipient after waiting ${waited}: ${WHY[i.waitingFor]}`, retryAt: now, permanent: true })),
      { maxAttempts: ctx.maxAttempts, dispatcherId: ctx.dispatcherId },
    );
    const ids = new Set(outcomes.filter((o) => o.state === 'parked').map((o) => o.id));
    const done = items.filter((i) => ids.has(i.row.id));
    await insertEffectAudit(
      tx,
      done.map((i) => ({
        accountId: i.row.accountId,
        kind: 'email_failed' as const,
        at: now,
        note: `email "${i.template}" not sent: ${WHY[i.waitingFor]} after waiting ${waited}; parked`,
        evidence: { template: i.template, outcome: 'no_recipient', waitingFor: i.waitingFor, waitedMs: i.waitedMs, outboxId: i.row.id },
      })),
    );
    return done;
  });
  for (const i of parked) {
    ctx.metrics.email(i.template, 'no_recipient');
    ctx.metrics.outboxRowParked('email');
    ctx.logger.warn(
      { outboxId: i.row.id, accountId: i.row.accountId, template: i.template, waitingFor: i.waitingFor, waitedMs: i.waitedMs },
      `email parked: ${WHY[i.waitingFor]} after waiting ${waited}`,
    );
  }
}
