import { describe, expect, it } from 'vitest';
import { transition } from '../../../src/domain/transition.js';
import {
  activateCmd, dunningActor, errorCode, operatorActor, ruleActor, standardTree, suspendCmd,
} from '../../helpers/accounts.js';

describe('idempotence (CONTRACT §1)', () => {
  it('the same suspension repeated leaves one hold and one email intent', () => {
    const w = standardTree();
    const first = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud'));
    const again = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud'));
    const third = w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud'));
    expect(w.holdsOf('cust-1')).toHaveLength(1);
    expect([first, again, third].flatMap((r) => r.emails)).toHaveLength(1);
    expect(first.emails[0]).toMatchObject({ template: 'suspension-fraud', dedupeKey: `hold:${first.holdsPlaced[0]!.id}:placed` });
    for (const r of [again, third]) {
      expect(r).toEqual({
        changed: false, holdsPlaced: [], holdsLifted: [], exemptionsCreated: [], decisionsOpened: [],
        audit: [], statusChanges: [], emails: [],
      });
    }
  });

  it('the same reason from another source adds a hold but no second email', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud'));
    const r = w.run(suspendCmd('cust-1', operatorActor(), 'fraud'));
    expect(w.holdsOf('cust-1')).toHaveLength(2);
    expect(r.emails).toEqual([]);
    expect(r.audit).toMatchObject([{ kind: 'hold_placed', actor: 'operator:ops-1', reason: 'fraud' }]);
  });

  it('a new reason on an already suspended account is emailed with its own template', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', ruleActor('irsf'), 'fraud'));
    const r = w.run(suspendCmd('cust-1', dunningActor('standard'), 'non_payment'));
    expect(r.emails.map((e) => e.template)).toEqual(['suspension-non_payment']);
  });

  it('activating an account with nothing to lift changes nothing', () => {
    const w = standardTree();
    const r = w.run(activateCmd('cust-1', operatorActor()));
    expect(r.changed).toBe(false);
    expect(r.statusChanges).toEqual([]);
    expect(r.emails).toEqual([]);
  });

  it('activating twice emails the activation once', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', operatorActor()));
    const first = w.run(activateCmd('cust-1', operatorActor()));
    const again = w.run(activateCmd('cust-1', operatorActor()));
    expect(first.emails.map((e) => e.template)).toEqual(['activation']);
    expect(first.emails[0]!.dedupeKey).toBe(`hold:${first.holdsLifted[0]!.id}:lifted`);
    expect(again.changed).toBe(false);
    expect(again.emails).toEqual([]);
  });

  it('activation filtered by reason lifts only that reason and mails nothing while another remains', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-1', operatorActor(), 'fraud'));
    w.run(suspendCmd('cust-1', operatorActor(), 'non_payment'));
    const r = w.run(activateCmd('cust-1', operatorActor(), { reason: 'fraud' }));
    expect(r.holdsLifted.map((h) => h.reason)).toEqual(['fraud']);
    expect(r.emails).toEqual([]);
    expect(w.holdsOf('cust-1').map((h) => h.reason)).toEqual(['non_payment']);
  });

  it('a command for another account than the loaded subtree is rejected as invalid', () => {
    const w = standardTree();
    expect(errorCode(() => transition(w.subtree('cust-1'), suspendCmd('cust-2', operatorActor()), w.ctx()))).toBe('invalid');
  });
});
