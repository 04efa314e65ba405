import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, countingRulesDir, makeTopics, produce, progress, sorted, startWorker, waitFor, type IngestTopics } from './harness.js';
import { cdrMessage, generateCdrs } from './wire.js';

const TOTAL = 100_000;

describe('kill and restart', () => {
  let brokers: string[];
  let topics: IngestTopics;
  let rulesDir: string;
  let expected: Map<string, number>;
  const dbs: FreshDatabase[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 6);
    rulesDir = countingRulesDir();
    const cdrs = generateCdrs({ n: TOTAL, accounts: 400, startMs: Date.now() - 3 * 3_600_000, seed: 7, stepMs: 60 });
    expected = new Map();
    for (const c of cdrs) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    await produce(brokers, topics.cdrs, cdrs.map(cdrMessage));
  });
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  async function run(kills: number): Promise<{ counts: Map<string, number>; killedAt: number[] }> {
    const fresh = await freshDatabase();
    dbs.push(fresh);
    const env = { databaseUrl: fresh.url, brokers, groupId: uniqueName('g-kill'), topics, rulesDir };
    const killedAt: number[] = [];
    for (let k = 0; k < kills; k++) {
      const w = await startWorker(env);
      await w.ready;
      const from = await progress(fresh.db, topics.cdrs);
      // Kill mid-stream: once this incarnation has durably applied some records, but long before the end.
      await waitFor('progress before a kill', async () => (await progress(fresh.db, topics.cdrs)) >= Math.min(from + 8_000, TOTAL - 20_000), 90_000, 20);
      w.child.kill('SIGKILL');
      await w.exited;
      killedAt.push(await progress(fresh.db, topics.cdrs));
    }
    const w = await startWorker(env);
    await w.ready;
    await waitFor('every offset checkpointed', async () => (await progress(fresh.db, topics.cdrs)) === TOTAL, 120_000, 100);
    w.child.kill('SIGTERM');
    const exit = await w.exited;
    expect(exit.code, `worker exit ${JSON.stringify(exit)}; its stderr:\n${w.stderr()}`).toBe(0);
    return { counts: await checkpointCounts(fresh.db, topics.cdrs), killedAt };
  }

  it('counts every one of 100,000 CDRs exactly once across three SIGKILLs, as a run without kills does', async () => {
    const killed = await run(3);
    expect(killed.killedAt).toHaveLength(3);
    for (const at of killed.killedAt) expect(at, `killed at ${killed.killedAt.join(', ')}`).toBeLessThan(TOTAL);
    const clean = await run(0);
    expect(sorted(killed.counts)).toEqual(sorted(expected));
    expect(sorted(clean.counts)).toEqual(sorted(expected));
  }, 300_000);
});
