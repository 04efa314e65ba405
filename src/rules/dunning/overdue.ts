// Overdue state per account and currency, derived from the account's invoice snapshots.
// overdue balance = sum of `outstanding` of the invoices that are overdue: past their due date plus graceDays in the
// account's time zone, or marked overdue by the billing system; voided and written-off invoices never count,
// disputed ones only with countDisputed. An invoice without a due date is anchored on the local date it was marked
// overdue. Pure: `today` (the account's local date) is passed in. src/dunning/sweep-query.ts mirrors this in SQL.
import { daysBetween, localDate } from './calendar.js';
import { isDisputed, type InvoiceSnapshot } from './ledger.js';

export interface OverdueOptions {
  graceDays: number;
  countDisputed: boolean;
  timezone: string;
}

export interface OverdueBalance {
  currency: string;
  overdueMicros: number;
  /** Due date of the oldest overdue invoice: the ladder's anchor. */
  oldestDueAt: string;
  invoiceCount: number;
  /** The invoices that count, oldest first (anchor date, then invoice id). */
  invoices: { invoiceId: string; outstandingMicros: number; anchor: string }[];
}

/** The date an invoice's days past due are counted from, or null when it has neither a due date nor a mark. */
export function anchorDate(s: InvoiceSnapshot, timezone: string): string | null {
  if (s.dueAt !== null) return s.dueAt;
  return s.overdueMarkedAt === null ? null : localDate(s.overdueMarkedAt, timezone);
}

export function isOverdue(s: InvoiceSnapshot, opts: OverdueOptions, today: string): boolean {
  if (s.closedAt !== null || s.outstandingMicros <= 0) return false;
  if (!opts.countDisputed && isDisputed(s)) return false;
  if (s.overdueMarkedAt !== null) return true;
  return s.dueAt !== null && daysBetween(s.dueAt, today) > opts.graceDays;
}

/** Overdue balances by currency (only currencies with at least one overdue invoice), sorted by currency. */
export function overdueBalances(
  invoices: Iterable<InvoiceSnapshot>,
  opts: OverdueOptions,
  today: string,
): OverdueBalance[] {
  const byCurrency = new Map<string, OverdueBalance>();
  for (const s of invoices) {
    if (!isOverdue(s, opts, today)) continue;
    const anchor = anchorDate(s, opts.timezone);
    if (anchor === null) continue;
    const item = { invoiceId: s.invoiceId, outstandingMicros: s.outstandingMicros, anchor };
    const b = byCurrency.get(s.currency);
    if (!b) {
      byCurrency.set(s.currency, { currency: s.currency, overdueMicros: s.outstandingMicros, oldestDueAt: anchor, invoiceCount: 1, invoices: [item] });
    } else {
      b.overdueMicros += s.outstandingMicros;
      b.invoiceCount += 1;
      b.invoices.push(item);
      if (anchor < b.oldestDueAt) b.oldestDueAt = anchor;
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const b of byCurrency.values()) b.invoices.sort((x, y) => cmp(x.anchor, y.anchor) || cmp(x.invoiceId, y.invoiceId));
  return [...byCurrency.values()].sort((a, b) => cmp(a.currency, b.currency));
}

/** Days past the anchor after graceDays, never negative (a marked invoice may be marked before its grace ends). */
export function daysPastDue(oldestDueAt: string, today: string, graceDays: number): number {
  return Math.max(0, daysBetween(oldestDueAt, today) - graceDays);
}
