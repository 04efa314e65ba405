// The status view on the embedded database (PGlite, one process): its own LISTEN sees the NOTIFYs of the
// transactions that change statuses and accounts, so /v1/authorize works without a PostgreSQL server too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { statusMessage } from '../../../src/domain/status.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createStatusView } from '../../../src/status-view/status-view.js';
import { recordStatusChanges } from '../../../src/store/account-status-repo.js';
import type { Database } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { createPgliteDatabase } from '../../../src/store/pglite-database.js';
import { insertAccounts } from '../api/api-fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-view-'));
let db: Database | undefined;
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function eventually(check: () => boolean, ms = 3_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the status view on PGlite', () => {
  it('follows a committed status change and a new account through its own notifications', async () => {
    db = await createPgliteDatabase(dir);
    await migrate(db);
    await insertAccounts(db, [['r1', 'reseller', null]]);
    const view = createStatusView({ db, logger: createLogger('silent'), metrics: new Metrics({ defaultMetrics: false }) });
    await view.start();
    expect(view.readiness()).toEqual({ ready: true, reasons: [] });
    expect(view.lookup('r1')).toMatchObject({ status: 'active' });
    expect(view.lookup('c9')).toBeNull();

    await insertAccounts(db, [['c9', 'channel', 'r1']]);
    await eventually(() => view.lookup('c9') !== null);
    const hold = { id: 'h-1', accountId: 'c9', reason: 'fraud' as const, source: 'operator:ops' as const, evidence: {}, note: null, placedAt: '2026-11-24T21:00:00.000Z', expiresAt: null };
    await db.transaction((tx) =>
      recordStatusChanges(tx, [statusMessage({ accountId: 'c9', type: 'channel', status: 'suspended', holds: [hold], inheritedFrom: [] })], '2026-11-24T21:00:00.000Z'),
    );
    await eventually(() => view.lookup('c9')?.status === 'suspended');
    expect(view.lookup('c9')).toMatchObject({ status: 'suspended', holds: [{ id: 'h-1', reason: 'fraud', source: 'operator:ops' }], inheritedFrom: [] });
    await view.stop();
  }, 120_000);
});
