// The dunning ladder's state and output shapes. Pure data.
import type { HoldReason, HoldSource } from '../../domain/types.js';

/**
 * One dunning episode of an account in one currency under one policy: from the moment its overdue balance reaches
 * minOverdue until it falls below it, or the account stops matching the policy. Each stage fires at most once per
 * anchor invoice in it: when the anchor moves to another invoice, the stages re-arm for that invoice.
 */
export interface Episode {
  /** Deterministic: `<currency>-<openedAt epoch ms>`; unique within the account. */
  id: string;
  accountId: string;
  currency: string;
  policyId: string;
  openedAt: number;
  /** Due date of the current oldest overdue invoice (re-anchored on every evaluation). */
  anchorDueAt: string;
  /** The invoice the ladder is anchored on (null only for episodes stored before anchors were tracked). */
  anchorInvoiceId: string | null;
  /** Keys of the stages fired for the current anchor (see namedStages). */
  firedStages: string[];
  /** Every stage fired in the episode, as `<stageKey>@<invoiceId>`: no stage is sent twice for the same anchor. */
  firedLog: string[];
  /**
   * The dunning hold belongs in place now: with reactivateWhen below_suspend_stage, while the ladder position is at or
   * past the suspending stage; with balance_cleared, from the suspension until the episode closes.
   */
  suspended: boolean;
  closedAt: number | null;
}

export interface ExemptionView {
  reason: HoldReason | null;
  rules: string[] | null;
  /** Epoch ms. */
  until: number;
}

/** One overdue invoice that counts, as every dunning email and evidence names it. */
export interface OverdueInvoice {
  invoiceId: string;
  outstanding: string;
  /** The date its days past due count from (its due date, else the local date it was marked overdue). */
  dueAt: string;
}

export interface DunningEmailData {
  overdueAmount: string;
  currency: string;
  dueAt: string;
  stage: string;
  policyId: string;
  daysPastDue: number;
  /** The invoice the ladder is anchored on (the oldest overdue one). */
  invoiceId: string;
  invoices: OverdueInvoice[];
  /** `INV-1 120.00 GBP due 2026-11-01; ...`, for templates (which have no loops). */
  invoiceList: string;
}

export interface SuspendEvidence {
  overdue: string;
  currency: string;
  oldestDueAt: string;
  daysPastDue: number;
  /** The stage that placed the hold, or the suspend stage already fired when the hold is placed again. */
  stage: string;
  invoiceId: string;
  invoices: OverdueInvoice[];
  invoiceList: string;
}

/** Why an automatic lift happens: payment (the reactivateWhen rule is met) or the account left the policy. */
export type LiftCause = 'below_suspend_stage' | 'balance_cleared' | 'left_policy' | 'policy_removed';

export type DunningAction =
  | { kind: 'email'; accountId: string; episodeId: string; policyId: string; stage: string; template: string; data: DunningEmailData }
  | { kind: 'suspend'; accountId: string; episodeId: string; policyId: string; source: HoldSource; evidence: SuspendEvidence }
  | { kind: 'activate'; accountId: string; episodeId: string; policyId: string; source: HoldSource; cause: LiftCause }
  /** An audit note: the account left the policy (the episode ended without payment). */
  | { kind: 'note'; accountId: string; episodeId: string; policyId: string; cause: 'left_policy' | 'policy_removed'; note: string };

/** A stage that fired (for the `dunning_stage` audit row). `emailSkipped`: a later stage fell due at the same time. */
export interface StageFired {
  accountId: string;
  episodeId: string;
  policyId: string;
  stage: string;
  currency: string;
  overdueMicros: number;
  oldestDueAt: string;
  daysPastDue: number;
  /** The anchor invoice this stage fired for, and every overdue invoice that counted. */
  invoiceId: string;
  invoices: OverdueInvoice[];
  email: string | null;
  emailSkipped: boolean;
  suspend: boolean;
}

export interface CurrencyState {
  currency: string;
  policyId: string;
  overdueMicros: number;
  oldestDueAt: string | null;
  daysPastDue: number | null;
  paused: boolean;
}

export interface LadderResult {
  /** Per currency with an overdue invoice or an open episode. */
  currencies: CurrencyState[];
  /** New state of every episode this evaluation opened, changed or closed. */
  episodes: Episode[];
  stagesFired: StageFired[];
  actions: DunningAction[];
}
