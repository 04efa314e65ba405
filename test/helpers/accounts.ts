// Named fixture builders for account trees, actors and holds, plus an in-memory World that plays the store's part
// for pure domain tests: it builds Subtrees the way the store's recursive CTE would and applies TransitionResults.
import type { Subtree, TransitionContext, TransitionCommand } from '../../src/domain/commands.js';
import { DomainError } from '../../src/domain/errors.js';
import { transition } from '../../src/domain/transition.js';
import { ancestorIds, childrenByParent, descendantsOf } from '../../src/domain/tree.js';
import type {
  Account, AccountType, Actor, Decision, Exemption, Hold, HoldReason, HoldSource, Role, TransitionResult,
} from '../../src/domain/types.js';

export function account(id: string, type: AccountType, parentId: string | null, over: Partial<Account> = {}): Account {
  return {
    id, type, parentId,
    name: `${type} ${id}`,
    mainContact: { name: `Contact ${id}`, email: `${id}@example.test` },
    timezone: 'Europe/London', currency: 'GBP', tags: [], closed: false,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}
export const reseller = (id: string, over: Partial<Account> = {}): Account => account(id, 'reseller', null, over);
export const channel = (id: string, parentId: string, over: Partial<Account> = {}): Account =>
  account(id, 'channel', parentId, over);
export const customer = (id: string, parentId: string, over: Partial<Account> = {}): Account =>
  account(id, 'customer', parentId, over);

export const person = (role: Role, accountId: string | null, id = `${role}-user`): Actor =>
  ({ kind: 'person', id, role, accountId });
export const operatorActor = (id = 'ops-1'): Actor => person('operator', null, id);
export const resellerActor = (accountId: string): Actor => person('reseller', accountId);
export const channelActor = (accountId: string): Actor => person('channel', accountId);
export const customerActor = (accountId: string): Actor => person('customer', accountId);
export const ingestActor = (): Actor => person('ingest', null);
export const ruleActor = (ruleId: string): Actor => ({ kind: 'system', source: `rule:${ruleId}` });
export const dunningActor = (policyId: string): Actor => ({ kind: 'system', source: `dunning:${policyId}` });
export const expiryActor = (): Actor => ({ kind: 'system', source: 'expiry' });

export const T0 = '2026-11-24T21:00:00.000Z';
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function hold(accountId: string, reason: HoldReason, source: HoldSource, over: Partial<Hold> = {}): Hold {
  return {
    id: `h-${accountId}-${reason}-${source}`, accountId, reason, source,
    evidence: {}, note: null, placedAt: T0, expiresAt: null, ...over,
  };
}

/** Deterministic ids: h-1, x-2, d-3... */
export function context(now: string = T0, start = 0): TransitionContext {
  let n = start;
  return { now, newId: (prefix) => `${prefix}-${++n}` };
}

/** An in-memory store of accounts, holds, exemptions and decisions. */
export class World {
  readonly accounts = new Map<string, Account>();
  holds: Hold[] = [];
  exemptions: Exemption[] = [];
  decisions: Decision[] = [];
  private seq = 0;

  constructor(accounts: Account[] = []) {
    for (const a of accounts) this.accounts.set(a.id, a);
  }

  ctx(now: string = T0): TransitionContext {
    return { now, newId: (prefix) => `${prefix}-${++this.seq}` };
  }

  subtree(id: string): Subtree {
    const target = this.accounts.get(id);
    if (!target) throw new Error(`no account ${id}`);
    const ancestors = ancestorIds(id, this.accounts).map((a) => this.accounts.get(a)!);
    const descendants = descendantsOf(id, childrenByParent(this.accounts.values()));
    const ids = new Set([id, ...ancestors.map((a) => a.id), ...descendants.map((a) => a.id)]);
    return {
      target, ancestors, descendants,
      holds: this.holds.filter((h) => ids.has(h.accountId)),
      exemptions: this.exemptions.filter((x) => x.accountId === id),
      pendingDecisions: this.decisions.filter((d) => d.accountId === id && d.state === 'pending'),
    };
  }

  apply(result: TransitionResult): TransitionResult {
    const lifted = new Set(result.holdsLifted.map((h) => h.id));
    this.holds = [...this.holds.filter((h) => !lifted.has(h.id)), ...result.holdsPlaced];
    this.exemptions.push(...result.exemptionsCreated);
    this.decisions.push(...result.decisionsOpened);
    return result;
  }

  /** Run one command through the pure transition and apply its result. */
  run(cmd: TransitionCommand, now: string = T0): TransitionResult {
    return this.apply(transition(this.subtree(cmd.accountId), cmd, this.ctx(now)));
  }

  holdsOf(id: string): Hold[] {
    return this.holds.filter((h) => h.accountId === id);
  }
}

/**
 * The standard tree:
 *   res-1 ─┬─ chan-1 ─┬─ cust-1        res-2 ── chan-3 ── cust-5
 *          │          └─ cust-2
 *          ├─ chan-2 ──── cust-3
 *          └─ cust-4 (directly under the reseller)
 */
export function standardTree(): World {
  return new World([
    reseller('res-1'), channel('chan-1', 'res-1'), channel('chan-2', 'res-1'),
    customer('cust-1', 'chan-1'), customer('cust-2', 'chan-1'), customer('cust-3', 'chan-2'),
    customer('cust-4', 'res-1'),
    reseller('res-2'), channel('chan-3', 'res-2'), customer('cust-5', 'chan-3'),
  ]);
}

export function suspendCmd(accountId: string, actor: Actor, reason: HoldReason = 'fraud', over = {}): TransitionCommand {
  const source: HoldSource = actor.kind === 'person' ? `operator:${actor.id}` : (actor.source as HoldSource);
  return { kind: 'suspend', accountId, actor, reason, source, ...over };
}

export function activateCmd(accountId: string, actor: Actor, over = {}): TransitionCommand {
  return { kind: 'activate', accountId, actor, ...over };
}

/** The DomainError code `fn` throws, or null when it does not throw. Other errors propagate. */
export function errorCode(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
}
