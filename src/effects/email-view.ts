// Builds the flat view an email template is filled from: the intent's data (and its evidence) made readable,
// plus a few canonical names every template may rely on. Pure. Never fails on missing data: a template shows
// what is there (sections hide what is not).
import { formatAmount, formatDate, safeTimeZone } from './email-format.js';
import type { EmailPayload } from './outbox-types.js';
import type { TemplateView } from './template-engine.js';

export interface EmailViewOptions {
  supportContact: string;
  defaultTimezone?: string;
}

const REASON_TEXT: Record<string, string> = {
  fraud: 'calls on your account matched a pattern of fraudulent dialling',
  non_payment: 'invoices on your account are overdue and unpaid',
};

const AMOUNT_KEYS: [string, 'micros' | 'decimal'][] = [
  ['overdueMicros', 'micros'],
  ['overdueAmountMicros', 'micros'],
  ['overdueBalanceMicros', 'micros'],
  ['balanceMicros', 'micros'],
  ['outstandingMicros', 'micros'],
  ['amountMicros', 'micros'],
  ['overdueAmount', 'decimal'],
  ['overdue', 'decimal'],
  ['outstanding', 'decimal'],
  ['amount', 'decimal'],
];

function scalar(v: unknown): string | number | boolean | null | undefined {
  if (v === null || v === undefined) return v;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.length ? v.join(', ') : null;
  return undefined;
}

function first(...vals: unknown[]): unknown {
  return vals.find((v) => v !== undefined && v !== null && v !== '');
}

export function buildEmailView(payload: EmailPayload, opts: EmailViewOptions): TemplateView {
  const data = payload.data ?? {};
  const evidence = (typeof data.evidence === 'object' && data.evidence !== null ? data.evidence : {}) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...evidence, ...data };
  const view: TemplateView = {};
  for (const [k, v] of Object.entries(merged)) {
    const s = scalar(v);
    if (s !== undefined) view[k] = s;
  }
  const tz = safeTimeZone(first(data.timezone, evidence.timezone), opts.defaultTimezone ?? 'UTC');
  const currency = (first(data.currency, evidence.currency) as string | undefined) ?? null;
  const accountName = String(first(data.accountName, data.name, payload.accountId));
  const reasons = Array.isArray(data.reasons) ? data.reasons.map(String) : typeof data.reason === 'string' ? [data.reason] : [];

  let overdueAmount: string | null = null;
  for (const [key, kind] of AMOUNT_KEYS) {
    const v = merged[key];
    if (v === undefined || v === null || v === '') continue;
    overdueAmount = formatAmount(kind === 'micros' ? { micros: v } : { decimal: v }, currency);
    if (overdueAmount) break;
  }

  Object.assign(view, {
    accountId: payload.accountId,
    accountName,
    contactName: first(payload.to?.name, accountName) as string,
    contactEmail: payload.to?.email ?? null,
    reason: reasons.join(', ') || null,
    reasonText: reasons.map((r) => REASON_TEXT[r] ?? r).join('; ') || null,
    isFraud: reasons.includes('fraud'),
    isNonPayment: reasons.includes('non_payment'),
    holdId: (first(scalar(data.holdId), scalar(data.holdIds)) as string | undefined) ?? null,
    placedAt: formatDate(first(data.placedAt, data.since, data.at), tz),
    activatedAt: formatDate(first(data.activatedAt, data.at), tz),
    dueAt: formatDate(first(data.dueAt, data.oldestDueAt, evidence.dueAt, evidence.oldestDueAt), tz),
    suspendAt: formatDate(first(data.suspendAt, data.suspendOn), tz),
    overdueAmount,
    currency,
    stage: (scalar(first(data.stage, data.template, payload.template)) as string | undefined) ?? null,
    stillSuspended: data.stillSuspended === true || (Array.isArray(data.inheritedFrom) && data.inheritedFrom.length > 0),
    inheritedFrom: scalar(data.inheritedFrom) ?? null,
    supportContact: opts.supportContact,
  });
  return view;
}
