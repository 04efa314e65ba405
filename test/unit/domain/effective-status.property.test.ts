// Property: on random trees (up to 1,000 accounts) and random suspend/activate sequences, the domain's effective
// status matches a brute-force oracle that walks up parents, and statusChanges lists exactly the changed accounts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/domain/errors.js';
import { computeStatuses } from '../../../src/domain/status.js';
import type { Account, Actor, HoldReason, HoldSource, TransitionResult } from '../../../src/domain/types.js';
import { account, activateCmd, at, dunningActor, operatorActor, ruleActor, World } from '../../helpers/accounts.js';

interface Snapshot { status: string; inheritedFrom: string[]; holdIds: string[] }

/** Brute force: own holds, then walk parentId links to the root collecting held ancestors. */
function oracle(w: World): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  const held = new Map<string, string[]>();
  for (const h of w.holds) held.set(h.accountId, [...(held.get(h.accountId) ?? []), h.id]);
  for (const a of w.accounts.values()) {
    const holdIds = [...(held.get(a.id) ?? [])].sort();
    const inheritedFrom: string[] = [];
    for (let p = a.parentId; p !== null; p = w.accounts.get(p)!.parentId) {
      if (held.has(p)) inheritedFrom.push(p);
    }
    const status = holdIds.length > 0 || inheritedFrom.length > 0 ? 'suspended' : 'active';
    out.set(a.id, { status, inheritedFrom, holdIds });
  }
  return out;
}

const snap = (s: { status: string; inheritedFrom: string[]; holds: { id: string }[] }): Snapshot => ({
  status: s.status, inheritedFrom: s.inheritedFrom, holdIds: s.holds.map((h) => h.id).sort(),
});

/** Accounts: the first is a reseller; later ones are resellers, channels under a reseller, or customers under a
 *  channel or reseller. With `anyShape`, any account may sit under any earlier one (deep chains). */
function buildTree(picks: { kind: number; parent: number }[], anyShape: boolean): Account[] {
  const accounts: Account[] = [account('a0', 'reseller', null)];
  const resellers = ['a0'];
  const parents = ['a0'];
  picks.forEach(({ kind, parent }, i) => {
    const id = `a${i + 1}`;
    if (anyShape) {
      accounts.push(account(id, 'customer', kind === 0 ? null : accounts[parent % accounts.length]!.id));
    } else if (kind === 0) {
      accounts.push(account(id, 'reseller', null));
      resellers.push(id);
      parents.push(id);
    } else if (kind === 1) {
      accounts.push(account(id, 'channel', resellers[parent % resellers.length]!));
      parents.push(id);
    } else {
      accounts.push(account(id, 'customer', parents[parent % parents.length]!));
    }
  });
  return accounts;
}

const SOURCES: HoldSource[] = ['operator:ops-1', 'operator:ops-2', 'rule:r1', 'dunning:p1'];
const actorFor = (source: HoldSource): Actor =>
  source.startsWith('operator:') ? operatorActor(source.slice(9)) :
    source.startsWith('rule:') ? ruleActor(source.slice(5)) : dunningActor(source.slice(8));

const opArb = fc.record({
  suspend: fc.boolean(),
  target: fc.nat(),
  reason: fc.constantFrom<HoldReason>('fraud', 'non_payment'),
  source: fc.constantFrom(...SOURCES),
  filterReason: fc.boolean(),
  byDunning: fc.boolean(),
});

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function check(picks: { kind: number; parent: number }[], ops: Op[], anyShape: boolean): void {
  const w = new World(buildTree(picks, anyShape));
  const ids = [...w.accounts.keys()];
  ops.forEach((op, step) => {
    const target = ids[op.target % ids.length]!;
    const before = oracle(w);
    const cmd = op.suspend
      ? { kind: 'suspend' as const, accountId: target, actor: actorFor(op.source), reason: op.reason, source: op.source }
      : activateCmd(target, op.byDunning ? dunningActor('p1') : operatorActor(), op.filterReason ? { reason: op.reason } : {});
    let result: TransitionResult;
    try {
      result = w.run(cmd, at(step));
    } catch (e) {
      // Only the dunning system may be refused, and only when it matched holds it may not lift.
      expect(e).toBeInstanceOf(DomainError);
      expect(op.suspend || !op.byDunning).toBe(false);
      expect(w.holdsOf(target).some((h) => !h.source.startsWith('dunning:'))).toBe(true);
      return;
    }
    const after = oracle(w);
    const changed = ids.filter((id) => JSON.stringify(before.get(id)) !== JSON.stringify(after.get(id))).sort();
    expect(result.statusChanges.map((c) => c.after.accountId).sort()).toEqual(changed);
    for (const c of result.statusChanges) {
      expect(snap(c.before)).toEqual(before.get(c.before.accountId));
      expect(snap(c.after)).toEqual(after.get(c.after.accountId));
    }
    expect(result.emails.every((e) => e.accountId === target)).toBe(true);
    const own = w.holdsOf(target).map((h) => `${h.reason}|${h.source}`);
    expect(new Set(own).size).toBe(own.length);
  });
  // The domain's view from each root agrees with the oracle for every account.
  const truth = oracle(w);
  for (const root of [...w.accounts.values()].filter((a) => a.parentId === null)) {
    for (const [id, s] of computeStatuses(w.subtree(root.id), w.holds)) expect(snap(s)).toEqual(truth.get(id));
  }
}

const pickArb = (max: number) => fc.array(fc.record({ kind: fc.nat(9).map((k) => (k === 0 ? 0 : k < 4 ? 1 : 2)), parent: fc.nat() }), { maxLength: max, size: 'max' });

describe('effective status against a brute-force oracle', () => {
  it('holds on random reseller/channel/customer trees of up to 1,000 accounts', () => {
    fc.assert(fc.property(pickArb(999), fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), (p, o) => check(p, o, false)), {
      numRuns: 50,
    });
  }, 60_000);

  it('holds on random deep trees of any shape', () => {
    fc.assert(fc.property(pickArb(300), fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), (p, o) => check(p, o, true)), {
      numRuns: 60,
    });
  }, 60_000);

  it('holds on small trees with many operations, where holds pile up', () => {
    fc.assert(fc.property(pickArb(12), fc.array(opArb, { minLength: 1, maxLength: 120, size: 'max' }), (p, o) => check(p, o, false)), {
      numRuns: 150,
    });
  }, 60_000);
});
