// The authority table and the who-lifts-which-hold rules of CONTRACT §1. Pure decisions; callers turn verdicts into
// DomainErrors (transition.ts) or HTTP answers (the API). Never looks anything up: the ancestors are passed in.
//
// Read scope (our decision, not in the contract's table): operator reads everything; a reseller or channel reads its
// own account and every account below it; a customer reads only its own account; ingest and authorize (which may
// only call /v1/authorize) read no account.
// Act scope (suspend/activate): operator any account; reseller R channels under R and customers anywhere under R;
// channel C customers directly under C; customer, ingest and authorize nobody; no scoped actor acts on its own account.
// Outside read scope -> 'not_found' (existence must not leak); readable but not actionable -> 'forbidden'.
import { sourceKind } from './actors.js';
import type { Account, Actor, Hold } from './types.js';

export type AuthorityVerdict = 'ok' | 'not_found' | 'forbidden';

/** `targetAncestors`: the target's ancestors (any order; nearest first by convention). */
export function canRead(actor: Actor, target: Account, targetAncestors: readonly Account[]): boolean {
  if (actor.kind === 'system') return true;
  const own = actor.accountId;
  switch (actor.role) {
    case 'operator':
      return true;
    case 'ingest':
    case 'authorize':
      return false;
    case 'customer':
      return own !== null && target.id === own;
    case 'reseller':
    case 'channel':
      return own !== null && (target.id === own || targetAncestors.some((a) => a.id === own));
  }
}

function mayAct(actor: Actor & { kind: 'person' }, target: Account, targetAncestors: readonly Account[]): boolean {
  const own = actor.accountId;
  if (actor.role === 'operator') return true;
  if (own === null || target.id === own) return false;
  if (actor.role === 'reseller') {
    return (target.type === 'channel' || target.type === 'customer') && targetAncestors.some((a) => a.id === own);
  }
  if (actor.role === 'channel') return target.type === 'customer' && target.parentId === own;
  return false;
}

/** May `actor` suspend or activate `target`? System actors (rules, dunning, expiry) always may. */
export function checkAuthority(actor: Actor, target: Account, targetAncestors: readonly Account[]): AuthorityVerdict {
  if (actor.kind === 'system') return 'ok';
  if (!canRead(actor, target, targetAncestors)) return 'not_found';
  return mayAct(actor, target, targetAncestors) ? 'ok' : 'forbidden';
}

/**
 * May `actor` lift `hold`, assuming checkAuthority already said 'ok' for the hold's account?
 * - a person-placed hold (`operator:*`): anyone with authority (operator, reseller, channel);
 * - an automatic fraud hold (`rule:*`): an operator, or the `expiry` system actor once `expiresAt` has passed
 *   (`now` given) or is set (`now` omitted);
 * - an automatic non-payment hold (`dunning:*`): an operator, or the dunning system (any `dunning:*` actor, so a
 *   renamed policy can still release the holds of its predecessor; callers narrow with ActivateCommand.source).
 */
export function canLift(actor: Actor, hold: Hold, now?: string): boolean {
  const kind = sourceKind(hold.source);
  if (actor.kind === 'system') {
    if (actor.source === 'expiry') {
      if (kind !== 'rule' || hold.expiresAt === null) return false;
      return now === undefined || Date.parse(hold.expiresAt) <= Date.parse(now);
    }
    return sourceKind(actor.source) === 'dunning' && kind === 'dunning';
  }
  switch (actor.role) {
    case 'operator':
      return true;
    case 'reseller':
    case 'channel':
      return kind === 'operator';
    default:
      return false;
  }
}
