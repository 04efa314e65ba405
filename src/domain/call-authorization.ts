// Call authorization (CONTRACT §4 `/v1/authorize`): may this account place this call now? Pure: the caller passes
// the account's effective status as last published (or null when the account is unknown) and whether the callee is
// an emergency number. No I/O, no clock.
//
// - unknown account: allowed, reason "unknown account" (a switch without the daemon would connect it; the CDR still
//   counts, and a rule may suspend the account once its snapshot or calls arrive);
// - active: allowed;
// - effectively suspended (own holds or a suspended ancestor): denied, with the holds and inheritedFrom;
// - effectively suspended but the callee is an emergency number: allowed (CONTRACT §1).
import type { StatusMessageHold } from './status.js';

export interface KnownStatus {
  status: 'active' | 'suspended';
  holds: readonly StatusMessageHold[];
  inheritedFrom: readonly string[];
}

export interface CallAuthorization {
  allow: boolean;
  reason: string;
  holds: StatusMessageHold[];
  inheritedFrom: string[];
  emergency: boolean;
}

function suspendedWhy(s: KnownStatus): string {
  const parts: string[] = [];
  for (const h of s.holds) parts.push(`${h.reason} hold by ${h.source}`);
  if (s.inheritedFrom.length > 0) parts.push(`inherited from ${s.inheritedFrom.join(', ')}`);
  return `suspended: ${parts.join('; ') || 'held'}`;
}

export function authorizeCall(known: KnownStatus | null, emergency: boolean): CallAuthorization {
  if (known === null) return { allow: true, reason: 'unknown account', holds: [], inheritedFrom: [], emergency };
  const holds = known.holds.map((h) => ({ ...h }));
  const inheritedFrom = [...known.inheritedFrom];
  if (known.status !== 'suspended') return { allow: true, reason: 'active', holds, inheritedFrom, emergency };
  if (emergency) {
    return { allow: true, reason: `emergency number: allowed while ${suspendedWhy(known)}`, holds, inheritedFrom, emergency };
  }
  return { allow: false, reason: suspendedWhy(known), holds, inheritedFrom, emergency };
}
