// The batches of one fetch are processed side by side (kafka-consumer.ts `concurrency`): kafkajs fetches again only
// when every batch of its last fetch is done, so partitions processed a few at a time made a CDR that just missed a
// fetch wait for every round (bench/README.md, Ingest, decision latency). Here the first batch of each of the six
// CDR partitions waits until all six are in the pipeline at once: with three at a time that never happens.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, countingRulesDir, makeTopics, produce, progress, sorted, waitFor } from './harness.js';
import { buildPipeline } from './in-process.js';
import { cdrMessage, generateCdrs } from './wire.js';

describe('partitions side by side', () => {
  let fresh: FreshDatabase;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await fresh.drop();
  });

  it('the six partitions of one fetch are all in the pipeline at once, and every CDR is counted once', async () => {
    const brokers = testBrokers();
    const topics = await makeTopics(brokers, 6);
    const cdrs = generateCdrs({ n: 3_000, accounts: 120, startMs: Date.now() - 3_600_000, seed: 5, stepMs: 100 });
    const expected = new Map<string, number>();
    for (const c of cdrs) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    await produce(brokers, topics.cdrs, cdrs.map(cdrMessage));
    const inner = await buildPipeline(fresh.db, countingRulesDir());
    // Each partition's first batch waits (at most 10 s) until all six partitions have a batch in the pipeline.
    const inFlight = new Set<number>();
    let most = 0;
    let allIn: () => void = () => {};
    const allInside = new Promise<void>((resolve) => (allIn = resolve));
    const seen = new Set<number>();
    const pipeline: Pipeline = Object.create(inner) as Pipeline;
    pipeline.processBatch = async (source, records) => {
      const p = source.partition as number;
      if (source.kind !== 'cdrs' || seen.has(p)) return inner.processBatch(source, records);
      seen.add(p);
      inFlight.add(p);
      most = Math.max(most, inFlight.size);
      if (inFlight.size === 6) allIn();
      await Promise.race([allInside, new Promise((r) => setTimeout(r, 10_000))]);
      inFlight.delete(p);
      return inner.processBatch(source, records);
    };
    const ingest = createKafkaIngest({
      kafka: () => new Kafka({ clientId: 'side-by-side', brokers, logLevel: logLevel.NOTHING }),
      groupId: uniqueName('g-side'),
      topics,
      pipeline,
      log: createLogger('silent'),
      metrics: new Metrics({ defaultMetrics: false }),
      flushIntervalMs: 200,
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 500,
    });
    await ingest.start();
    try {
      await waitFor('every offset checkpointed', async () => (await progress(fresh.db, topics.cdrs)) === cdrs.length, 60_000);
    } finally {
      await ingest.stop();
    }
    expect(most).toBe(6);
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));
  });
});
