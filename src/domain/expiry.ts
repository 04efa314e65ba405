// Holds that lift themselves (rules with `releaseAfter`): which are due at `now`, and the activate command that lifts
// one through the ordinary transition as the `expiry` system actor. Pure: `now` is passed in.
import type { ActivateCommand } from './commands.js';
import type { Hold } from './types.js';

export function isExpired(hold: Hold, now: string): boolean {
  return hold.expiresAt !== null && Date.parse(hold.expiresAt) <= Date.parse(now);
}

export function expiredHolds(holds: readonly Hold[], now: string): Hold[] {
  return holds.filter((h) => isExpired(h, now));
}

/** One command per account, lifting exactly the given expired holds of that account. */
export function expiryCommand(accountId: string, holds: readonly Hold[]): ActivateCommand {
  return {
    kind: 'activate',
    accountId,
    actor: { kind: 'system', source: 'expiry' },
    holdIds: holds.filter((h) => h.accountId === accountId).map((h) => h.id),
    note: 'released automatically (releaseAfter)',
  };
}
