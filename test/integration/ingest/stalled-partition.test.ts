// Issue 11: a partition that has records waiting but cannot advance is never silent. The database really refuses
// the partition's checkpoint: another session holds an exclusive lock on partition_checkpoints, and this test
// database's lock_timeout turns every wait into SQLSTATE 55P03 (retryable: the partition pauses and retries). After
// STALL_AFTER the partition is named on readiness (/readyz) and suspensiond_partition_stalled is 1; once the lock
// goes, it catches up and both clear.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import type { Database } from '../../../src/store/db.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { countingRulesDir, makeTopics, produce, progress, waitFor } from './harness.js';
import { startInProcess, type InProcess } from './in-process.js';
import { cdrMessage, generateCdrs } from './wire.js';

describe('a stalled partition', () => {
  let fresh: FreshDatabase;
  let db: Database;
  let live: InProcess | undefined;

  beforeAll(async () => {
    fresh = await freshDatabase();
    await fresh.db.query(`ALTER DATABASE "${fresh.name}" SET lock_timeout = '300ms'`);
    db = createPgDatabase(fresh.url, { max: 4 });
  });
  afterAll(async () => {
    await live?.stop();
    await db.close();
    await fresh.drop();
  });

  it('shows on readiness and in suspensiond_partition_stalled while it cannot advance, and clears when it does', async () => {
    const brokers = testBrokers();
    const topics = await makeTopics(brokers, 1);
    const cdrs = generateCdrs({ n: 1_000, accounts: 20, startMs: Date.now() - 3_600_000, seed: 5, stepMs: 200 });
    live = await startInProcess({ db, brokers, topics, groupId: uniqueName('g-stall'), rulesDir: countingRulesDir(), consumer: { stallAfterMs: 1_500, lagIntervalMs: 250 } });
    await produce(brokers, topics.cdrs, cdrs.slice(0, 500).map(cdrMessage));
    await waitFor('first half applied', async () => (await progress(fresh.db, topics.cdrs)) === 500, 60_000);
    const gauge = `suspensiond_partition_stalled{topic="${topics.cdrs}",partition="0"}`;
    await waitFor('the partition is sampled as not stalled', async () => (await live!.metrics.render()).includes(`${gauge} 0`), 20_000);

    const locker = new pg.Client({ connectionString: fresh.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE partition_checkpoints IN ACCESS EXCLUSIVE MODE');
      await produce(brokers, topics.cdrs, cdrs.slice(500).map(cdrMessage));
      await waitFor('readiness names the stalled partition', async () => live!.ingest.readiness().reasons.some((r) => r.includes(`${topics.cdrs}:0 stalled`)), 30_000, 100);
      await waitFor('the gauge says so at the next sample', async () => (await live!.metrics.render()).includes(`${gauge} 1`), 5_000, 50);
      expect(live.ingest.stats().pausedBatches).toBeGreaterThan(0);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }

    await waitFor('caught up', async () => (await progress(fresh.db, topics.cdrs)) === 1_000, 60_000);
    await waitFor('no longer stalled', async () => live!.ingest.readiness().ready && (await live!.metrics.render()).includes(`${gauge} 0`), 30_000);
  }, 120_000);
});
