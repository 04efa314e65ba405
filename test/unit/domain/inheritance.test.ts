import { describe, expect, it } from 'vitest';
import { computeStatuses, differsFromPublished, statusMessage } from '../../../src/domain/status.js';
import {
  activateCmd, hold, operatorActor, resellerActor, standardTree, suspendCmd, T0,
} from '../../helpers/accounts.js';

const statusOf = (w: ReturnType<typeof standardTree>, id: string) => {
  const root = w.subtree(id).ancestors.at(-1)?.id ?? id;
  return computeStatuses(w.subtree(root), w.holds).get(id)!;
};

describe('effective status through the tree', () => {
  it('suspending a channel suspends every customer under it, inheritedFrom naming the channel', () => {
    const w = standardTree();
    const r = w.run(suspendCmd('chan-1', resellerActor('res-1')));
    for (const id of ['cust-1', 'cust-2']) {
      expect(statusOf(w, id)).toMatchObject({ status: 'suspended', holds: [], inheritedFrom: ['chan-1'] });
    }
    expect(statusOf(w, 'cust-3').status).toBe('active');
    expect(statusOf(w, 'res-1').status).toBe('active');
    expect(r.statusChanges.map((c) => c.after.accountId)).toEqual(['chan-1', 'cust-1', 'cust-2']);
  });

  it('only the channel itself is emailed; its customers get status changes but no mail', () => {
    const w = standardTree();
    const r = w.run(suspendCmd('chan-1', resellerActor('res-1')));
    expect(r.emails.map((e) => [e.accountId, e.template])).toEqual([['chan-1', 'suspension-fraud']]);
  });

  it('activating the channel restores its customers except one with its own hold', () => {
    const w = standardTree();
    w.run(suspendCmd('cust-2', operatorActor(), 'non_payment'));
    w.run(suspendCmd('chan-1', resellerActor('res-1')));
    expect(statusOf(w, 'cust-2')).toMatchObject({ status: 'suspended', inheritedFrom: ['chan-1'] });
    const r = w.run(activateCmd('chan-1', resellerActor('res-1')));
    expect(statusOf(w, 'cust-1')).toMatchObject({ status: 'active', inheritedFrom: [] });
    expect(statusOf(w, 'cust-2')).toMatchObject({ status: 'suspended', inheritedFrom: [] });
    expect(statusOf(w, 'cust-2').holds.map((h) => h.reason)).toEqual(['non_payment']);
    // cust-2 stays suspended, but its inheritedFrom changed, so it is republished too.
    const changed = Object.fromEntries(r.statusChanges.map((c) => [c.after.accountId, c.after.status]));
    expect(changed).toEqual({ 'chan-1': 'active', 'cust-1': 'active', 'cust-2': 'suspended' });
    expect(r.emails.map((e) => [e.accountId, e.template])).toEqual([['chan-1', 'activation']]);
  });

  it('inheritedFrom lists every suspended ancestor, nearest first', () => {
    const w = standardTree();
    w.run(suspendCmd('res-1', operatorActor()));
    w.run(suspendCmd('chan-1', operatorActor()));
    expect(statusOf(w, 'cust-1').inheritedFrom).toEqual(['chan-1', 'res-1']);
    expect(statusOf(w, 'cust-3').inheritedFrom).toEqual(['res-1']);
    expect(statusOf(w, 'cust-4').inheritedFrom).toEqual(['res-1']);
  });

  it('suspending a customer under an already suspended channel changes only that customer', () => {
    const w = standardTree();
    w.run(suspendCmd('chan-1', operatorActor()));
    const r = w.run(suspendCmd('cust-1', operatorActor()));
    expect(r.statusChanges).toHaveLength(1);
    expect(r.statusChanges[0]!.before).toMatchObject({ status: 'suspended', holds: [], inheritedFrom: ['chan-1'] });
    expect(r.statusChanges[0]!.after).toMatchObject({ status: 'suspended', inheritedFrom: ['chan-1'] });
    expect(r.emails.map((e) => e.accountId)).toEqual(['cust-1']);
  });

  it('a second own hold changes the account status message but not its descendants', () => {
    const w = standardTree();
    w.run(suspendCmd('chan-1', operatorActor(), 'fraud'));
    const r = w.run(suspendCmd('chan-1', operatorActor(), 'non_payment'));
    expect(r.statusChanges.map((c) => c.after.accountId)).toEqual(['chan-1']);
  });
});

describe('status message body (CONTRACT §2)', () => {
  it('a suspended account blocks outbound calls and portal access, never inbound calls or billing', () => {
    const w = standardTree();
    w.holds.push(hold('cust-1', 'fraud', 'rule:irsf-destinations', { id: 'h-91' }));
    expect(statusMessage(statusOf(w, 'cust-1'))).toEqual({
      accountId: 'cust-1',
      type: 'customer',
      status: 'suspended',
      holds: [{ id: 'h-91', reason: 'fraud', source: 'rule:irsf-destinations', since: T0 }],
      inheritedFrom: [],
      outboundCalls: 'blocked',
      portalAccess: 'blocked',
      inboundCalls: 'allowed',
      emergencyCalls: 'allowed',
      billing: 'continues',
    });
  });

  it('an active account allows everything', () => {
    expect(statusMessage(statusOf(standardTree(), 'cust-3'))).toMatchObject({
      status: 'active', holds: [], outboundCalls: 'allowed', portalAccess: 'allowed',
    });
  });

  it('an account suspended only through an ancestor is blocked and names it', () => {
    const w = standardTree();
    w.holds.push(hold('chan-2', 'non_payment', 'dunning:standard'));
    expect(statusMessage(statusOf(w, 'cust-3'))).toMatchObject({
      status: 'suspended', holds: [], inheritedFrom: ['chan-2'], outboundCalls: 'blocked',
    });
  });
});

describe('differsFromPublished', () => {
  const active = { accountId: 'a', type: 'customer' as const, status: 'active' as const, holds: [], inheritedFrom: [] };
  it('treats never published as active with no holds', () => {
    expect(differsFromPublished(null, active)).toBe(false);
    expect(differsFromPublished(null, { ...active, status: 'suspended', inheritedFrom: ['p'] })).toBe(true);
  });
  it('compares status, inheritedFrom in order, and hold ids', () => {
    const pub = { status: 'suspended' as const, inheritedFrom: ['p', 'r'], holds: [] };
    expect(differsFromPublished(pub, { ...active, status: 'suspended', inheritedFrom: ['p', 'r'] })).toBe(false);
    expect(differsFromPublished(pub, { ...active, status: 'suspended', inheritedFrom: ['r', 'p'] })).toBe(true);
    expect(differsFromPublished(pub, { ...active, status: 'suspended', inheritedFrom: ['p'] })).toBe(true);
    const own = hold('a', 'fraud', 'operator:o', { id: 'h1' });
    const held = { ...active, status: 'suspended' as const, holds: [own] };
    expect(differsFromPublished(statusMessage(held), held)).toBe(false);
    expect(differsFromPublished({ ...statusMessage(held), holds: [{ id: 'h0', reason: 'fraud', source: 'operator:o', since: own.placedAt }] }, held)).toBe(true);
  });
});
