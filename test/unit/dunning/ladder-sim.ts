// Test helper: an in-memory dunning world (ledger, episodes, holds, exemptions) driven by the pure ladder, so unit
// tests can walk an account through days of fake time. Mirrors what src/dunning applies, without a database.
import { foldInvoiceEvents, type InvoiceSnapshot } from '../../../src/rules/dunning/ledger.js';
import { evaluateLadder } from '../../../src/rules/dunning/ladder.js';
import type { DunningAccount } from '../../../src/rules/dunning/policy.js';
import type { DunningAction, Episode, ExemptionView, LadderResult } from '../../../src/rules/dunning/types.js';
import type { DunningPolicy } from '../../../src/rules/types.js';
import type { InvoiceEventRecord, InvoiceEventType } from '../../../src/events/types.js';

export const M = 1_000_000;

export function standardPolicy(overrides: Partial<DunningPolicy> = {}): DunningPolicy {
  return {
    id: 'standard',
    appliesTo: { accountTypes: ['customer', 'channel'] },
    minOverdueMicros: 5 * M,
    graceDays: 0,
    countDisputed: false,
    stages: [
      { afterDays: 3, email: 'payment-reminder', suspend: false },
      { afterDays: 10, email: 'final-notice', suspend: false },
      { afterDays: 14, email: null, suspend: true },
    ],
    reactivateOnPayment: true,
    reactivateWhen: 'below_suspend_stage',
    origin: { file: 'test', line: 1 },
    ...overrides,
  };
}

let seq = 0;
export function invoiceEvent(
  type: InvoiceEventType,
  fields: { invoiceId?: string; accountId?: string; currency?: string; outstanding: number; dueAt?: string | null; at: string | number; id?: string },
): InvoiceEventRecord {
  return {
    id: fields.id ?? `evt-${++seq}`,
    type,
    invoiceId: fields.invoiceId ?? 'INV-1',
    accountId: fields.accountId ?? 'cust-1',
    currency: fields.currency ?? 'GBP',
    totalMicros: null,
    outstandingMicros: Math.round(fields.outstanding * M),
    dueAt: fields.dueAt === undefined ? '2026-11-01' : fields.dueAt,
    occurredAt: typeof fields.at === 'number' ? fields.at : Date.parse(fields.at),
  };
}

export class LadderSim {
  readonly ledger = new Map<string, InvoiceSnapshot>();
  episodes: Episode[] = [];
  holds: { reason: 'fraud' | 'non_payment'; source: string }[] = [];
  exemptions: ExemptionView[] = [];
  readonly log: { at: string; action: DunningAction }[] = [];

  constructor(
    public account: DunningAccount = { id: 'cust-1', type: 'customer', tags: [], timezone: 'Europe/London' },
    readonly policies: DunningPolicy[] = [standardPolicy()],
  ) {}

  receive(...events: InvoiceEventRecord[]): void {
    foldInvoiceEvents(events, this.ledger);
  }

  /** Evaluates at `now` and applies the actions the way the service does (holds keyed by reason and source). */
  evaluate(now: string | number): LadderResult {
    const ms = typeof now === 'number' ? now : Date.parse(now);
    const result = evaluateLadder({
      account: this.account,
      invoices: [...this.ledger.values()],
      openEpisodes: this.episodes.filter((e) => e.closedAt === null),
      policies: this.policies,
      exemptions: this.exemptions,
      nonPaymentHoldSources: this.holds.filter((h) => h.reason === 'non_payment').map((h) => h.source),
      now: ms,
    });
    for (const ep of result.episodes) {
      const i = this.episodes.findIndex((e) => e.id === ep.id);
      if (i >= 0) this.episodes[i] = ep;
      else this.episodes.push(ep);
    }
    for (const action of result.actions) {
      this.log.push({ at: new Date(ms).toISOString(), action });
      if (action.kind === 'suspend' && !this.holds.some((h) => h.reason === 'non_payment' && h.source === action.source)) {
        this.holds.push({ reason: 'non_payment', source: action.source });
      }
      if (action.kind === 'activate') this.holds = this.holds.filter((h) => !(h.reason === 'non_payment' && h.source === action.source));
    }
    return result;
  }

  /** Evaluates every `stepMs` from `from` to `to` inclusive (a sweep schedule). */
  sweep(from: string, to: string, stepMs = 15 * 60_000): void {
    for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) this.evaluate(t);
  }

  /** `kind:detail@localDate` for each logged action, for compact assertions. */
  summary(): string[] {
    return this.log.map(({ at, action }) => {
      const detail = action.kind === 'email' ? action.template : action.kind === 'suspend' ? action.evidence.stage : action.kind === 'note' ? action.cause : action.source;
      return `${action.kind}:${detail}@${at}`;
    });
  }
}
