// The dunning ladder's state and output shapes. Pure data.
import type { HoldReason, HoldSource } from '../../domain/types.js';

/**
 * One dunning episode of an account in one currency: from the moment its overdue balance reaches minOverdue until
 * it falls below it. Each stage fires at most once per episode.
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
  /** Keys of the stages fired in this episode (see namedStages). */
  firedStages: string[];
  /** A suspend stage fired in this episode: the dunning hold belongs in place while it stays open. */
  suspended: boolean;
  closedAt: number | null;
}

export interface ExemptionView {
  reason: HoldReason | null;
  rules: string[] | null;
  /** Epoch ms. */
  until: number;
}

export interface DunningEmailData {
  overdueAmount: string;
  currency: string;
  dueAt: string;
  stage: string;
  policyId: string;
  daysPastDue: number;
}

export interface SuspendEvidence {
  overdue: string;
  currency: string;
  oldestDueAt: string;
  daysPastDue: number;
  /** The stage that placed the hold, or the suspend stage already fired when the hold is placed again. */
  stage: string;
}

export type DunningAction =
  | { kind: 'email'; accountId: string; episodeId: string; policyId: string; stage: string; template: string; data: DunningEmailData }
  | { kind: 'suspend'; accountId: string; episodeId: string; policyId: string; source: HoldSource; evidence: SuspendEvidence }
  | { kind: 'activate'; accountId: string; episodeId: string; policyId: string; source: HoldSource };

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
