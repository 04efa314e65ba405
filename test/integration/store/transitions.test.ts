// executeTransition / withTransition on real PostgreSQL: one transition is one transaction, descendants' statuses
// are versioned and queued, and concurrent identical suspensions are idempotent.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { executeTransition, withTransition } from '../../../src/store/transitions.js';
import { getAccountStatus } from '../../../src/store/account-status-repo.js';
import { listAudit } from '../../../src/store/audit-repo.js';
import { DomainError } from '../../../src/domain/errors.js';
import { activateCmd, countRows, seedChannel, suspendCmd } from './fixtures.js';

const fresh = databaseForFile();

const now = new Date('2026-11-24T21:09:16.000Z');

describe('transitions on PostgreSQL', () => {
  it('suspending a channel with 50 customers writes 51 status outbox rows, one hold and one email', async () => {
    const { channel, customers } = await seedChannel(fresh.db, 50, 'a-');
    const result = await withTransition(fresh.db, suspendCmd(channel), { now });
    expect(result.changed).toBe(true);
    expect(result.statusMessages).toHaveLength(51);
    expect(await countRows(fresh.db, 'holds', 'account_id = $1', [channel])).toBe(1);
    expect(await countRows(fresh.db, 'outbox', "kind = 'status' AND account_id LIKE 'a-%'")).toBe(51);
    expect(await countRows(fresh.db, 'outbox', "kind = 'email' AND account_id LIKE 'a-%'")).toBe(1);
    // The direct customer of the reseller is not under the channel: untouched.
    expect(await countRows(fresh.db, 'outbox', "account_id = 'a-r1-direct'")).toBe(0);

    const child = await getAccountStatus(fresh.db, customers[7]!);
    expect(child?.version).toBe(1);
    expect(child?.status).toMatchObject({
      accountId: customers[7],
      type: 'customer',
      status: 'suspended',
      holds: [],
      inheritedFrom: [channel],
      outboundCalls: 'blocked',
      portalAccess: 'blocked',
      inboundCalls: 'allowed',
      billing: 'continues',
      version: 1,
      changedAt: now.toISOString(),
    });
    const email = await fresh.db.query<{ payload: Record<string, unknown>; dedupe_key: string }>(
      "SELECT payload, dedupe_key FROM outbox WHERE kind = 'email' AND account_id = $1",
      [channel],
    );
    expect(email.rows[0]!.payload).toMatchObject({ template: 'suspension-fraud', accountId: channel });
    // The recipient is resolved from the account as stored when the email is sent, never frozen into the row.
    expect(email.rows[0]!.payload).not.toHaveProperty('to');
    expect(email.rows[0]!.dedupe_key).toBe(result.emails[0]!.dedupeKey);
    const statusRow = await fresh.db.query<{ dedupe_key: string; payload: { version: number } }>(
      "SELECT dedupe_key, payload FROM outbox WHERE kind = 'status' AND account_id = $1",
      [channel],
    );
    expect(statusRow.rows[0]!.dedupe_key).toBe(`status:${channel}:1`);
    expect(statusRow.rows[0]!.payload.version).toBe(1);
  });

  it('activating the channel restores its customers except one with a hold of its own, bumping versions', async () => {
    const { channel, customers } = await seedChannel(fresh.db, 5, 'b-');
    const held = customers[2]!;
    await withTransition(fresh.db, suspendCmd(held, 'non_payment'), { now });
    await withTransition(fresh.db, suspendCmd(channel), { now });
    const later = new Date(now.getTime() + 60_000);
    const result = await withTransition(fresh.db, activateCmd(channel), { now: later });
    expect(result.holdsLifted).toHaveLength(1);
    expect(await countRows(fresh.db, 'holds', "account_id LIKE 'b-%'")).toBe(1);
    const restored = await getAccountStatus(fresh.db, customers[0]!);
    expect(restored?.version).toBe(2);
    expect(restored?.status.status).toBe('active');
    const stillHeld = await getAccountStatus(fresh.db, held);
    expect(stillHeld?.status.status).toBe('suspended');
    expect(stillHeld?.status.inheritedFrom).toEqual([]);
    expect(stillHeld?.version).toBe(3);
    expect(await countRows(fresh.db, 'outbox', "kind = 'status' AND dedupe_key = $1", [`status:${customers[0]}:2`])).toBe(1);
    const audit = await listAudit(fresh.db, channel);
    expect(audit.items.map((e) => e.kind)).toEqual(['hold_placed', 'hold_lifted']);
  });

  it("a transition's holds, audit, status and outbox rows commit together or not at all", async () => {
    const { channel } = await seedChannel(fresh.db, 3, 'c-');
    const before = {
      holds: await countRows(fresh.db, 'holds'),
      audit: await countRows(fresh.db, 'audit'),
      outbox: await countRows(fresh.db, 'outbox'),
      status: await countRows(fresh.db, 'account_status'),
    };
    await expect(
      fresh.db.transaction(async (tx) => {
        const r = await executeTransition(tx, suspendCmd(channel), { now });
        expect(r.statusMessages).toHaveLength(4);
        throw new Error('crash after the transition, before commit');
      }),
    ).rejects.toThrow('crash after the transition');
    expect({
      holds: await countRows(fresh.db, 'holds'),
      audit: await countRows(fresh.db, 'audit'),
      outbox: await countRows(fresh.db, 'outbox'),
      status: await countRows(fresh.db, 'account_status'),
    }).toEqual(before);
  });

  it('five concurrent identical suspensions leave one hold, one email and one status version', async () => {
    const { channel } = await seedChannel(fresh.db, 10, 'd-');
    const results = await Promise.all(Array.from({ length: 5 }, () => withTransition(fresh.db, suspendCmd(channel), { now })));
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await countRows(fresh.db, 'holds', 'account_id = $1', [channel])).toBe(1);
    expect(await countRows(fresh.db, 'outbox', "kind = 'email' AND account_id = $1", [channel])).toBe(1);
    expect((await getAccountStatus(fresh.db, channel))?.version).toBe(1);
    expect(await countRows(fresh.db, 'audit', "account_id = $1 AND kind = 'hold_placed'", [channel])).toBe(1);
  });

  it('concurrent suspensions of a channel and of its customers all commit, without deadlock', async () => {
    const { channel, customers } = await seedChannel(fresh.db, 8, 'e-');
    await Promise.all([
      withTransition(fresh.db, suspendCmd(channel), { now }),
      ...customers.map((c) => withTransition(fresh.db, suspendCmd(c, 'non_payment'), { now })),
    ]);
    expect(await countRows(fresh.db, 'holds', "account_id LIKE 'e-%'")).toBe(9);
    for (const c of customers) {
      const s = await getAccountStatus(fresh.db, c);
      expect(s?.status).toMatchObject({ status: 'suspended', inheritedFrom: [channel] });
      expect(s?.status.holds).toHaveLength(1);
    }
  });

  it('an unknown account answers not_found and writes nothing', async () => {
    const outbox = await countRows(fresh.db, 'outbox');
    const err = await withTransition(fresh.db, suspendCmd('nobody'), { now }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('not_found');
    expect(await countRows(fresh.db, 'outbox')).toBe(outbox);
  });
});
