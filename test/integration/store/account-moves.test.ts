// Account snapshots that move accounts in the tree, on real PostgreSQL: a move under a suspended parent publishes the
// new inherited status of the account and its subtree, a move back publishes the restore, a first snapshot under a
// suspended parent publishes its suspension, and moves that change nothing (or a bulk load without holds) publish
// nothing.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { syncAccounts } from '../../../src/store/account-moves.js';
import { withTransition } from '../../../src/store/transitions.js';
import { getAccountStatus } from '../../../src/store/account-status-repo.js';
import { account, countRows, suspendCmd } from './fixtures.js';

const fresh = databaseForFile();

const now = '2026-11-24T21:09:16.000Z';
const later = (n: number) => `2026-11-2${n}T10:00:00.000Z`;
const sync = (accounts: Parameters<typeof syncAccounts>[1], at = now) => fresh.db.transaction((tx) => syncAccounts(tx, accounts, at));
const statusOf = async (id: string) => (await getAccountStatus(fresh.db, id))?.status ?? null;

describe('account moves', () => {
  it('a bulk load of a tree without holds publishes nothing', async () => {
    const res = await sync([
      account('bl-r', 'reseller', null),
      ...Array.from({ length: 20 }, (_, i) => account(`bl-c${i}`, 'channel', 'bl-r')),
      ...Array.from({ length: 200 }, (_, i) => account(`bl-k${i}`, 'customer', `bl-c${i % 20}`)),
    ]);
    expect(res.written).toHaveLength(221);
    expect(res.republished).toEqual([]);
    expect(await countRows(fresh.db, 'outbox', "account_id LIKE 'bl-%'")).toBe(0);
  });

  it('moving a channel under a suspended reseller suspends it and its customers, and moving it back restores them', async () => {
    await sync([
      account('mv-good', 'reseller', null),
      account('mv-bad', 'reseller', null),
      account('mv-ch', 'channel', 'mv-good'),
      account('mv-k1', 'customer', 'mv-ch'),
      account('mv-k2', 'customer', 'mv-ch'),
    ]);
    await withTransition(fresh.db, suspendCmd('mv-bad'), { now: new Date(now) });

    const moved = await sync([account('mv-ch', 'channel', 'mv-bad', { updatedAt: later(5) })], later(5));
    expect(moved.republished.sort()).toEqual(['mv-ch', 'mv-k1', 'mv-k2']);
    expect(await statusOf('mv-k1')).toMatchObject({ status: 'suspended', inheritedFrom: ['mv-bad'], outboundCalls: 'blocked', version: 1 });
    expect(await statusOf('mv-ch')).toMatchObject({ status: 'suspended', inheritedFrom: ['mv-bad'], holds: [] });
    const audit = await fresh.db.query<{ note: string }>(`SELECT note FROM audit WHERE account_id = 'mv-k2' AND kind = 'status_changed'`);
    expect(audit.rows.map((r) => r.note)).toEqual(['ancestor mv-ch moved in the tree']);
    // No email: an inherited change is not the account's own status.
    expect(await countRows(fresh.db, 'outbox', "kind = 'email' AND account_id IN ('mv-ch', 'mv-k1', 'mv-k2')")).toBe(0);

    const back = await sync([account('mv-ch', 'channel', 'mv-good', { updatedAt: later(6) })], later(6));
    expect(back.republished.sort()).toEqual(['mv-ch', 'mv-k1', 'mv-k2']);
    expect(await statusOf('mv-k1')).toMatchObject({ status: 'active', inheritedFrom: [], outboundCalls: 'allowed', version: 2 });
  });

  it('a customer with its own hold keeps it through a move, and its inheritedFrom follows the new parent', async () => {
    await sync([account('own-a', 'reseller', null), account('own-b', 'reseller', null), account('own-k', 'customer', 'own-a')]);
    await withTransition(fresh.db, suspendCmd('own-k'), { now: new Date(now) });
    await withTransition(fresh.db, suspendCmd('own-b'), { now: new Date(now) });
    await sync([account('own-k', 'customer', 'own-b', { updatedAt: later(5) })], later(5));
    const s = await statusOf('own-k');
    expect(s).toMatchObject({ status: 'suspended', inheritedFrom: ['own-b'] });
    expect(s?.holds).toHaveLength(1);
  });

  it('a first snapshot under a suspended channel publishes its suspension; a move between active parents publishes nothing', async () => {
    await sync([account('fs-r', 'reseller', null), account('fs-c', 'channel', 'fs-r'), account('fs-c2', 'channel', 'fs-r')]);
    await withTransition(fresh.db, suspendCmd('fs-c'), { now: new Date(now) });
    const first = await sync([account('fs-new', 'customer', 'fs-c')], later(5));
    expect(first.republished).toEqual(['fs-new']);
    expect(await statusOf('fs-new')).toMatchObject({ status: 'suspended', inheritedFrom: ['fs-c'], version: 1 });

    await sync([account('fs-calm', 'customer', 'fs-c2')], later(5));
    const quiet = await sync([account('fs-calm', 'customer', 'fs-r', { updatedAt: later(6) })], later(6));
    expect(quiet.republished).toEqual([]);
    expect(await statusOf('fs-calm')).toBeNull();
  });

  it('a stale snapshot moves nothing', async () => {
    await sync([account('st-a', 'reseller', null), account('st-b', 'reseller', null), account('st-k', 'customer', 'st-a', { updatedAt: later(6) })]);
    await withTransition(fresh.db, suspendCmd('st-b'), { now: new Date(now) });
    const stale = await sync([account('st-k', 'customer', 'st-b', { updatedAt: later(5) })], later(7));
    expect(stale).toEqual({ written: [], republished: [] });
    expect(await statusOf('st-k')).toBeNull();
  });
});
