// The invoice ledger's fold: one snapshot per invoice from its events (CONTRACT §2 Invoice event).
// The event with the latest occurredAt wins (ties broken by event id) for the amount, the currency and the type; the
// due date comes from the latest event that carries one. So duplicates and out-of-order events do no harm. The facts
// that must survive a later event are kept as order-independent extremes (earliest overdue mark, latest dispute and
// resolution), so any order of the same events folds to the same snapshot. A void or write-off is no exception: it
// closes the invoice while it is the latest event, and a later event reopens it (issue 13: billing systems undo
// write-offs and mistaken voids).
// The SQL upsert in src/dunning/ledger-store.ts mirrors this. Pure: no I/O, no clock.
import type { InvoiceEventRecord, InvoiceEventType } from '../../events/types.js';

export interface InvoiceSnapshot {
  accountId: string;
  invoiceId: string;
  currency: string;
  outstandingMicros: number;
  /** YYYY-MM-DD, from the latest event that carried one (equal times: the later date). */
  dueAt: string | null;
  /** occurredAt of the event `dueAt` came from. */
  dueSetAt: number | null;
  lastType: InvoiceEventType;
  lastEventId: string;
  lastOccurredAt: number;
  /** Earliest `overdue` event: the billing system marked the invoice overdue. */
  overdueMarkedAt: number | null;
  /** Latest `disputed` and `dispute_resolved` events: disputed while the first is the later one. */
  disputedAt: number | null;
  disputeResolvedAt: number | null;
  /** Set while the latest event is `voided` or `written_off` (its occurredAt): the invoice does not count. */
  closedAt: number | null;
}

const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));
const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
export const CLOSING_TYPES: readonly InvoiceEventType[] = ['voided', 'written_off'];
const at = (e: InvoiceEventRecord, ...types: InvoiceEventType[]) => (types.includes(e.type) ? e.occurredAt : null);

/** True when `e` is newer than the snapshot's latest event (occurredAt, then event id). */
export function isNewer(snapshot: InvoiceSnapshot, e: InvoiceEventRecord): boolean {
  if (e.occurredAt !== snapshot.lastOccurredAt) return e.occurredAt > snapshot.lastOccurredAt;
  return e.id > snapshot.lastEventId;
}

function takesDue(s: InvoiceSnapshot, e: InvoiceEventRecord): boolean {
  if (e.dueAt === null) return false;
  if (s.dueSetAt === null || s.dueAt === null) return true;
  return e.occurredAt > s.dueSetAt || (e.occurredAt === s.dueSetAt && e.dueAt > s.dueAt);
}

/** Folds one event into the invoice's snapshot (or starts one). */
export function applyInvoiceEvent(snapshot: InvoiceSnapshot | undefined, e: InvoiceEventRecord): InvoiceSnapshot {
  if (!snapshot) {
    return {
      accountId: e.accountId,
      invoiceId: e.invoiceId,
      currency: e.currency,
      outstandingMicros: e.outstandingMicros,
      dueAt: e.dueAt,
      dueSetAt: e.dueAt === null ? null : e.occurredAt,
      lastType: e.type,
      lastEventId: e.id,
      lastOccurredAt: e.occurredAt,
      overdueMarkedAt: at(e, 'overdue'),
      disputedAt: at(e, 'disputed'),
      disputeResolvedAt: at(e, 'dispute_resolved'),
      closedAt: at(e, 'voided', 'written_off'),
    };
  }
  const newer = isNewer(snapshot, e);
  return {
    ...snapshot,
    ...(newer
      ? {
          currency: e.currency,
          outstandingMicros: e.outstandingMicros,
          lastType: e.type,
          lastEventId: e.id,
          lastOccurredAt: e.occurredAt,
          closedAt: at(e, 'voided', 'written_off'),
        }
      : {}),
    ...(takesDue(snapshot, e) ? { dueAt: e.dueAt, dueSetAt: e.occurredAt } : {}),
    overdueMarkedAt: minOf(snapshot.overdueMarkedAt, at(e, 'overdue')),
    disputedAt: maxOf(snapshot.disputedAt, at(e, 'disputed')),
    disputeResolvedAt: maxOf(snapshot.disputeResolvedAt, at(e, 'dispute_resolved')),
  };
}

/** Folds a batch of events into snapshots keyed by `accountId/invoiceId`. */
export function foldInvoiceEvents(
  events: readonly InvoiceEventRecord[],
  into: Map<string, InvoiceSnapshot> = new Map(),
): Map<string, InvoiceSnapshot> {
  for (const e of events) {
    const key = `${e.accountId}/${e.invoiceId}`;
    into.set(key, applyInvoiceEvent(into.get(key), e));
  }
  return into;
}

export function isDisputed(s: InvoiceSnapshot): boolean {
  return s.disputedAt !== null && (s.disputeResolvedAt === null || s.disputedAt > s.disputeResolvedAt);
}
