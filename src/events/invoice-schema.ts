// The invoice event wire schema (CONTRACT §2 Invoice event) -> InvoiceEventRecord. Amounts are never negative:
// `outstanding` is what is still owed after the event, `total` the invoice's amount.
import { z } from 'zod';
import { calendarDate, currency, id, money, oneOf, optional, timestamp } from './fields.js';
import type { InvoiceEventRecord } from './types.js';

export const INVOICE_EVENT_TYPES = [
  'issued',
  'overdue',
  'payment',
  'paid',
  'voided',
  'written_off',
  'disputed',
  'dispute_resolved',
] as const;

export const invoiceEventSchema = z
  .object({
    id: id(),
    type: oneOf(INVOICE_EVENT_TYPES),
    invoiceId: id(),
    accountId: id(),
    currency: currency(),
    total: optional(money()),
    outstanding: money(),
    dueAt: optional(calendarDate()),
    occurredAt: timestamp(),
  })
  .transform(
    (e): InvoiceEventRecord => ({
      id: e.id,
      type: e.type,
      invoiceId: e.invoiceId,
      accountId: e.accountId,
      currency: e.currency,
      totalMicros: e.total,
      outstandingMicros: e.outstanding,
      dueAt: e.dueAt,
      occurredAt: e.occurredAt,
    }),
  );
