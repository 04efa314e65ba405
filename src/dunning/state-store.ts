// Loading and saving the dunning state of a batch of accounts: set-based, one statement per table, in the caller's
// transaction. Rows map to the pure ladder's shapes (src/rules/dunning). Never decides anything.
import type { Queryable } from '../store/db.js';
import type { AccountType, Contact } from '../domain/types.js';
import type { InvoiceSnapshot } from '../rules/dunning/ledger.js';
import type { Episode, ExemptionView, StageFired } from '../rules/dunning/types.js';
import { resolveTimeZone } from '../rules/dunning/calendar.js';
import { databaseZones } from './zones.js';

export interface AccountState {
  account: { id: string; type: AccountType; tags: string[]; timezone: string; mainContact: Contact | null };
  invoices: InvoiceSnapshot[];
  openEpisodes: Episode[];
  exemptions: ExemptionView[];
  nonPaymentHoldSources: string[];
  /** The account's stored zone when neither the database nor Intl can use it (DEFAULT_TIMEZONE is used instead). */
  timezoneUnusable: string | null;
}

const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string | Date).getTime());
const date = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    // node-postgres parses `date` as local midnight; PGlite as UTC midnight. Rebuild the calendar date either way.
    const local = v.getHours() === 0 && v.getMinutes() === 0;
    const d = local ? new Date(Date.UTC(v.getFullYear(), v.getMonth(), v.getDate())) : v;
    return d.toISOString().slice(0, 10);
  }
  return String(v).slice(0, 10);
};

/**
 * Serialises dunning per account: a sweep and an invoice event for the same account never evaluate it at once.
 * Locks are taken in id order (no deadlock between two batches) and released at commit.
 */
export async function lockAccounts(tx: Queryable, ids: readonly string[]): Promise<void> {
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtextextended('dunning:' || id, 0)) FROM (SELECT DISTINCT unnest($1::text[]) AS id ORDER BY 1) s`,
    [ids],
  );
}

export async function loadAccountStates(tx: Queryable, ids: readonly string[], now: number, defaultTimezone: string): Promise<Map<string, AccountState>> {
  const out = new Map<string, AccountState>();
  const accounts = await tx.query<{ id: string; type: AccountType; tags: string[]; timezone: string | null; main_contact: Contact | null }>(
    'SELECT id, type, tags, timezone, main_contact FROM accounts WHERE id = ANY($1::text[])',
    [ids],
  );
  const zones = accounts.rows.some((a) => a.timezone !== null) ? await databaseZones(tx) : new Set<string>();
  for (const a of accounts.rows) {
    const tz = resolveTimeZone(a.timezone, defaultTimezone, a.timezone === null || zones.has(a.timezone.toLowerCase()));
    out.set(a.id, {
      account: { id: a.id, type: a.type, tags: a.tags ?? [], timezone: tz.timezone, mainContact: a.main_contact },
      invoices: [], openEpisodes: [], exemptions: [], nonPaymentHoldSources: [], timezoneUnusable: tz.unusable,
    });
  }
  const invoices = await tx.query<Record<string, unknown>>(
    `SELECT account_id, invoice_id, currency, outstanding_micros, due_at::text AS due_at, due_set_at, last_type, last_event_id,
            last_occurred_at, overdue_marked_at, disputed_at, dispute_resolved_at, closed_at
       FROM invoices WHERE account_id = ANY($1::text[]) AND closed_at IS NULL AND outstanding_micros > 0`,
    [ids],
  );
  for (const r of invoices.rows) {
    out.get(r.account_id as string)?.invoices.push({
      accountId: r.account_id as string, invoiceId: r.invoice_id as string, currency: r.currency as string,
      outstandingMicros: Number(r.outstanding_micros), dueAt: date(r.due_at), dueSetAt: ms(r.due_set_at),
      lastType: r.last_type as InvoiceSnapshot['lastType'], lastEventId: r.last_event_id as string, lastOccurredAt: ms(r.last_occurred_at)!,
      overdueMarkedAt: ms(r.overdue_marked_at), disputedAt: ms(r.disputed_at), disputeResolvedAt: ms(r.dispute_resolved_at), closedAt: ms(r.closed_at),
    });
  }
  const episodes = await tx.query<Record<string, unknown>>(
    `SELECT account_id, id, currency, policy_id, opened_at, anchor_due_at::text AS anchor_due_at, anchor_invoice_id, fired_stages, fired_log, suspended
       FROM dunning_episodes WHERE account_id = ANY($1::text[]) AND closed_at IS NULL`,
    [ids],
  );
  for (const r of episodes.rows) {
    out.get(r.account_id as string)?.openEpisodes.push({
      id: r.id as string, accountId: r.account_id as string, currency: r.currency as string, policyId: r.policy_id as string,
      openedAt: ms(r.opened_at)!, anchorDueAt: date(r.anchor_due_at)!, anchorInvoiceId: (r.anchor_invoice_id as string | null) ?? null,
      firedStages: (r.fired_stages as string[]) ?? [], firedLog: (r.fired_log as string[]) ?? [], suspended: r.suspended as boolean, closedAt: null,
    });
  }
  const exemptions = await tx.query<{ account_id: string; reason: 'fraud' | 'non_payment' | null; rules: string[] | null; until: Date }>(
    'SELECT account_id, reason, rules, until FROM exemptions WHERE account_id = ANY($1::text[]) AND until > $2',
    [ids, new Date(now).toISOString()],
  );
  for (const r of exemptions.rows) out.get(r.account_id)?.exemptions.push({ reason: r.reason, rules: r.rules, until: ms(r.until)! });
  const holds = await tx.query<{ account_id: string; source: string }>(
    `SELECT account_id, source FROM holds WHERE account_id = ANY($1::text[]) AND reason = 'non_payment'`,
    [ids],
  );
  for (const r of holds.rows) out.get(r.account_id)?.nonPaymentHoldSources.push(r.source);
  return out;
}

export async function saveEpisodes(tx: Queryable, episodes: readonly Episode[]): Promise<void> {
  if (episodes.length === 0) return;
  await tx.query(
    `INSERT INTO dunning_episodes AS e (account_id, id, currency, policy_id, opened_at, anchor_due_at, fired_stages, suspended, closed_at, anchor_invoice_id, fired_log)
     SELECT t.account_id, t.id, t.currency, t.policy_id, t.opened_at, t.anchor_due_at,
            coalesce((SELECT array_agg(x) FROM jsonb_array_elements_text(t.fired) x), '{}'), t.suspended, t.closed_at, t.anchor_invoice_id,
            coalesce((SELECT array_agg(x) FROM jsonb_array_elements_text(t.log) x), '{}')
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::date[], $7::jsonb[], $8::boolean[], $9::timestamptz[], $10::text[], $11::jsonb[])
         AS t(account_id, id, currency, policy_id, opened_at, anchor_due_at, fired, suspended, closed_at, anchor_invoice_id, log)
     ON CONFLICT (account_id, id) DO UPDATE SET anchor_due_at = excluded.anchor_due_at, fired_stages = excluded.fired_stages,
       suspended = excluded.suspended, closed_at = excluded.closed_at, anchor_invoice_id = excluded.anchor_invoice_id, fired_log = excluded.fired_log`,
    [
      episodes.map((e) => e.accountId), episodes.map((e) => e.id), episodes.map((e) => e.currency), episodes.map((e) => e.policyId),
      episodes.map((e) => new Date(e.openedAt).toISOString()), episodes.map((e) => e.anchorDueAt),
      episodes.map((e) => JSON.stringify(e.firedStages)), episodes.map((e) => e.suspended),
      episodes.map((e) => (e.closedAt === null ? null : new Date(e.closedAt).toISOString())),
      episodes.map((e) => e.anchorInvoiceId), episodes.map((e) => JSON.stringify(e.firedLog)),
    ],
  );
}

/** Records fired stages; returns the keys (`account/episode/stage@invoice`) that were new, so effects happen exactly once. */
export async function recordStages(tx: Queryable, stages: readonly StageFired[], now: number): Promise<Set<string>> {
  if (stages.length === 0) return new Set();
  const res = await tx.query<{ account_id: string; episode_id: string; stage: string; invoice_id: string }>(
    `INSERT INTO dunning_stages (account_id, episode_id, stage, policy_id, fired_at, email, suspend, evidence, invoice_id)
     SELECT account_id, episode_id, stage, policy_id, $5, email, suspend, evidence, invoice_id
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[], $7::boolean[], $8::jsonb[], $9::text[])
         AS t(account_id, episode_id, stage, policy_id, email, suspend, evidence, invoice_id)
     ON CONFLICT DO NOTHING
     RETURNING account_id, episode_id, stage, invoice_id`,
    [
      stages.map((s) => s.accountId), stages.map((s) => s.episodeId), stages.map((s) => s.stage), stages.map((s) => s.policyId),
      new Date(now).toISOString(), stages.map((s) => s.email), stages.map((s) => s.suspend), stages.map((s) => JSON.stringify(stageEvidence(s))),
      stages.map((s) => s.invoiceId),
    ],
  );
  return new Set(res.rows.map((r) => stageKey(r.account_id, r.episode_id, r.stage, r.invoice_id)));
}

/** The once-only key of a fired stage: per account, episode, stage and anchor invoice. */
export const stageKey = (accountId: string, episodeId: string, stage: string, invoiceId: string): string => `${accountId}/${episodeId}/${stage}@${invoiceId}`;

export function stageEvidence(s: StageFired): Record<string, unknown> {
  return {
    policyId: s.policyId, episodeId: s.episodeId, stage: s.stage, currency: s.currency, overdueMicros: s.overdueMicros,
    oldestDueAt: s.oldestDueAt, daysPastDue: s.daysPastDue, invoiceId: s.invoiceId, invoices: s.invoices,
    email: s.email, emailSkipped: s.emailSkipped, suspend: s.suspend,
  };
}
