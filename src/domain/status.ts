// Effective status (CONTRACT §1): an account is suspended while it, or any ancestor, has a hold. Also builds the
// body of the CONTRACT §2 status message. Pure: the store adds `version` and `changedAt`; nothing here reads a clock.
import type { Subtree } from './commands.js';
import { childrenByParent, holdsByAccount } from './tree.js';
import type { AccountType, EffectiveStatus, Hold, HoldReason, HoldSource, Status } from './types.js';

export function effectiveStatus(
  account: { id: string; type: AccountType },
  ownHolds: Hold[],
  suspendedAncestorIds: string[],
): EffectiveStatus {
  const suspended = ownHolds.length > 0 || suspendedAncestorIds.length > 0;
  return {
    accountId: account.id,
    type: account.type,
    status: suspended ? 'suspended' : 'active',
    holds: ownHolds,
    inheritedFrom: suspendedAncestorIds,
  };
}

/**
 * Effective status of the target and every descendant, given `holds` (the own holds of the subtree's accounts).
 * Map order: the target first, then descendants breadth first.
 */
export function computeStatuses(subtree: Subtree, holds: Iterable<Hold>): Map<string, EffectiveStatus> {
  const byAccount = holdsByAccount(holds);
  const held = (id: string): boolean => (byAccount.get(id)?.length ?? 0) > 0;
  const out = new Map<string, EffectiveStatus>();
  const targetInherited = subtree.ancestors.filter((a) => held(a.id)).map((a) => a.id);
  out.set(subtree.target.id, effectiveStatus(subtree.target, byAccount.get(subtree.target.id) ?? [], targetInherited));
  const children = childrenByParent(subtree.descendants);
  let frontier = [subtree.target.id];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const parentId of frontier) {
      const parent = out.get(parentId);
      if (!parent) continue;
      const inherited = parent.holds.length > 0 ? [parentId, ...parent.inheritedFrom] : parent.inheritedFrom;
      for (const child of children.get(parentId) ?? []) {
        if (out.has(child.id)) continue;
        out.set(child.id, effectiveStatus(child, byAccount.get(child.id) ?? [], inherited));
        next.push(child.id);
      }
    }
    frontier = next;
  }
  return out;
}

/** Same status, same inheritedFrom (in order) and the same own holds. */
export function sameStatus(a: EffectiveStatus, b: EffectiveStatus): boolean {
  if (a.status !== b.status) return false;
  if (a.inheritedFrom.length !== b.inheritedFrom.length) return false;
  if (a.inheritedFrom.some((id, i) => b.inheritedFrom[i] !== id)) return false;
  if (a.holds.length !== b.holds.length) return false;
  const ids = new Set(a.holds.map((h) => h.id));
  return b.holds.every((h) => ids.has(h.id));
}

export interface StatusMessageHold {
  id: string;
  reason: HoldReason;
  source: HoldSource;
  since: string;
}

/** CONTRACT §2 status message without `version` and `changedAt`, which the store assigns. */
export interface StatusMessageBody {
  accountId: string;
  type: AccountType;
  status: Status;
  holds: StatusMessageHold[];
  inheritedFrom: string[];
  outboundCalls: 'blocked' | 'allowed';
  portalAccess: 'blocked' | 'allowed';
  inboundCalls: 'allowed';
  /** Emergency calls (999, 112, 911, 000…) are always allowed, even from a suspended account (CONTRACT §1). */
  emergencyCalls: 'allowed';
  billing: 'continues';
}

export function statusMessage(status: EffectiveStatus): StatusMessageBody {
  const blocked = status.status === 'suspended' ? 'blocked' : 'allowed';
  return {
    accountId: status.accountId,
    type: status.type,
    status: status.status,
    holds: status.holds.map((h) => ({ id: h.id, reason: h.reason, source: h.source, since: h.placedAt })),
    inheritedFrom: [...status.inheritedFrom],
    outboundCalls: blocked,
    portalAccess: blocked,
    // Suspension never stops inbound calls or billing (CONTRACT §1).
    inboundCalls: 'allowed',
    emergencyCalls: 'allowed',
    billing: 'continues',
  };
}

/**
 * Whether `status` differs from what was last published for its account: the status, the inheritedFrom list (in
 * order) and the own holds. `published` null means nothing was ever published, which the switch and the portal
 * read as active with no holds.
 */
export function differsFromPublished(published: Pick<StatusMessageBody, 'status' | 'inheritedFrom' | 'holds'> | null, status: EffectiveStatus): boolean {
  const before = published ?? { status: 'active', inheritedFrom: [], holds: [] };
  if (before.status !== status.status) return true;
  if (before.inheritedFrom.length !== status.inheritedFrom.length) return true;
  if (before.inheritedFrom.some((id, i) => status.inheritedFrom[i] !== id)) return true;
  if (before.holds.length !== status.holds.length) return true;
  const ids = new Set(before.holds.map((h) => h.id));
  return !status.holds.every((h) => ids.has(h.id));
}

/**
 * After an account moved in the tree (a new parent, or a first snapshot), the statuses of it and its descendants
 * that must be published again: those that differ from what was last published. `statuses` is computeStatuses over
 * the account's subtree as it now is.
 */
export function republishAfterMove(
  statuses: ReadonlyMap<string, EffectiveStatus>,
  published: (accountId: string) => Pick<StatusMessageBody, 'status' | 'inheritedFrom' | 'holds'> | null,
): EffectiveStatus[] {
  return [...statuses.values()].filter((s) => differsFromPublished(published(s.accountId), s));
}
