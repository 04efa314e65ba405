// Email intents (CONTRACT §1 Email). Only the target's own status is emailed; descendants that merely inherit a
// suspension get status messages, not mail. Dedupe keys derive from hold ids, so a retried transition (same holds)
// yields the same key and the store refuses a second send. The store adds the recipient from the main contact.
import type { Account, EmailIntent, Hold } from './types.js';

/** `suspension-<reason>` for a newly placed hold. */
export function suspensionEmail(account: Account, hold: Hold, inheritedFrom: string[]): EmailIntent {
  return {
    accountId: account.id,
    template: `suspension-${hold.reason}`,
    data: {
      accountId: account.id,
      accountName: account.name,
      reason: hold.reason,
      holdId: hold.id,
      source: hold.source,
      since: hold.placedAt,
      evidence: hold.evidence,
      inheritedFrom,
    },
    dedupeKey: `hold:${hold.id}:placed`,
  };
}

/** `activation` once the last own hold is lifted; `inheritedFrom` says whether an ancestor still suspends it. */
export function activationEmail(account: Account, lifted: Hold[], at: string, inheritedFrom: string[]): EmailIntent {
  const ids = lifted.map((h) => h.id).sort();
  return {
    accountId: account.id,
    template: 'activation',
    data: {
      accountId: account.id,
      accountName: account.name,
      reasons: [...new Set(lifted.map((h) => h.reason))].sort(),
      holdIds: ids,
      at,
      inheritedFrom,
      stillSuspended: inheritedFrom.length > 0,
    },
    dedupeKey: `hold:${ids[0] ?? account.id}:lifted`,
  };
}
