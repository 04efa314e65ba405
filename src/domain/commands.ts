// Inputs of the one suspend and the one activate transition (src/domain/transition.ts). Every caller builds these:
// the API and CLI for people, the fraud engine for rules, the dunning ladder, and the expiry of `releaseAfter` holds.
import type { Account, Actor, Evidence, Exemption, Hold, HoldReason, HoldSource, Decision } from './types.js';

/** What the store loads (in one set-based query, rows locked) before a transition on `target`. */
export interface Subtree {
  target: Account;
  /** Nearest first, up to the root. */
  ancestors: Account[];
  /** Every account below the target, in any order; `parentId` links them. */
  descendants: Account[];
  /** The own holds of the target, its ancestors and its descendants. */
  holds: Hold[];
  /** The target's exemptions (expired ones may be included; the domain compares `until` with `now`). */
  exemptions: Exemption[];
  /** The target's pending review decisions (so a repeated automatic hit does not open a second one). */
  pendingDecisions: Decision[];
}

export interface SuspendCommand {
  kind: 'suspend';
  accountId: string;
  actor: Actor;
  reason: HoldReason;
  /** For persons: `operator:<actorId>`; the caller sets it. */
  source: HoldSource;
  note?: string | null;
  evidence?: Evidence;
  /** For rule holds with `releaseAfter`. */
  expiresAt?: string | null;
  /** Automatic callers only: `review` opens a pending decision instead of placing the hold. Default `enforce`. */
  mode?: 'enforce' | 'review';
  /** Rule id of an automatic hit, so rule-scoped exemptions can match. */
  ruleId?: string | null;
}

export interface ActivateCommand {
  kind: 'activate';
  accountId: string;
  actor: Actor;
  /** Lift only holds of this reason. */
  reason?: HoldReason | null;
  /** Lift only holds of this source (dunning lifts only its own hold). */
  source?: HoldSource | null;
  /** Lift only these holds (expiry of `releaseAfter`, decision approval...). */
  holdIds?: string[] | null;
  note?: string | null;
  /** Milliseconds. Operator only: an exemption of the lifted reason(s) until now + exemptFor. */
  exemptForMs?: number | null;
}

export type TransitionCommand = SuspendCommand | ActivateCommand;

/** Time and identity come from outside: the domain has no clock and no randomness. */
export interface TransitionContext {
  /** ISO 8601 instant. */
  now: string;
  newId: (prefix: 'h' | 'x' | 'd') => string;
}
