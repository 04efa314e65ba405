import { describe, expect, it } from 'vitest';
import { canRead, checkAuthority } from '../../../src/domain/authority.js';
import type { Actor } from '../../../src/domain/types.js';
import {
  activateCmd, channelActor, customerActor, errorCode, hold, ingestActor, operatorActor, person, resellerActor, standardTree,
  suspendCmd,
} from '../../helpers/accounts.js';

type Verdict = 'ok' | 'not_found' | 'forbidden';
// [actor label, actor, target, verdict, relation]. The standard tree: res-1 > chan-1 > cust-1, cust-2;
// res-1 > chan-2 > cust-3; res-1 > cust-4; and a separate tree res-2 > chan-3 > cust-5.
const rows: [string, Actor, string, Verdict, string][] = [
  ['operator', operatorActor(), 'res-1', 'ok', 'a root reseller'],
  ['operator', operatorActor(), 'chan-1', 'ok', 'a channel'],
  ['operator', operatorActor(), 'cust-1', 'ok', 'a customer'],
  ['operator', operatorActor(), 'cust-5', 'ok', 'an account in another tree'],
  ['reseller res-1', resellerActor('res-1'), 'res-1', 'forbidden', 'its own account'],
  ['reseller res-1', resellerActor('res-1'), 'chan-1', 'ok', 'a child channel'],
  ['reseller res-1', resellerActor('res-1'), 'cust-1', 'ok', 'a grandchild customer'],
  ['reseller res-1', resellerActor('res-1'), 'cust-4', 'ok', 'a customer directly under it'],
  ['reseller res-1', resellerActor('res-1'), 'res-2', 'not_found', 'a sibling reseller'],
  ['reseller res-1', resellerActor('res-1'), 'chan-3', 'not_found', 'a channel of another tree'],
  ['reseller res-1', resellerActor('res-1'), 'cust-5', 'not_found', 'a customer of another tree'],
  ['channel chan-1', channelActor('chan-1'), 'chan-1', 'forbidden', 'its own account'],
  ['channel chan-1', channelActor('chan-1'), 'cust-1', 'ok', 'a customer directly under it'],
  ['channel chan-1', channelActor('chan-1'), 'cust-2', 'ok', 'another customer directly under it'],
  ['channel chan-1', channelActor('chan-1'), 'res-1', 'not_found', 'its parent reseller'],
  ['channel chan-1', channelActor('chan-1'), 'chan-2', 'not_found', 'a sibling channel'],
  ['channel chan-1', channelActor('chan-1'), 'cust-3', 'not_found', "a sibling channel's customer"],
  ['channel chan-1', channelActor('chan-1'), 'cust-4', 'not_found', "its reseller's direct customer"],
  ['channel chan-1', channelActor('chan-1'), 'cust-5', 'not_found', 'a customer of another tree'],
  ['customer cust-1', customerActor('cust-1'), 'cust-1', 'forbidden', 'its own account'],
  ['customer cust-1', customerActor('cust-1'), 'cust-2', 'not_found', 'a sibling customer'],
  ['customer cust-1', customerActor('cust-1'), 'chan-1', 'not_found', 'its parent channel'],
  ['ingest', ingestActor(), 'cust-1', 'not_found', 'a customer'],
  ['ingest', ingestActor(), 'res-1', 'not_found', 'a reseller'],
  ['reseller without account', person('reseller', null), 'chan-1', 'not_found', 'a channel'],
];

describe('authority table (CONTRACT §1)', () => {
  const world = standardTree();
  for (const [label, actor, target, verdict, relation] of rows) {
    it(`${label} on ${relation} (${target}) -> ${verdict}`, () => {
      const s = world.subtree(target);
      expect(checkAuthority(actor, s.target, s.ancestors)).toBe(verdict);
    });

    it(`${label} suspending and activating ${relation} (${target}) ${verdict === 'ok' ? 'succeeds' : `fails with ${verdict}`}`, () => {
      const w = standardTree();
      const run = (): void => {
        w.run(suspendCmd(target, actor));
        w.holds.push(hold(target, 'non_payment', 'operator:someone'));
        w.run(activateCmd(target, actor));
      };
      if (verdict === 'ok') {
        run();
        expect(w.holdsOf(target)).toEqual([]);
      } else {
        expect(errorCode(run)).toBe(verdict);
        expect(w.holdsOf(target)).toEqual([]);
      }
    });
  }

  it('a reseller may not act on another reseller placed beneath it, since resellers are not channels or customers', () => {
    const s = standardTree().subtree('chan-1');
    const odd = { ...s.target, id: 'res-x', type: 'reseller' as const };
    expect(checkAuthority(resellerActor('res-1'), odd, s.ancestors)).toBe('forbidden');
  });

  it('system actors bypass the authority table', () => {
    const s = standardTree().subtree('res-1');
    expect(checkAuthority({ kind: 'system', source: 'rule:x' }, s.target, s.ancestors)).toBe('ok');
  });
});

describe('read scope', () => {
  const world = standardTree();
  const readable = (actor: Actor, id: string): boolean => {
    const s = world.subtree(id);
    return canRead(actor, s.target, s.ancestors);
  };

  it('an operator reads every account', () => {
    for (const id of world.accounts.keys()) expect(readable(operatorActor(), id)).toBe(true);
  });

  it('a reseller reads its own account and everything below it, nothing else', () => {
    const seen = [...world.accounts.keys()].filter((id) => readable(resellerActor('res-1'), id)).sort();
    expect(seen).toEqual(['chan-1', 'chan-2', 'cust-1', 'cust-2', 'cust-3', 'cust-4', 'res-1']);
  });

  it('a channel reads its own account and its customers', () => {
    const seen = [...world.accounts.keys()].filter((id) => readable(channelActor('chan-1'), id)).sort();
    expect(seen).toEqual(['chan-1', 'cust-1', 'cust-2']);
  });

  it('a customer reads only its own account', () => {
    const seen = [...world.accounts.keys()].filter((id) => readable(customerActor('cust-3'), id));
    expect(seen).toEqual(['cust-3']);
  });

  it('an ingest token reads no account', () => {
    expect([...world.accounts.keys()].some((id) => readable(ingestActor(), id))).toBe(false);
  });
});
