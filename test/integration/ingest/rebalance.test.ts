import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, countingRulesDir, makeTopics, produce, progress, sorted, waitFor, type IngestTopics } from './harness.js';
import { startInProcess } from './in-process.js';
import { cdrMessage, generateCdrs } from './wire.js';

describe('rebalance', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('two consumers in one group, one joining mid-stream and then leaving, count as one consumer does', async () => {
    const brokers = testBrokers();
    const topics: IngestTopics = await makeTopics(brokers, 6);
    const rules = countingRulesDir();
    const cdrs = generateCdrs({ n: 40_000, accounts: 300, startMs: Date.now() - 3 * 3_600_000, seed: 21, stepMs: 100 });
    const expected = new Map<string, number>();
    for (const c of cdrs) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    const groupId = uniqueName('g-rebalance');
    const a = await startInProcess({ db: fresh.db, brokers, topics, groupId, rulesDir: rules });
    // Produce in slices so the stream is still flowing while the second member joins and leaves.
    const slices = 8;
    const per = cdrs.length / slices;
    let b: Awaited<ReturnType<typeof startInProcess>> | null = null;
    for (let i = 0; i < slices; i++) {
      await produce(brokers, topics.cdrs, cdrs.slice(i * per, (i + 1) * per).map(cdrMessage));
      if (i === 2) b = await startInProcess({ db: fresh.db, brokers, topics, groupId, rulesDir: rules });
      if (i === 5) {
        await b!.stop();
        b = null;
      }
    }
    await waitFor('every offset checkpointed', async () => (await progress(fresh.db, topics.cdrs)) === cdrs.length, 90_000);
    await a.stop();
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));
  });
});
