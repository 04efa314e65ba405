// The domain's vocabulary (CONTRACT §1). Pure data: no I/O, no clock, no transport types.
// Every other layer speaks these types; the store maps rows to them, the API and events map wire shapes to them.

export type AccountType = 'reseller' | 'channel' | 'customer';
export const ACCOUNT_TYPES: readonly AccountType[] = ['reseller', 'channel', 'customer'];

export type HoldReason = 'fraud' | 'non_payment';
export const HOLD_REASONS: readonly HoldReason[] = ['fraud', 'non_payment'];

/** `rule:<ruleId>`, `dunning:<policyId>` or `operator:<actorId>`. */
export type HoldSource = `rule:${string}` | `dunning:${string}` | `operator:${string}`;
export type SourceKind = 'rule' | 'dunning' | 'operator';

export interface Contact {
  name?: string | undefined;
  email: string;
}

export interface Account {
  id: string;
  type: AccountType;
  parentId: string | null;
  name: string | null;
  mainContact: Contact | null;
  timezone: string | null;
  currency: string | null;
  tags: string[];
  closed: boolean;
  /** ISO 8601 instant of the snapshot; the latest wins. */
  updatedAt: string;
}

/** JSON-serialisable figures that triggered a hold or decision. */
export type Evidence = Record<string, unknown>;

export interface Hold {
  id: string;
  accountId: string;
  reason: HoldReason;
  source: HoldSource;
  evidence: Evidence;
  note: string | null;
  placedAt: string;
  /** Set for rule holds whose rule has `releaseAfter`: the hold lifts itself at this instant. */
  expiresAt: string | null;
}

/**
 * An override: until `until`, automatic rules of `reason` (or of every reason when null), optionally only the
 * listed rule ids, do not suspend the account; they open a review decision instead. Dunning stages do not fire.
 */
export interface Exemption {
  id: string;
  accountId: string;
  reason: HoldReason | null;
  rules: string[] | null;
  until: string;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export type DecisionState = 'pending' | 'approved' | 'rejected';

/** A review decision: an automatic suspension waiting for an operator. */
export interface Decision {
  id: string;
  accountId: string;
  reason: HoldReason;
  source: HoldSource;
  evidence: Evidence;
  note: string | null;
  state: DecisionState;
  createdAt: string;
  decidedAt: string | null;
  decidedBy: string | null;
}

export type Role = 'operator' | 'reseller' | 'channel' | 'customer' | 'ingest' | 'authorize';

/** Who acts. Automatic actors (rules, dunning, expiry) are `system` actors and bypass the authority table. */
export type Actor =
  | { kind: 'person'; id: string; role: Role; accountId: string | null }
  | { kind: 'system'; source: HoldSource | 'expiry' };

export type Status = 'active' | 'suspended';

/** An account's effective status (CONTRACT §1, §2 Status). */
export interface EffectiveStatus {
  accountId: string;
  type: AccountType;
  status: Status;
  /** The account's own holds. */
  holds: Hold[];
  /** Suspended ancestors, nearest first. */
  inheritedFrom: string[];
}

export type AuditKind =
  | 'hold_placed'
  | 'hold_lifted'
  | 'decision_opened'
  | 'decision_approved'
  | 'decision_rejected'
  | 'exemption_created'
  | 'exemption_deleted'
  | 'status_changed'
  | 'alert'
  | 'email_sent'
  | 'email_failed'
  | 'dunning_stage'
  /** The dunning explains itself: an unusable time zone, an invoice reopened, an account leaving its policy. */
  | 'dunning_note';

export interface AuditEntry {
  accountId: string;
  kind: AuditKind;
  /** `operator:<id>`, `rule:<id>`, `dunning:<id>`, `expiry`, `system`. */
  actor: string;
  at: string;
  holdId?: string | null;
  decisionId?: string | null;
  reason?: HoldReason | null;
  note?: string | null;
  evidence?: Evidence | null;
}

/** Email template names: `suspension-fraud`, `suspension-non_payment`, `activation`, or a dunning stage's `email`. */
export type TemplateName = string;

export interface EmailIntent {
  accountId: string;
  template: TemplateName;
  /** Values the template may use (reason, amounts, dates, hold id...). JSON-serialisable. */
  data: Record<string, unknown>;
  /** Stable key: a retry of the same transition produces the same key, so the store can refuse a second send. */
  dedupeKey: string;
}

/** One account whose effective status or holds changed; the store assigns `version` and publishes it. */
export interface StatusChange {
  before: EffectiveStatus;
  after: EffectiveStatus;
}

/** Everything one transition must make happen. The store commits it in one transaction. */
export interface TransitionResult {
  /** False when nothing changed (idempotent repeat, nothing to lift...). */
  changed: boolean;
  holdsPlaced: Hold[];
  holdsLifted: Hold[];
  exemptionsCreated: Exemption[];
  decisionsOpened: Decision[];
  audit: AuditEntry[];
  statusChanges: StatusChange[];
  emails: EmailIntent[];
}
