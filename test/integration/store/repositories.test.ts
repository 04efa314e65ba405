// The repositories on real PostgreSQL: account upserts where the newest snapshot wins, filtered and paged lists,
// the locked subtree load, audit paging, decisions and exemptions.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { countAccounts, getAccount, listAccounts, upsertAccounts } from '../../../src/store/accounts-repo.js';
import { loadSubtree } from '../../../src/store/load-subtree.js';
import { appendAudit, listAudit } from '../../../src/store/audit-repo.js';
import { getDecision, insertDecisions, listDecisions, setDecisionState } from '../../../src/store/decisions-repo.js';
import { deleteExemption, insertExemptions, listExemptions } from '../../../src/store/exemptions-repo.js';
import { insertOutbox } from '../../../src/store/outbox-repo.js';
import { withTransition } from '../../../src/store/transitions.js';
import { withDecision } from '../../../src/store/decide.js';
import { DbTransientError } from '../../../src/store/errors.js';
import type { Decision } from '../../../src/domain/types.js';
import { account, countRows, operator, seedChannel, suspendCmd } from './fixtures.js';

const fresh = databaseForFile();

const now = new Date('2026-11-24T21:09:16.000Z');

describe('accounts', () => {
  it('keeps the snapshot with the latest updatedAt, whatever the arrival order', async () => {
    const older = account('acc-1', 'customer', 'chan-x', { name: 'Old', updatedAt: '2026-11-20T09:00:00.000Z' });
    const newer = account('acc-1', 'customer', 'chan-y', { name: 'New', tags: ['vip', 'x'], updatedAt: '2026-11-21T09:00:00.000Z' });
    expect(await upsertAccounts(fresh.db, [newer])).toEqual(['acc-1']);
    expect(await upsertAccounts(fresh.db, [older])).toEqual([]);
    expect(await upsertAccounts(fresh.db, [newer])).toEqual([]);
    expect(await getAccount(fresh.db, 'acc-1')).toEqual(newer);
    // Within one batch the newest per id wins too.
    const newest = { ...newer, name: 'Newest', updatedAt: '2026-11-22T09:00:00.000Z' };
    expect(await upsertAccounts(fresh.db, [newest, older])).toEqual(['acc-1']);
    expect((await getAccount(fresh.db, 'acc-1'))?.name).toBe('Newest');
    expect(await getAccount(fresh.db, 'missing')).toBeNull();
  });

  it('lists by type, effective status, parent, search text and scope, with keyset paging', async () => {
    const { reseller, channel, customers } = await seedChannel(fresh.db, 12, 'l-');
    await upsertAccounts(fresh.db, [account('l-c2', 'channel', reseller), account('l-c2-cust', 'customer', 'l-c2', { name: 'Acme 50% Ltd' })]);
    await withTransition(fresh.db, suspendCmd(channel), { now });

    const activeChannels = await listAccounts(fresh.db, { type: 'channel', status: 'active', scopeRoot: reseller });
    expect(activeChannels.items.map((a) => a.id)).toEqual(['l-c2']);
    const suspended = await listAccounts(fresh.db, { status: 'suspended', scopeRoot: reseller });
    expect(suspended.items.map((a) => a.id)).toEqual([channel, ...customers]);
    expect(suspended.items.every((a) => a.status === 'suspended')).toBe(true);
    expect(await countAccounts(fresh.db, { scopeRoot: reseller })).toBe(17);
    expect(await countAccounts(fresh.db, { scopeRoot: reseller, includeScopeRoot: false })).toBe(16);
    expect((await listAccounts(fresh.db, { parent: 'l-c2' })).items.map((a) => a.id)).toEqual(['l-c2-cust']);
    expect((await listAccounts(fresh.db, { q: 'acme 50%' })).items.map((a) => a.id)).toEqual(['l-c2-cust']);
    // `%` in the search text is literal, not a wildcard.
    expect((await listAccounts(fresh.db, { q: '5%l', scopeRoot: reseller })).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await listAccounts(fresh.db, { scopeRoot: channel }, { cursor, limit: 5 });
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([channel, ...customers]);
  });
});

describe('loadSubtree', () => {
  it('returns the target, its ancestors nearest first, its descendants and their holds', async () => {
    const { reseller, channel, customers } = await seedChannel(fresh.db, 3, 's-');
    await withTransition(fresh.db, suspendCmd(reseller), { now });
    const subtree = await fresh.db.transaction((tx) => loadSubtree(tx, channel));
    expect(subtree?.target.id).toBe(channel);
    expect(subtree?.ancestors.map((a) => a.id)).toEqual([reseller]);
    expect(subtree?.descendants.map((a) => a.id).sort()).toEqual(customers);
    expect(subtree?.holds.map((h) => h.accountId)).toEqual([reseller]);
    expect(await fresh.db.transaction((tx) => loadSubtree(tx, 'nope'))).toBeNull();
  });

  it("locks the target's and descendants' rows but not the ancestors'", async () => {
    const { reseller, channel, customers } = await seedChannel(fresh.db, 2, 'k-');
    await fresh.db.transaction(async (tx) => {
      await loadSubtree(tx, channel);
      const other = fresh.db;
      const tryLock = (id: string) =>
        other.transaction((t2) => t2.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE NOWAIT', [id]));
      await expect(tryLock(customers[1]!)).rejects.toBeInstanceOf(DbTransientError);
      await expect(tryLock(channel)).rejects.toMatchObject({ code: '55P03', retryable: true });
      await expect(tryLock(reseller)).resolves.toMatchObject({ rowCount: 1 });
    });
  });

  it('survives a parent cycle in bad data', async () => {
    await upsertAccounts(fresh.db, [account('cy-a', 'channel', 'cy-b'), account('cy-b', 'reseller', 'cy-a')]);
    const subtree = await fresh.db.transaction((tx) => loadSubtree(tx, 'cy-a'));
    expect(subtree?.descendants.map((a) => a.id)).toEqual(['cy-b']);
    expect(subtree?.ancestors).toEqual([]);
  });
});

describe('audit, decisions, exemptions, outbox', () => {
  it('appends audit entries in order and pages them by cursor', async () => {
    const entries = Array.from({ length: 7 }, (_, i) => ({
      accountId: 'au-1',
      kind: 'alert' as const,
      actor: 'rule:x',
      at: now.toISOString(),
      note: `n${i}`,
      evidence: { i },
    }));
    await appendAudit(fresh.db, entries);
    const first = await listAudit(fresh.db, 'au-1', { limit: 4 });
    const second = await listAudit(fresh.db, 'au-1', { limit: 4, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((e) => e.note)).toEqual(entries.map((e) => e.note));
    expect(second.nextCursor).toBeNull();
    expect(first.items[2]).toMatchObject({ kind: 'alert', actor: 'rule:x', evidence: { i: 2 }, holdId: null, at: now.toISOString() });
  });

  it('keeps one pending decision per account, reason and source, and decides it once', async () => {
    const d: Decision = {
      id: 'd-1', accountId: 'de-1', reason: 'fraud', source: 'rule:burst', evidence: { calls: 12 }, note: null,
      state: 'pending', createdAt: now.toISOString(), decidedAt: null, decidedBy: null,
    };
    expect(await insertDecisions(fresh.db, [d])).toEqual(['d-1']);
    expect(await insertDecisions(fresh.db, [{ ...d, id: 'd-2' }])).toEqual([]);
    expect((await listDecisions(fresh.db)).items.map((x) => x.id)).toContain('d-1');
    const decided = { ...d, state: 'rejected' as const, decidedAt: now.toISOString(), decidedBy: 'operator:op-1' };
    expect(await setDecisionState(fresh.db, decided)).toBe(true);
    expect(await setDecisionState(fresh.db, decided)).toBe(false);
    expect(await getDecision(fresh.db, 'd-1')).toEqual(decided);
  });

  it('approving a review decision places its hold with the decision source and queues the email', async () => {
    await upsertAccounts(fresh.db, [account('ap-1', 'customer', null)]);
    const opened = await withTransition(
      fresh.db,
      { kind: 'suspend', accountId: 'ap-1', actor: { kind: 'system', source: 'rule:burst' }, reason: 'fraud', source: 'rule:burst', mode: 'review' },
      { now },
    );
    expect(opened.decisionsOpened).toHaveLength(1);
    expect(await countRows(fresh.db, 'holds', "account_id = 'ap-1'")).toBe(0);
    const out = await withDecision(fresh.db, { action: 'approve', decisionId: opened.decisionsOpened[0]!.id, actor: operator }, { now });
    expect(out.decision.state).toBe('approved');
    expect(out.result.holdsPlaced[0]).toMatchObject({ accountId: 'ap-1', source: 'rule:burst' });
    expect(await countRows(fresh.db, 'outbox', "account_id = 'ap-1' AND kind = 'email'")).toBe(1);
    await expect(
      withDecision(fresh.db, { action: 'reject', decisionId: opened.decisionsOpened[0]!.id, actor: operator }, { now }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('stores, lists and deletes exemptions', async () => {
    await insertExemptions(fresh.db, [
      { id: 'x-1', accountId: 'ex-1', reason: 'fraud', rules: ['burst'], until: '2026-12-01T00:00:00.000Z', note: 'n', createdBy: 'operator:op-1', createdAt: now.toISOString() },
      { id: 'x-2', accountId: 'ex-1', reason: null, rules: null, until: '2026-11-01T00:00:00.000Z', note: null, createdBy: 'operator:op-1', createdAt: now.toISOString() },
    ]);
    expect((await listExemptions(fresh.db, 'ex-1')).map((x) => x.id).sort()).toEqual(['x-1', 'x-2']);
    const active = await listExemptions(fresh.db, 'ex-1', { activeAt: now.toISOString() });
    expect(active).toEqual([expect.objectContaining({ id: 'x-1', rules: ['burst'], until: '2026-12-01T00:00:00.000Z' })]);
    expect((await deleteExemption(fresh.db, 'x-1'))?.id).toBe('x-1');
    expect(await deleteExemption(fresh.db, 'x-1')).toBeNull();
  });

  it('skips an outbox row whose dedupe key was already queued', async () => {
    const row = { accountId: 'ob-1', kind: 'email' as const, payload: { template: 't', accountId: 'ob-1', to: null, data: {} }, dedupeKey: 'k-ob-1' };
    expect(await insertOutbox(fresh.db, [row], now.toISOString())).toEqual(['k-ob-1']);
    expect(await insertOutbox(fresh.db, [row], now.toISOString())).toEqual([]);
    const stored = await fresh.db.query<{ state: string; attempts: number }>("SELECT state, attempts FROM outbox WHERE dedupe_key = 'k-ob-1'");
    expect(stored.rows).toEqual([{ state: 'pending', attempts: 0 }]);
  });
});
