// Small named builders for the store's integration tests.
import type { Account, Actor } from '../../../src/domain/types.js';
import type { Database } from '../../../src/store/db.js';
import { upsertAccounts } from '../../../src/store/accounts-repo.js';

export const operator: Actor = { kind: 'person', id: 'op-1', role: 'operator', accountId: null };

export function account(id: string, type: Account['type'], parentId: string | null, extra: Partial<Account> = {}): Account {
  return {
    id,
    type,
    parentId,
    name: `Name of ${id}`,
    mainContact: { name: `Contact ${id}`, email: `${id}@example.test` },
    timezone: 'Europe/London',
    currency: 'GBP',
    tags: [],
    closed: false,
    updatedAt: '2026-11-20T09:00:00.000Z',
    ...extra,
  };
}

/** reseller r1 -> channel c1 -> customers c1-cust-1..n; plus a customer directly under the reseller. */
export async function seedChannel(db: Database, customers: number, prefix = ''): Promise<{ reseller: string; channel: string; customers: string[] }> {
  const reseller = `${prefix}r1`;
  const channel = `${prefix}c1`;
  const custIds = Array.from({ length: customers }, (_, i) => `${prefix}c1-cust-${String(i + 1).padStart(3, '0')}`);
  await upsertAccounts(db, [
    account(reseller, 'reseller', null),
    account(channel, 'channel', reseller),
    ...custIds.map((id) => account(id, 'customer', channel)),
    account(`${prefix}r1-direct`, 'customer', reseller),
  ]);
  return { reseller, channel, customers: custIds };
}

export function suspendCmd(accountId: string, reason: 'fraud' | 'non_payment' = 'fraud', actor: Actor = operator) {
  return {
    kind: 'suspend' as const,
    accountId,
    actor,
    reason,
    source: `operator:${actor.kind === 'person' ? actor.id : 'system'}` as const,
    note: 'test',
  };
}

export function activateCmd(accountId: string, actor: Actor = operator) {
  return { kind: 'activate' as const, accountId, actor };
}

export async function countRows(db: Database, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const res = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`, params);
  return Number(res.rows[0]!.n);
}
