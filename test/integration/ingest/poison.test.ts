import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { createKafka, testBrokers, uniqueName } from '../../helpers/kafka.js';
import { checkpointCounts, countingRulesDir, makeTopics, produce, progress, sorted, waitFor, type IngestTopics } from './harness.js';
import { startInProcess, type InProcess } from './in-process.js';
import { cdrMessage, cdrToWire, generateCdrs, type WireMessage } from './wire.js';

interface Poison extends WireMessage {
  topic: 'cdrs' | 'invoices';
  /** The failing field path the x-error header must name. */
  field: string;
}

/** The eight poison kinds, each value unique (it carries its index). */
function poison(i: number, valid: Record<string, unknown>): Poison {
  const key = Buffer.from(`poison-${i % 50}`);
  const json = (o: unknown) => Buffer.from(JSON.stringify(o));
  switch (i % 8) {
    case 0: return { topic: 'cdrs', key, value: Buffer.from(`{"id":"p-${i}","accountId":`), field: 'value' };
    case 1: return { topic: 'cdrs', key, value: Buffer.concat([Buffer.from(`{"id":"p-${i}","x":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]), field: 'value' };
    case 2: return { topic: 'cdrs', key, value: json({ ...valid, id: `p-${i}`, durationSec: 'long' }), field: 'durationSec' };
    case 3: return { topic: 'cdrs', key, value: json({ ...valid, id: `p-${i}`, callee: undefined }), field: 'callee' };
    case 4: return { topic: 'cdrs', key, value: json({ ...valid, id: `p-${i}`, cost: '-1.50' }), field: 'cost' };
    case 5: return { topic: 'cdrs', key, value: json({ ...valid, id: `p-${i}`, startedAt: '1970-01-01T00:00:00Z', answeredAt: undefined, endedAt: undefined }), field: 'startedAt' };
    case 6:
      // Oversized values are few (they are heavy): two of 1 MB, eighteen just over the 64 KB limit; the other
      // slots of this kind carry a wrong-typed direction instead.
      if (i >= 160) return { topic: 'cdrs', key, value: json({ ...valid, id: `p-${i}`, direction: 5 }), field: 'direction' };
      return { topic: 'cdrs', key, value: Buffer.concat([Buffer.from(`{"id":"p-${i}","pad":"`), Buffer.alloc(i < 20 ? 1_000_000 : 70_000, 0x61), Buffer.from('"}')]), field: 'value' };
    default:
      return { topic: 'invoices', key, field: 'type', value: json({ id: `p-${i}`, type: 'refunded', invoiceId: 'INV-1', accountId: 'acct-1', currency: 'GBP', outstanding: '1.00', occurredAt: new Date().toISOString() }) };
  }
}

describe('poison messages', () => {
  let brokers: string[];
  let topics: IngestTopics;
  let fresh: FreshDatabase;
  let worker: InProcess;

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    await worker?.stop();
    await fresh.drop();
  });

  it('dead-letters 10,000 malformed records byte for byte, processes every valid one, and never restarts', async () => {
    const valid = generateCdrs({ n: 10_000, accounts: 100, startMs: Date.now() - 3_600_000, seed: 3, stepMs: 100 });
    const template = cdrToWire(valid[0]!);
    const bad = Array.from({ length: 10_000 }, (_, i) => poison(i, template));
    // Interleave: valid and malformed alternate on the cdrs topic; the unknown invoice types go to invoices.
    const cdrTopic: WireMessage[] = [];
    const badCdrs = bad.filter((p) => p.topic === 'cdrs');
    for (let i = 0; i < Math.max(valid.length, badCdrs.length); i++) {
      if (i < valid.length) cdrTopic.push(cdrMessage(valid[i]!));
      if (i < badCdrs.length) cdrTopic.push(badCdrs[i]!);
    }
    await produce(brokers, topics.cdrs, cdrTopic);
    await produce(brokers, topics.invoices, bad.filter((p) => p.topic === 'invoices'));

    worker = await startInProcess({ db: fresh.db, brokers, topics, groupId: uniqueName('g-poison'), rulesDir: countingRulesDir() });
    await waitFor('every record checkpointed', async () => {
      const p = await progress(fresh.db, topics.cdrs);
      if (process.env.INGEST_LOG) console.log(p, cdrTopic.length, worker.ingest.readiness(), worker.ingest.stats());
      return p === cdrTopic.length;
    }, 120_000, 1000);
    await waitFor('invoice poison stored', async () => Number((await fresh.db.query<{ n: string }>('SELECT count(*)::text AS n FROM dead_letters')).rows[0]!.n) === 10_000, 30_000);

    // Every valid record counted exactly once (the engine state is stored every 30 s, or now on a flush).
    await worker.pipeline.flushAll();
    const expected = new Map<string, number>();
    for (const c of valid) expected.set(c.accountId, (expected.get(c.accountId) ?? 0) + 1);
    expect(sorted(await checkpointCounts(fresh.db, topics.cdrs))).toEqual(sorted(expected));

    // The DLQ topic holds every malformed record with its original key and value bytes and the x-* headers.
    const byValue = new Map(bad.map((p) => [p.value.toString('base64'), p]));
    const seen = new Map<string, { topic: string; error: string }>();
    const consumer = createKafka(brokers).consumer({ groupId: uniqueName('g-dlq-reader'), maxBytesPerPartition: 4 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    const problems: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        const p = byValue.get(message.value!.toString('base64'));
        const h = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        if (!p) return void problems.push('a DLQ value matches no produced record');
        if (!message.key?.equals(p.key)) problems.push('key changed');
        const topic = p.topic === 'cdrs' ? topics.cdrs : topics.invoices;
        if (h['x-source-topic'] !== topic) problems.push(`x-source-topic ${h['x-source-topic']}`);
        if (!/^\d+$/.test(h['x-source-partition'] ?? '') || !/^\d+$/.test(h['x-source-offset'] ?? '')) problems.push('x-source-partition/offset');
        if (!h['x-error']?.startsWith(`${p.field}: `)) problems.push(`x-error "${h['x-error']}" does not name ${p.field}`);
        seen.set(`${h['x-source-topic']}/${h['x-source-partition']}/${h['x-source-offset']}`, { topic, error: h['x-error']! });
      },
    });
    await waitFor('10,000 dead letters on the DLQ topic', async () => seen.size >= 10_000, 60_000);
    await consumer.disconnect();
    expect(problems.slice(0, 5)).toEqual([]);
    expect(seen.size).toBe(10_000);

    // The stored dead letters keep the bytes too.
    const stored = await fresh.db.query<{ value: Buffer; error: string }>("SELECT value, error FROM dead_letters WHERE error LIKE 'value: too large%' ORDER BY length(value) DESC LIMIT 2");
    expect(stored.rows.map((r) => r.value.length)).toEqual([1_000_000 + Buffer.byteLength('{"id":"p-6","pad":""}'), 1_000_000 + Buffer.byteLength('{"id":"p-14","pad":""}')].sort((a, b) => b - a));
    expect(byValue.has(stored.rows[0]!.value.toString('base64'))).toBe(true);

    expect(worker.ingest.stats()).toEqual({ crashes: 0, rebuilds: 0, pausedBatches: 0 });
    expect(worker.ingest.readiness()).toEqual({ ready: true, reasons: [] });
  });
});
