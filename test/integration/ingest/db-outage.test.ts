import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Queryable } from '../../../src/store/db.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, countingRulesDir, makeTopics, produce, progress, sorted, waitFor } from './harness.js';
import { startInProcess } from './in-process.js';
import { cdrMessage, generateCdrs } from './wire.js';

/** A Database whose every call fails like a refused connection while `down` is set. */
function switchable(db: Database): Database & { down: boolean } {
  const refuse = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const wrap = (q: Queryable): Queryable => ({
    query: (text, params) => (self.down ? Promise.reject(refuse()) : q.query(text, params)),
  });
  const self: Database & { down: boolean } = {
    down: false,
    kind: db.kind,
    query: (text, params) => (self.down ? Promise.reject(refuse()) : db.query(text, params)),
    transaction: (fn) => (self.down ? Promise.reject(refuse()) : db.transaction((tx) => fn(wrap(tx)))),
    close: () => db.close(),
  };
  return self;
}

describe('database outage', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('pauses without committing, says why in readiness, and resumes by itself counting everything once', async () => {
    const brokers = testBrokers();
    const topics = await makeTopics(brokers, 3);
    const db = switchable(fresh.db);
    const cdrs = generateCdrs({ n: 6_000, accounts: 50, startMs: Date.now() - 3_600_000, seed: 9, stepMs: 200 });
    const live = await startInProcess({ db, brokers, topics, groupId: uniqueName('g-outage'), rulesDir: countingRulesDir() });
    await produce(brokers, topics.cdrs, cdrs.slice(0, 3_000).map(cdrMessage));
    await waitFor('first half applied', async () => (await progress(fresh.db, topics.cdrs)) === 3_000, 120_000);

    db.down = true;
    await produce(brokers, topics.cdrs, cdrs.slice(3_000).map(cdrMessage));
    await waitFor('readiness reports the outage', async () => !live.ingest.readiness().ready);
    expect(live.ingest.readiness().reasons.join('\n')).toMatch(/ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await progress(fresh.db, topics.cdrs)).toBe(3_000);

    db.down = false;
    await waitFor('resumed and caught up', async () => (await progress(fresh.db, topics.cdrs)) === 6_000, 60_000);
    await waitFor('ready again', async () => live.ingest.readiness().ready, 30_000);
    await live.stop();
    const expected = new Map<string, number>();
    for (const c of cdrs) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));
    expect(live.ingest.stats().pausedBatches).toBeGreaterThan(0);
  });
});
