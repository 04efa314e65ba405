// The tree's shape on the topic path (issue 11), on real PostgreSQL: a snapshot may arrive before its parent, but
// a snapshot under a known parent of the wrong type, or a retype that no longer suits the stored children, is
// refused with AccountTreeError naming the field (not retryable, so the ingest path dead-letters it alone), and
// nothing of the batch is written.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { syncAccounts } from '../../../src/store/account-moves.js';
import { AccountTreeError } from '../../../src/store/account-tree-shape.js';
import { isRetryableDbError as isRetryable } from '../../../src/store/errors.js';
import { account } from './fixtures.js';

const fresh = databaseForFile();

const sync = (accounts: Parameters<typeof syncAccounts>[1]) => fresh.db.transaction((tx) => syncAccounts(tx, accounts, '2026-11-24T21:09:16.000Z'));
const t = (n: number) => ({ updatedAt: `2026-11-2${n}T10:00:00.000Z` });
const exists = async (id: string) => ((await fresh.db.query('SELECT 1 FROM accounts WHERE id = $1', [id])).rowCount ?? 0) > 0;

describe('tree shape on the topics', () => {
  it('a customer may arrive before its channel, and a batch may hold a child before its parent', async () => {
    await sync([account('ts-k1', 'customer', 'ts-c1')]);
    await sync([account('ts-k2', 'customer', 'ts-c1'), account('ts-c1', 'channel', 'ts-r1'), account('ts-r1', 'reseller', null)]);
    expect(await exists('ts-k1')).toBe(true);
    expect(await exists('ts-c1')).toBe(true);
  });

  it('a channel under a known customer is refused naming parentId, and is not retried', async () => {
    const err = await sync([account('ts-c2', 'channel', 'ts-k1')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountTreeError);
    expect((err as AccountTreeError).message).toMatch(/^parentId: ts-k1 is a customer, and a channel's parent must be a reseller/);
    expect(isRetryable(err)).toBe(false);
    expect(await exists('ts-c2')).toBe(false);
  });

  it('a late parent whose type does not suit the children that came first is refused naming type', async () => {
    await sync([account('ts-k3', 'customer', 'ts-x')]);
    const err = await sync([account('ts-x', 'customer', 'ts-c1')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountTreeError);
    expect((err as AccountTreeError).field).toBe('type');
    expect(await exists('ts-x')).toBe(false);
  });

  it('a cycle cannot form: a reseller cannot become a customer under its own grandchild', async () => {
    const err = await sync([account('ts-r1', 'customer', 'ts-k2', t(5))]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountTreeError);
  });

  it('a channel that keeps its type may move to another reseller', async () => {
    await sync([account('ts-r2', 'reseller', null), account('ts-c1', 'channel', 'ts-r2', t(6))]);
    expect((await fresh.db.query<{ parent_id: string }>(`SELECT parent_id FROM accounts WHERE id = 'ts-c1'`)).rows[0]?.parent_id).toBe('ts-r2');
  });
});
