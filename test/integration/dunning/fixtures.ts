// Fixtures for the dunning integration tests: accounts in the store, invoice events, the standard policy, a quiet
// logger and metrics, and a helper that records events and re-evaluates their accounts the way ingest does.
import type { Database } from '../../../src/store/db.js';
import { upsertAccounts } from '../../../src/store/accounts-repo.js';
import type { Account } from '../../../src/domain/types.js';
import type { InvoiceEventRecord, InvoiceEventType } from '../../../src/events/types.js';
import type { DunningPolicy } from '../../../src/rules/types.js';
import { recordInvoiceEvents } from '../../../src/dunning/ledger-store.js';
import { evaluateAccounts } from '../../../src/dunning/evaluate.js';
import { Metrics } from '../../../src/metrics.js';
import { createLogger } from '../../../src/log.js';

export const M = 1_000_000;

export function standardPolicy(overrides: Partial<DunningPolicy> = {}): DunningPolicy {
  return {
    id: 'standard', appliesTo: { accountTypes: ['customer', 'channel'] }, minOverdueMicros: 5 * M, graceDays: 0, countDisputed: false,
    stages: [
      { afterDays: 3, email: 'payment-reminder', suspend: false },
      { afterDays: 10, email: 'final-notice', suspend: false },
      { afterDays: 14, email: null, suspend: true },
    ],
    reactivateOnPayment: true, reactivateWhen: 'below_suspend_stage', origin: { file: 'test', line: 1 }, ...overrides,
  };
}

export function customerAccount(id: string, parentId: string, over: Partial<Account> = {}): Account {
  return {
    id, type: 'customer', parentId, name: `Customer ${id}`, mainContact: { name: `Contact ${id}`, email: `${id}@example.test` },
    timezone: 'Europe/London', currency: 'GBP', tags: [], closed: false, updatedAt: '2026-01-01T00:00:00.000Z', ...over,
  };
}

export async function seedCustomers(db: Database, reseller: string, ids: readonly string[]): Promise<void> {
  await upsertAccounts(db, [
    { ...customerAccount(reseller, ''), type: 'reseller', parentId: null, name: `Reseller ${reseller}` },
    ...ids.map((id) => customerAccount(id, reseller)),
  ]);
}

let seq = 0;
export function invoiceEvent(
  type: InvoiceEventType,
  f: { accountId: string; invoiceId?: string; currency?: string; outstanding: number; dueAt?: string | null; at: string; id?: string },
): InvoiceEventRecord {
  return {
    id: f.id ?? `evt-${process.pid}-${++seq}`, type, invoiceId: f.invoiceId ?? 'INV-1', accountId: f.accountId, currency: f.currency ?? 'GBP',
    totalMicros: null, outstandingMicros: Math.round(f.outstanding * M), dueAt: f.dueAt === undefined ? '2026-11-01' : f.dueAt,
    occurredAt: Date.parse(f.at),
  };
}

export const quietLogger = createLogger('silent');
export const testMetrics = () => new Metrics({ defaultMetrics: false });

/** What ingest does per batch: record the events and re-evaluate their accounts, in one transaction. */
export async function ingestInvoices(db: Database, events: InvoiceEventRecord[], now: number, policies: DunningPolicy[]) {
  return db.transaction(async (tx) => {
    const outcomes = await recordInvoiceEvents(tx, events);
    const summary = await evaluateAccounts(tx, [...new Set(events.map((e) => e.accountId))], now, policies);
    return { outcomes, summary };
  });
}
