// The ladder's anchor: the oldest overdue invoice that counts, and what moving it does to an episode's fired stages.
// Pure. Decisions (docs/dunning.md):
// - On equal dates the current anchor stays (else the smallest invoice id), so an invoice joining the overdue set on
//   the anchor's own due date never re-arms the notices.
// - When the anchor moves to another invoice, the stages re-arm for it: its fired stages are those the episode's log
//   already holds for that invoice (none, the first time), so no stage is sent twice for the same anchor.
import { formatMicros } from '../../domain/money.js';
import type { OverdueBalance } from './overdue.js';
import type { Episode, OverdueInvoice } from './types.js';

export const firedEntry = (stageKey: string, invoiceId: string): string => `${stageKey}@${invoiceId}`;

function firedFor(log: readonly string[], invoiceId: string): string[] {
  const out: string[] = [];
  for (const entry of log) {
    const at = entry.indexOf('@');
    if (at > 0 && entry.slice(at + 1) === invoiceId) out.push(entry.slice(0, at));
  }
  return out;
}

/** The anchor invoice: the oldest that counts; on a tie with the current anchor, the current one. */
export function pickAnchor(balance: OverdueBalance, currentAnchorId: string | null): string {
  const oldest = balance.invoices[0]!;
  if (currentAnchorId !== null && balance.invoices.some((i) => i.invoiceId === currentAnchorId && i.anchor === oldest.anchor)) return currentAnchorId;
  return oldest.invoiceId;
}

/**
 * The open episode re-anchored on `anchorId` (due `anchorDueAt`). An episode stored before anchors were tracked
 * (anchorInvoiceId null) keeps its fired stages when the date is the same, and re-arms otherwise.
 */
export function reanchor(current: Episode, anchorId: string, anchorDueAt: string): Episode {
  if (current.anchorInvoiceId === null) {
    const same = current.anchorDueAt === anchorDueAt;
    const fired = same ? [...current.firedStages] : [];
    return { ...current, anchorDueAt, anchorInvoiceId: anchorId, firedStages: fired, firedLog: [...current.firedLog, ...fired.map((k) => firedEntry(k, anchorId))] };
  }
  if (current.anchorInvoiceId === anchorId) return { ...current, anchorDueAt, firedStages: [...current.firedStages], firedLog: [...current.firedLog] };
  return { ...current, anchorDueAt, anchorInvoiceId: anchorId, firedStages: firedFor(current.firedLog, anchorId), firedLog: [...current.firedLog] };
}

/** The invoices that count, oldest first, as emails and evidence name them. */
export function overdueInvoices(balance: OverdueBalance): OverdueInvoice[] {
  return balance.invoices.map((i) => ({ invoiceId: i.invoiceId, outstanding: formatMicros(i.outstandingMicros), dueAt: i.anchor }));
}

/** `INV-1 120.00 GBP due 2026-11-01; INV-2 ...`: one line for templates, which have no loops. */
export function invoiceList(invoices: readonly OverdueInvoice[], currency: string): string {
  return invoices.map((i) => `${i.invoiceId} ${i.outstanding} ${currency} due ${i.dueAt}`).join('; ');
}
