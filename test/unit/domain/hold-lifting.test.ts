import { describe, expect, it } from 'vitest';
import { canLift } from '../../../src/domain/authority.js';
import type { Actor, Hold } from '../../../src/domain/types.js';
import {
  activateCmd, at, channelActor, customerActor, dunningActor, errorCode, expiryActor, hold, ingestActor,
  operatorActor, resellerActor, ruleActor, standardTree, T0,
} from '../../helpers/accounts.js';

const personHold = hold('cust-1', 'fraud', 'operator:ops-9');
const fraudHold = hold('cust-1', 'fraud', 'rule:irsf-destinations');
const expiringFraudHold = hold('cust-1', 'fraud', 'rule:call-burst', { expiresAt: at(60) });
const dunningHold = hold('cust-1', 'non_payment', 'dunning:standard');

// [actor label, actor, hold label, hold, may lift]. Persons here all have authority over cust-1 (or none at all).
const rows: [string, Actor, string, Hold, boolean][] = [
  ['an operator', operatorActor(), 'a person-placed hold', personHold, true],
  ['an operator', operatorActor(), 'an automatic fraud hold', fraudHold, true],
  ['an operator', operatorActor(), 'an automatic non-payment hold', dunningHold, true],
  ['its reseller', resellerActor('res-1'), 'a person-placed hold', personHold, true],
  ['its reseller', resellerActor('res-1'), 'an automatic fraud hold', fraudHold, false],
  ['its reseller', resellerActor('res-1'), 'an automatic non-payment hold', dunningHold, false],
  ['its channel', channelActor('chan-1'), 'a person-placed hold', personHold, true],
  ['its channel', channelActor('chan-1'), 'an automatic fraud hold', fraudHold, false],
  ['its channel', channelActor('chan-1'), 'an automatic non-payment hold', dunningHold, false],
  ['the customer', customerActor('cust-1'), 'a person-placed hold', personHold, false],
  ['an ingest token', ingestActor(), 'a person-placed hold', personHold, false],
  ['the dunning system', dunningActor('standard'), 'an automatic non-payment hold', dunningHold, true],
  ['the dunning system', dunningActor('standard'), 'an automatic fraud hold', fraudHold, false],
  ['the dunning system', dunningActor('standard'), 'a person-placed hold', personHold, false],
  ['a fraud rule', ruleActor('irsf-destinations'), 'its own fraud hold', fraudHold, false],
  ['expiry', expiryActor(), 'a fraud hold without releaseAfter', fraudHold, false],
  ['expiry', expiryActor(), 'a person-placed hold', personHold, false],
  ['expiry', expiryActor(), 'an automatic non-payment hold', dunningHold, false],
];

describe('who lifts which hold (CONTRACT §1)', () => {
  for (const [actorLabel, actor, holdLabel, h, allowed] of rows) {
    it(`${actorLabel} ${allowed ? 'may' : 'may not'} lift ${holdLabel}`, () => {
      expect(canLift(actor, h, T0)).toBe(allowed);
    });
  }

  it('expiry lifts a fraud hold with releaseAfter once its time has come, not before', () => {
    expect(canLift(expiryActor(), expiringFraudHold, at(59))).toBe(false);
    expect(canLift(expiryActor(), expiringFraudHold, at(60))).toBe(true);
  });
});

describe('activate obeys the lifting rules', () => {
  it('a channel lifts a hold an operator placed on its customer, and the customer is emailed', () => {
    const w = standardTree();
    w.holds.push(personHold);
    const r = w.run(activateCmd('cust-1', channelActor('chan-1')));
    expect(r.holdsLifted.map((h) => h.id)).toEqual([personHold.id]);
    expect(r.emails.map((e) => [e.accountId, e.template])).toEqual([['cust-1', 'activation']]);
    expect(r.audit).toMatchObject([{ kind: 'hold_lifted', actor: 'operator:channel-user', holdId: personHold.id }]);
  });

  it('a channel asking to lift only an automatic fraud hold is forbidden and nothing changes', () => {
    const w = standardTree();
    w.holds.push(fraudHold);
    expect(errorCode(() => w.run(activateCmd('cust-1', channelActor('chan-1'))))).toBe('forbidden');
    expect(w.holdsOf('cust-1')).toEqual([fraudHold]);
  });

  it('a reseller lifts the person-placed hold but leaves the fraud hold, so the account stays suspended unmailed', () => {
    const w = standardTree();
    w.holds.push(personHold, fraudHold);
    const r = w.run(activateCmd('cust-1', resellerActor('res-1')));
    expect(r.holdsLifted).toEqual([personHold]);
    expect(w.holdsOf('cust-1')).toEqual([fraudHold]);
    expect(r.emails).toEqual([]);
    expect(r.statusChanges).toHaveLength(1);
    expect(r.statusChanges[0]!.after).toMatchObject({ accountId: 'cust-1', status: 'suspended' });
  });

  it('an operator lifts an automatic fraud hold', () => {
    const w = standardTree();
    w.holds.push(fraudHold);
    const r = w.run(activateCmd('cust-1', operatorActor(), { reason: 'fraud' }));
    expect(r.holdsLifted).toEqual([fraudHold]);
    expect(r.statusChanges[0]!.after.status).toBe('active');
  });

  it('the dunning system lifts only its own non-payment hold when the balance clears', () => {
    const w = standardTree();
    w.holds.push(dunningHold, fraudHold);
    const r = w.run(activateCmd('cust-1', dunningActor('standard'), { source: 'dunning:standard' }));
    expect(r.holdsLifted).toEqual([dunningHold]);
    expect(w.holdsOf('cust-1')).toEqual([fraudHold]);
  });

  it('the dunning system asking to lift a fraud hold is forbidden', () => {
    const w = standardTree();
    w.holds.push(fraudHold);
    expect(errorCode(() => w.run(activateCmd('cust-1', dunningActor('standard'))))).toBe('forbidden');
  });

  it('a customer cannot lift anything, even a hold on its own account: it has no authority', () => {
    const w = standardTree();
    w.holds.push(personHold);
    expect(errorCode(() => w.run(activateCmd('cust-1', customerActor('cust-1'))))).toBe('forbidden');
  });

  it('an out-of-scope channel gets not_found, not forbidden', () => {
    const w = standardTree();
    w.holds.push(personHold);
    expect(errorCode(() => w.run(activateCmd('cust-1', channelActor('chan-3'))))).toBe('not_found');
  });

  it('expiry lifts an expired rule hold through the ordinary transition and emails the activation', () => {
    const w = standardTree();
    w.holds.push(expiringFraudHold);
    const cmd = activateCmd('cust-1', expiryActor(), { holdIds: [expiringFraudHold.id] });
    expect(errorCode(() => w.run(cmd, at(30)))).toBe('forbidden');
    const r = w.run(cmd, at(61));
    expect(r.holdsLifted).toEqual([expiringFraudHold]);
    expect(r.audit[0]).toMatchObject({ kind: 'hold_lifted', actor: 'expiry' });
    expect(r.emails.map((e) => e.template)).toEqual(['activation']);
  });
});
