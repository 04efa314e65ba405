// The invoice ledger in PostgreSQL: records invoice events (dedupe by event id) and upserts the per-invoice
// snapshot. Set-based: one statement inserts the batch's events, one upserts the snapshots of the accepted ones.
// The merge rules mirror src/rules/dunning/ledger.ts exactly (the batch is pre-folded with it, then merged in SQL),
// so events may arrive in any order, in any batches, and repeat. An invoice that was voided or written off and is
// reopened by a later event with an amount outstanding gets a `dunning_note` audit entry: it counts again.
// Never evaluates the ladder; see evaluate.ts.
import type { Queryable } from '../store/db.js';
import type { InvoiceEventRecord } from '../events/types.js';
import { foldInvoiceEvents } from '../rules/dunning/ledger.js';
import { formatMicros } from '../domain/money.js';
import { appendAudit } from '../store/audit-repo.js';
import type { AuditEntry } from '../domain/types.js';

export interface RecordOutcome {
  id: string;
  outcome: 'accepted' | 'duplicate';
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const INSERT_EVENTS = `
  INSERT INTO invoice_events (id, account_id, invoice_id, type, currency, total_micros, outstanding_micros, due_at, occurred_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::date[], $9::timestamptz[])
  ON CONFLICT (id) DO NOTHING
  RETURNING id`;

// The newer side (occurred_at, then event id in C collation) sets the "latest" fields; the rest are extremes.
const NEWER = `(excluded.last_occurred_at, excluded.last_event_id COLLATE "C") > (i.last_occurred_at, i.last_event_id COLLATE "C")`;
const DUE = `(excluded.due_at IS NOT NULL AND (i.due_at IS NULL OR excluded.due_set_at > i.due_set_at
  OR (excluded.due_set_at = i.due_set_at AND excluded.due_at > i.due_at)))`;
const latest = (col: string) => `${col} = CASE WHEN ${NEWER} THEN excluded.${col} ELSE i.${col} END`;
const fromDue = (col: string) => `${col} = CASE WHEN ${DUE} THEN excluded.${col} ELSE i.${col} END`;

const UPSERT_INVOICES = `
  INSERT INTO invoices AS i (account_id, invoice_id, currency, outstanding_micros, total_micros, due_at, due_set_at,
    last_type, last_event_id, last_occurred_at, overdue_marked_at, disputed_at, dispute_resolved_at, closed_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::date[], $7::timestamptz[],
    $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[])
  ON CONFLICT (account_id, invoice_id) DO UPDATE SET
    ${latest('currency')}, ${latest('outstanding_micros')},
    total_micros = CASE WHEN ${NEWER} THEN coalesce(excluded.total_micros, i.total_micros) ELSE coalesce(i.total_micros, excluded.total_micros) END,
    ${fromDue('due_at')}, ${fromDue('due_set_at')},
    ${latest('last_type')}, ${latest('last_event_id')}, ${latest('last_occurred_at')},
    overdue_marked_at = least(i.overdue_marked_at, excluded.overdue_marked_at),
    disputed_at = greatest(i.disputed_at, excluded.disputed_at),
    dispute_resolved_at = greatest(i.dispute_resolved_at, excluded.dispute_resolved_at),
    ${latest('closed_at')}`;

/**
 * Records a batch of invoice events: duplicates (an id seen before, or repeated in the batch) are reported and
 * ignored; accepted events update their invoice's snapshot. Run it in the caller's transaction.
 */
export async function recordInvoiceEvents(tx: Queryable, events: readonly InvoiceEventRecord[]): Promise<RecordOutcome[]> {
  if (events.length === 0) return [];
  const res = await tx.query<{ id: string }>(INSERT_EVENTS, [
    events.map((e) => e.id),
    events.map((e) => e.accountId),
    events.map((e) => e.invoiceId),
    events.map((e) => e.type),
    events.map((e) => e.currency),
    events.map((e) => e.totalMicros),
    events.map((e) => e.outstandingMicros),
    events.map((e) => e.dueAt),
    events.map((e) => iso(e.occurredAt)),
  ]);
  const inserted = new Set(res.rows.map((r) => r.id));
  const seen = new Set<string>();
  const outcomes: RecordOutcome[] = [];
  const accepted: InvoiceEventRecord[] = [];
  for (const e of events) {
    const first = inserted.has(e.id) && !seen.has(e.id);
    seen.add(e.id);
    outcomes.push({ id: e.id, outcome: first ? 'accepted' : 'duplicate' });
    if (first) accepted.push(e);
  }
  if (accepted.length > 0) await upsertSnapshots(tx, accepted);
  return outcomes;
}

const CLOSED_BEFORE = `
  SELECT i.account_id, i.invoice_id, i.last_type FROM invoices i
   WHERE i.closed_at IS NOT NULL AND (i.account_id, i.invoice_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;
const REOPENED = `
  SELECT i.account_id, i.invoice_id, i.outstanding_micros, i.currency, i.last_type, i.last_event_id, i.last_occurred_at FROM invoices i
   WHERE i.closed_at IS NULL AND i.outstanding_micros > 0 AND (i.account_id, i.invoice_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`;

async function upsertSnapshots(tx: Queryable, events: readonly InvoiceEventRecord[]): Promise<void> {
  const snaps = [...foldInvoiceEvents(events).values()];
  const closed = await tx.query<{ account_id: string; invoice_id: string; last_type: string }>(CLOSED_BEFORE, [snaps.map((s) => s.accountId), snaps.map((s) => s.invoiceId)]);
  // total_micros is not part of the pure snapshot: take it from the latest event of the batch that carries one.
  const totals = new Map<string, { at: number; total: number }>();
  for (const e of events) {
    if (e.totalMicros === null) continue;
    const k = `${e.accountId}/${e.invoiceId}`;
    const t = totals.get(k);
    if (!t || e.occurredAt >= t.at) totals.set(k, { at: e.occurredAt, total: e.totalMicros });
  }
  await tx.query(UPSERT_INVOICES, [
    snaps.map((s) => s.accountId),
    snaps.map((s) => s.invoiceId),
    snaps.map((s) => s.currency),
    snaps.map((s) => s.outstandingMicros),
    snaps.map((s) => totals.get(`${s.accountId}/${s.invoiceId}`)?.total ?? null),
    snaps.map((s) => s.dueAt),
    snaps.map((s) => iso(s.dueSetAt)),
    snaps.map((s) => s.lastType),
    snaps.map((s) => s.lastEventId),
    snaps.map((s) => iso(s.lastOccurredAt)),
    snaps.map((s) => iso(s.overdueMarkedAt)),
    snaps.map((s) => iso(s.disputedAt)),
    snaps.map((s) => iso(s.disputeResolvedAt)),
    snaps.map((s) => iso(s.closedAt)),
  ]);
  if (closed.rows.length > 0) await noteReopened(tx, closed.rows);
}

async function noteReopened(tx: Queryable, closed: readonly { account_id: string; invoice_id: string; last_type: string }[]): Promise<void> {
  const was = new Map(closed.map((r) => [`${r.account_id}/${r.invoice_id}`, r.last_type]));
  const res = await tx.query<{ account_id: string; invoice_id: string; outstanding_micros: string; currency: string; last_type: string; last_event_id: string; last_occurred_at: Date }>(
    REOPENED,
    [closed.map((r) => r.account_id), closed.map((r) => r.invoice_id)],
  );
  const notes: AuditEntry[] = res.rows.map((r) => {
    const closedBy = was.get(`${r.account_id}/${r.invoice_id}`) === 'written_off' ? 'written off' : 'voided';
    const outstanding = formatMicros(Number(r.outstanding_micros));
    return {
      accountId: r.account_id, kind: 'dunning_note', actor: 'system', at: new Date(r.last_occurred_at).toISOString(), reason: 'non_payment',
      note: `invoice ${r.invoice_id} was ${closedBy}; event ${r.last_event_id} (${r.last_type}) reopens it with ${outstanding} ${r.currency} outstanding, so it counts for dunning again`,
      evidence: { note: 'invoice_reopened', invoiceId: r.invoice_id, eventId: r.last_event_id, type: r.last_type, outstanding, currency: r.currency, wasClosedBy: was.get(`${r.account_id}/${r.invoice_id}`) ?? null },
    };
  });
  await appendAudit(tx, notes);
}
