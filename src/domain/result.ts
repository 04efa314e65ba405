// Shared pieces of the transitions: the empty result, the target and authority guard, and the status diff.
// Pure. Throws DomainError for commands the actor may not run; never touches storage.
import { checkAuthority } from './authority.js';
import type { Subtree, TransitionCommand } from './commands.js';
import { DomainError } from './errors.js';
import { computeStatuses, sameStatus } from './status.js';
import type { Hold, StatusChange, TransitionResult } from './types.js';

export function emptyResult(): TransitionResult {
  return {
    changed: false,
    holdsPlaced: [],
    holdsLifted: [],
    exemptionsCreated: [],
    decisionsOpened: [],
    audit: [],
    statusChanges: [],
    emails: [],
  };
}

/** The command must name the subtree's target, and a person must have authority over it. */
export function guard(subtree: Subtree, cmd: TransitionCommand): void {
  if (cmd.accountId !== subtree.target.id) {
    throw new DomainError('invalid', `command for ${cmd.accountId} given the subtree of ${subtree.target.id}`);
  }
  const verdict = checkAuthority(cmd.actor, subtree.target, subtree.ancestors);
  if (verdict === 'not_found') throw new DomainError('not_found', `account ${cmd.accountId} not found`);
  if (verdict === 'forbidden') {
    throw new DomainError('forbidden', `not allowed to ${cmd.kind} account ${cmd.accountId}`);
  }
}

/** Every account of the target's subtree whose effective status or own holds differ between the two hold sets. */
export function statusChanges(subtree: Subtree, before: readonly Hold[], after: readonly Hold[]): StatusChange[] {
  const was = computeStatuses(subtree, before);
  const now = computeStatuses(subtree, after);
  const changes: StatusChange[] = [];
  for (const [id, next] of now) {
    const prev = was.get(id);
    if (prev && !sameStatus(prev, next)) changes.push({ before: prev, after: next });
  }
  return changes;
}
