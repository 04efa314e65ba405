// Issue 11: a record that decodes but then fails -- in PostgreSQL or in its own path -- is dead-lettered alone, on
// the real broker and database, and its partition goes on. Two such records among 10,000 good CDRs:
// - a CDR whose account id holds U+0000 (the decoders let it through on main; PostgreSQL refuses it when its
//   profile is read). If the decoders learn to reject it, it is still exactly one dead letter;
// - a CDR that crosses a suspend level for an account the test database refuses holds for (a CHECK constraint
//   added to this test's own database: a real database failure, not a mock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createKafka, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { cdr } from '../../helpers/traffic.js';
import { COUNTING_RULES_YAML } from './counting-engine.js';
import { checkpointCounts, makeTopics, produce, progress, sorted, waitFor, type IngestTopics } from './harness.js';
import { startInProcess, type InProcess } from './in-process.js';
import { rulesDir } from './rules.js';
import { cdrMessage, cdrToWire, generateCdrs, type WireMessage } from './wire.js';

/** One call to +882 crosses the level: the hold is the database write the CHECK constraint refuses for `doomed`. */
const ONE_CALL_SUSPENDS = `fraud:
  - id: irsf-one
    description: a single call to the +882 shared range suspends
    mode: enforce
    match: { calleePrefixes: ["+882"] }
    measure: calls
    window: 10m
    suspend: 1
    cooldown: 1h
`;

const count = async (f: FreshDatabase, sql: string): Promise<number> => Number((await f.db.query<{ n: string }>(sql)).rows[0]!.n);

describe('a record that fails after decoding', () => {
  let brokers: string[];
  let topics: IngestTopics;
  let fresh: FreshDatabase;
  let worker: InProcess | undefined;

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
    fresh = await freshDatabase();
    await fresh.db.query(`ALTER TABLE holds ADD CONSTRAINT test_no_holds_for_doomed CHECK (account_id <> 'doomed')`);
  });
  afterAll(async () => {
    await worker?.stop();
    await fresh.drop();
  });

  it('ends as exactly two dead letters among 10,000 good CDRs, which all count once, and the partition never pauses', async () => {
    const start = Date.now() - 3_600_000;
    const good = generateCdrs({ n: 10_000, accounts: 60, startMs: start, seed: 11, stepMs: 100 });
    const fraud = cdr({ id: 'fraud-call', accountId: 'fraudster', callee: '+88213000001', startedAt: start + 500_000, durationSec: 60 });
    const doomed = cdr({ id: 'doomed-call', accountId: 'doomed', callee: '+88213000002', startedAt: start + 500_100, durationSec: 60 });
    const nulValue = Buffer.from(JSON.stringify({ ...cdrToWire(good[0]!), id: 'nul-call', accountId: 'nul\u0000account' }));
    const nul: WireMessage = { key: Buffer.from('nul'), value: nulValue };
    const doomedMessage = cdrMessage(doomed);
    const messages = good.map(cdrMessage);
    messages.splice(3_000, 0, nul);
    messages.splice(5_000, 0, cdrMessage(fraud));
    messages.splice(7_000, 0, doomedMessage);
    await produce(brokers, topics.cdrs, messages);

    worker = await startInProcess({ db: fresh.db, brokers, topics, groupId: uniqueName('g-fail'), rulesDir: rulesDir(COUNTING_RULES_YAML, ONE_CALL_SUSPENDS) });
    await waitFor('every record checkpointed', async () => (await progress(fresh.db, topics.cdrs)) === messages.length, 60_000, 250);

    // Exactly the two, each with its bytes and a reason.
    const letters = await fresh.db.query<{ value: Buffer; error: string }>('SELECT value, error FROM dead_letters ORDER BY error');
    expect(letters.rows.map((r) => r.value.toString('base64')).sort()).toEqual([nulValue.toString('base64'), doomedMessage.value.toString('base64')].sort());
    expect(letters.rows.find((r) => r.value.equals(doomedMessage.value))!.error).toMatch(/test_no_holds_for_doomed/);
    expect(letters.rows.find((r) => r.value.equals(nulValue))!.error).toMatch(/accountId/);

    // The good hold in the same stream was placed; the refused one was not.
    expect(await count(fresh, `SELECT count(*)::text AS n FROM holds WHERE account_id = 'fraudster'`)).toBe(1);
    expect(await count(fresh, `SELECT count(*)::text AS n FROM holds WHERE account_id = 'doomed'`)).toBe(0);

    // Every good record counted exactly once (the engine saw the doomed CDR once too; its effect is the letter).
    await worker.pipeline.flushAll();
    const expected = new Map<string, number>([['fraudster', 1], ['doomed', 1]]);
    for (const c of good) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));

    // The partition never paused, and the DLQ topic got the two letters.
    expect(worker.ingest.stats().pausedBatches).toBe(0);
    expect(worker.ingest.readiness()).toEqual({ ready: true, reasons: [] });
    expect(await worker.metrics.render()).toMatch(new RegExp(`suspensiond_events_total\\{topic="cdrs",outcome="rejected"\\} 2\\b`));
    const admin = createKafka(brokers).admin();
    await admin.connect();
    const dlq = await admin.fetchTopicOffsets(topics.dlq);
    await admin.disconnect();
    expect(dlq.reduce((n, p) => n + Number(p.high), 0)).toBe(2);
  }, 90_000);
});
