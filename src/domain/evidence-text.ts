// A hold's, alert's or decision's evidence (the JSON the audit and the API carry) as one line of text, for the
// CLI's tables: `replay`'s findings and `accounts history`. A rule's: the measure, its value against the level, the
// window and up to three sample CDR ids; dunning's in full (stage, days past due, amount, the invoices); anything
// else as its JSON, cut at 120 characters. Pure.

/** Dunning evidence in full (issue 13): stage, days past due, oldest due date, amount, and the invoices. */
function dunningEvidence(e: Record<string, unknown>): string {
  const amount = e.overdue ?? (typeof e.overdueMicros === 'number' ? (e.overdueMicros / 1e6).toFixed(2) : '?');
  const invoices = Array.isArray(e.invoices)
    ? (e.invoices as { invoiceId: string; outstanding: string; dueAt: string }[]).map((i) => `${i.invoiceId} ${i.outstanding} due ${i.dueAt}`).join(', ')
    : String(e.invoiceList ?? '');
  const parts = [`stage=${String(e.stage)}`, `daysPastDue=${String(e.daysPastDue)}`, `oldestDueAt=${String(e.oldestDueAt)}`, `overdue=${String(amount)} ${String(e.currency ?? '')}`.trimEnd()];
  if (e.email) parts.push(`email=${String(e.email)}${e.emailSkipped ? ' (skipped: a later stage fell due too)' : ''}`);
  if (invoices) parts.push(`invoices: ${invoices}`);
  return parts.join(' ');
}

export function evidenceText(e: Record<string, unknown> | null): string {
  if (!e) return '';
  if ('daysPastDue' in e && 'stage' in e) return dunningEvidence(e);
  if ('measure' in e) {
    const samples = Array.isArray(e.sampleCdrIds) ? ` samples=${(e.sampleCdrIds as unknown[]).slice(0, 3).join(',')}` : '';
    return `${String(e.measure)}=${String(e.amount ?? e.value)} >= ${String(e.thresholdAmount ?? e.threshold)}${e.window ? ` in ${String(e.window)}` : ''}${samples}`;
  }
  return JSON.stringify(e).slice(0, 120);
}
