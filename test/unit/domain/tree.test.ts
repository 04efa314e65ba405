import { describe, expect, it } from 'vitest';
import { ancestorIds, childrenByParent, descendantsOf, indexById } from '../../../src/domain/tree.js';
import { account, channel, customer, reseller, standardTree } from '../../helpers/accounts.js';

describe('tree helpers', () => {
  const accounts = [...standardTree().accounts.values()];

  it('ancestors come nearest first, up to the root', () => {
    expect(ancestorIds('cust-1', indexById(accounts))).toEqual(['chan-1', 'res-1']);
    expect(ancestorIds('res-1', indexById(accounts))).toEqual([]);
  });

  it('descendants come breadth first, parents before children, and stay inside the subtree', () => {
    const ids = descendantsOf('res-1', childrenByParent(accounts)).map((a) => a.id);
    expect(ids.slice(0, 3).sort()).toEqual(['chan-1', 'chan-2', 'cust-4']);
    expect(ids.slice(3).sort()).toEqual(['cust-1', 'cust-2', 'cust-3']);
    expect(descendantsOf('cust-1', childrenByParent(accounts))).toEqual([]);
  });

  it('a parent cycle in bad data ends the walks instead of looping', () => {
    const bad = [account('a', 'channel', 'b'), account('b', 'channel', 'a')];
    expect(ancestorIds('a', indexById(bad))).toEqual(['b']);
    expect(descendantsOf('a', childrenByParent(bad)).map((x) => x.id)).toEqual(['b']);
  });

  it('an unknown parent ends the ancestor walk', () => {
    const orphans = [customer('c', 'gone'), channel('k', 'r'), reseller('r')];
    expect(ancestorIds('c', indexById(orphans))).toEqual(['gone']);
    expect(ancestorIds('k', indexById(orphans))).toEqual(['r']);
  });
});
