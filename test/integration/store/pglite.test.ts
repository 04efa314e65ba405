// The embedded default (issue 2 item 4): the same migrations and SQL run on PGlite in $DATA_DIR/pg, and a reopened
// database finds its data again.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase } from '../../../src/store/pglite-database.js';
import { openDatabase } from '../../../src/store/open-database.js';
import { migrate, loadMigrations } from '../../../src/store/migrate.js';
import { withTransition } from '../../../src/store/transitions.js';
import { getAccountStatus } from '../../../src/store/account-status-repo.js';
import { listAccounts } from '../../../src/store/accounts-repo.js';
import { listHoldsOf } from '../../../src/store/holds-repo.js';
import { countRows, seedChannel, suspendCmd } from './fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('PGlite (embedded)', () => {
  it('migrates, runs a transition, and finds its data again after close and reopen', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'suspensiond-pglite-'));
    dirs.push(dataDir);
    const names = (await loadMigrations()).map((m) => m.name);

    const db = await openDatabase({ dataDir });
    expect(db.kind).toBe('pglite');
    expect((await stat(path.join(dataDir, 'pg'))).isDirectory()).toBe(true);
    expect((await migrate(db)).applied).toEqual(names);
    const { channel, customers } = await seedChannel(db, 20, 'p-');
    const now = new Date('2026-11-24T21:09:16.000Z');
    const result = await withTransition(db, suspendCmd(channel), { now });
    expect(result.statusMessages).toHaveLength(21);
    // A repeat is idempotent on PGlite too.
    expect((await withTransition(db, suspendCmd(channel), { now })).changed).toBe(false);
    const page = await listAccounts(db, { status: 'suspended', q: 'P-C1-CUST-01' });
    expect(page.items.map((a) => a.id)).toEqual(customers.slice(9, 19));
    await db.close();

    const again = await createPgliteDatabase(dataDir);
    try {
      expect((await migrate(again)).applied).toEqual([]);
      const holds = await listHoldsOf(again, [channel]);
      expect(holds).toHaveLength(1);
      expect(holds[0]).toMatchObject({ accountId: channel, reason: 'fraud', source: 'operator:op-1', placedAt: now.toISOString() });
      const status = await getAccountStatus(again, customers[0]!);
      expect(status?.status).toMatchObject({ status: 'suspended', inheritedFrom: [channel], version: 1 });
      expect(await countRows(again, 'outbox', "kind = 'status'")).toBe(21);
      expect(await countRows(again, 'outbox', "kind = 'email'")).toBe(1);
    } finally {
      await again.close();
    }
    // A first open runs initdb inside WebAssembly: 10-30 s on a loaded 2-core machine.
  }, 300_000);
});
