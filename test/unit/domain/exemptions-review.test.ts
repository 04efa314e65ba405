import { describe, expect, it } from 'vitest';
import { approveDecision, rejectDecision } from '../../../src/domain/decisions.js';
import { activeExemption } from '../../../src/domain/exemptions.js';
import { expiredHolds, expiryCommand } from '../../../src/domain/expiry.js';
import type { Exemption } from '../../../src/domain/types.js';
import {
  activateCmd, at, channelActor, dunningActor, errorCode, operatorActor, ruleActor, standardTree, suspendCmd, T0,
} from '../../helpers/accounts.js';

const HOUR = 3_600_000;
const exemption = (over: Partial<Exemption> = {}): Exemption => ({
  id: 'x-1', accountId: 'cust-1', reason: 'fraud', rules: null, until: at(60), note: null,
  createdBy: 'operator:ops-1', createdAt: T0, ...over,
});

describe('activeExemption', () => {
  it('covers the same reason until its end, and not after', () => {
    expect(activeExemption([exemption()], 'fraud', 'irsf', at(59))).not.toBeNull();
    expect(activeExemption([exemption()], 'fraud', 'irsf', at(60))).toBeNull();
  });
  it('does not cover another reason; a null reason covers every reason', () => {
    expect(activeExemption([exemption()], 'non_payment', null, T0)).toBeNull();
    expect(activeExemption([exemption({ reason: null })], 'non_payment', null, T0)).not.toBeNull();
  });
  it('a rule-scoped exemption covers only the listed rules, never dunning', () => {
    const x = exemption({ rules: ['irsf'] });
    expect(activeExemption([x], 'fraud', 'irsf', T0)).not.toBeNull();
    expect(activeExemption([x], 'fraud', 'call-burst', T0)).toBeNull();
    expect(activeExemption([x], 'fraud', null, T0)).toBeNull();
  });
});

describe('exemptions and review mode', () => {
  it("an operator's activation with exemptFor turns the rule's next suspension into a review decision", () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', ruleActor('irsf')));
    const act = w.run(activateCmd('cust-1', operatorActor(), { exemptForMs: 24 * HOUR, note: 'customer called' }));
    expect(act.exemptionsCreated).toMatchObject([{ accountId: 'cust-1', reason: 'fraud', rules: null, until: at(24 * 60) }]);
    expect(act.audit.map((a) => a.kind)).toEqual(['hold_lifted', 'exemption_created']);
    const again = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { evidence: { calls: 12 } }), at(60));
    expect(again.holdsPlaced).toEqual([]);
    expect(again.emails).toEqual([]);
    expect(again.statusChanges).toEqual([]);
    expect(again.decisionsOpened).toMatchObject([{ state: 'pending', source: 'rule:irsf', evidence: { calls: 12 } }]);
    expect(again.audit).toMatchObject([{ kind: 'decision_opened', actor: 'rule:irsf', evidence: { calls: 12 } }]);
  });

  it('a repeated automatic hit does not open a second pending decision', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' }));
    const again = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' }));
    expect(again.changed).toBe(false);
    expect(w.decisions).toHaveLength(1);
  });

  it('once the exemption has expired the rule suspends again', () => {
    const w = standardTree();
    w.exemptions.push(exemption());
    const r = w.run(suspendCmd('cust-1', ruleActor('irsf')), at(61));
    expect(r.holdsPlaced).toHaveLength(1);
    expect(r.decisionsOpened).toEqual([]);
  });

  it('an exemption does not stop a person from suspending', () => {
    const w = standardTree();
    w.exemptions.push(exemption({ reason: null }));
    expect(w.run(suspendCmd('cust-1', channelActor('chan-1'))).holdsPlaced).toHaveLength(1);
  });

  it('an exemption of every reason turns dunning suspensions into decisions too', () => {
    const w = standardTree();
    w.exemptions.push(exemption({ reason: null }));
    const r = w.run(suspendCmd('cust-1', dunningActor('standard'), 'non_payment'));
    expect(r.decisionsOpened).toHaveLength(1);
  });

  it('review mode opens a pending decision instead of placing the hold', () => {
    const w = standardTree();
    const r = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' }));
    expect(r.changed).toBe(true);
    expect(r.holdsPlaced).toEqual([]);
    expect(r.decisionsOpened).toHaveLength(1);
  });

  it('exemptFor from anyone but an operator is forbidden', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', channelActor('chan-1')));
    const cmd = activateCmd('cust-1', channelActor('chan-1'), { exemptForMs: HOUR });
    expect(errorCode(() => w.run(cmd))).toBe('forbidden');
    expect(w.holdsOf('cust-1')).toHaveLength(1);
  });
});

describe('review decisions', () => {
  it('approving places the hold with the rule as its source, and emails the customer', () => {
    const w = standardTree();
    const d = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' })).decisionsOpened[0]!;
    const { decision, result } = approveDecision(w.subtree('cust-1'), d, operatorActor(), w.ctx(at(5)));
    expect(decision).toMatchObject({ state: 'approved', decidedAt: at(5), decidedBy: 'operator:ops-1' });
    expect(result.holdsPlaced).toMatchObject([{ source: 'rule:irsf', reason: 'fraud' }]);
    expect(result.audit.map((a) => a.kind)).toEqual(['decision_approved', 'hold_placed']);
    expect(result.emails.map((e) => e.template)).toEqual(['suspension-fraud']);
  });

  it('rejecting places no hold and may exempt the account', () => {
    const w = standardTree();
    const d = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' })).decisionsOpened[0]!;
    const { decision, result } = rejectDecision(d, operatorActor(), w.ctx(), { exemptForMs: HOUR });
    expect(decision.state).toBe('rejected');
    expect(result.holdsPlaced).toEqual([]);
    expect(result.exemptionsCreated).toMatchObject([{ reason: 'fraud', until: at(60) }]);
  });

  it('only an operator decides, and only a pending decision', () => {
    const w = standardTree();
    const d = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud', { mode: 'review' })).decisionsOpened[0]!;
    expect(errorCode(() => rejectDecision(d, channelActor('chan-1'), w.ctx()))).toBe('forbidden');
    const done = rejectDecision(d, operatorActor(), w.ctx()).decision;
    expect(errorCode(() => approveDecision(w.subtree('cust-1'), done, operatorActor(), w.ctx()))).toBe('conflict');
  });
});

describe('expiry of releaseAfter holds', () => {
  it('finds the due holds and lifts them through the ordinary transition', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', ruleActor('burst'), 'fraud', { expiresAt: at(60) }));
    w.run(suspendCmd('cust-2', ruleActor('burst'), 'fraud', { expiresAt: at(120) }));
    const due = expiredHolds(w.holds, at(90));
    expect(due.map((h) => h.accountId)).toEqual(['cust-1']);
    const r = w.run(expiryCommand('cust-1', due), at(90));
    expect(r.holdsLifted).toEqual(due);
    expect(r.audit[0]).toMatchObject({ kind: 'hold_lifted', actor: 'expiry' });
    expect(w.holdsOf('cust-2')).toHaveLength(1);
  });
});
