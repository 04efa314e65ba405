// A Kafka batch fetched before its lane reset must not be applied past the offset the lane reloaded at
// (pipeline.ts): rebalance.test.ts lost 729 records once that way, when a batch queued behind a batch that hit a
// checkpoint conflict ran after the lane reloaded, and the records in between were never applied. Without Kafka:
// batches are handed to the pipeline as the consumer would, and the stored per-account counts must be exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import { CheckpointConflictError, type RawRecord, type Source } from '../../../src/ingest/types.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { checkpointCounts, countingRulesDir, sorted } from './harness.js';
import { buildPipeline } from './in-process.js';
import { cdrMessage, generateCdrs } from './wire.js';

const source: Source = { kind: 'cdrs', topicName: 'pg-cdrs', partition: 0 };

describe('a Kafka lane applies records only from where it stands', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('refuses a batch that starts past a reloaded checkpoint, then applies from the checkpoint once positioned', async () => {
    const cdrs = generateCdrs({ n: 400, accounts: 20, startMs: Date.now() - 3_600_000, seed: 5, stepMs: 1_000 });
    const expected = new Map<string, number>();
    for (const c of cdrs) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    const values = cdrs.map((c) => cdrMessage(c).value);
    // Records 300.. sit one offset later: offset 300 holds a transaction marker, which Kafka delivers no record for.
    const batch = (from: number, to: number, shift = 0): RawRecord[] => values.slice(from, to).map((value, k) => ({ offset: from + k + shift, key: null, value, arrivedAtMs: Date.now() }));
    const p: Pipeline = await buildPipeline(fresh.db, countingRulesDir(), { tuning: { checkpointIntervalMs: 0 } });

    expect(await p.prepare(source)).toBeNull();
    await p.processBatch(source, batch(0, 100));
    // The lane resets (as after a failed batch), and a batch fetched before that arrives: it starts at 200, the
    // checkpoint at 100. Refused, naming where to resume; nothing of it is applied.
    await p.reset(source);
    const refused = await p.processBatch(source, batch(200, 300)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CheckpointConflictError);
    expect((refused as CheckpointConflictError).resumeAt).toBe(100);
    // The consumer positions the lane (prepare, then seek to what it returns) and the records follow from there.
    expect(await p.prepare(source)).toBe(100);
    await p.processBatch(source, batch(100, 200));
    await p.processBatch(source, batch(200, 300));
    // A lane that stands where the consumer put it takes a batch that starts past it: offset 300 is a marker.
    await p.processBatch(source, batch(300, 400, 1));
    await p.flushAll();
    expect(sorted(await checkpointCounts(fresh.db, 'pg-cdrs'))).toEqual(sorted(expected));
  });
});
