// An ingest worker's side channels, on a real thread and PostgreSQL (no broker needed: batches are handed to the
// worker pipeline as the consumer would): a rules reload reaches the worker, its committed batch's result reaches
// observe() on the main thread (as Kafka set-up counting needs), its commits wake the outbox, and a dead letter of
// its is produced through the main thread's sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { createIngestPipeline } from '../../../src/ingest/create-ingest-pipeline.js';
import type { BatchResult, DeadLetter, RawRecord, Source } from '../../../src/ingest/types.js';
import { createWorkerPipeline, type WorkerPipeline } from '../../../src/ingest/worker-pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { loadRules } from '../../../src/rules-dir.js';
import { cdr } from '../../helpers/traffic.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { DECIDING_RULES_YAML, rulesDir } from './rules.js';
import { cdrToWire } from './wire.js';

const log = createLogger('silent');
let fresh: FreshDatabase;
let pool: WorkerPipeline;
const letters: DeadLetter[] = [];
let wakes = 0;

beforeAll(async () => {
  fresh = await freshDatabase();
  const config = loadConfig({ DATABASE_URL: fresh.url, KAFKA_BROKERS: '127.0.0.1:9092', INGEST_WORKERS: '1', LOG_LEVEL: 'silent', RULES_DIR: rulesDir('fraud: []\n') });
  const rules = await loadRules(config.rulesDir);
  const metrics = new Metrics({ defaultMetrics: false });
  const ruleErrors = new RuleErrors();
  const dlq = { send: async (l: readonly DeadLetter[]) => void letters.push(...l) };
  const local = createIngestPipeline(config, { db: fresh.db, dlq, rules, clock: systemClock, metrics, log, ruleErrors, onCommitted: () => wakes++, budgetBytes: null });
  pool = createWorkerPipeline({ count: 1, local, config, rules, budgetBytes: null, dlq, ruleErrors, onCommitted: () => wakes++, metrics, log });
  await pool.start();
}, 60_000);

afterAll(async () => {
  await pool?.close();
  await fresh?.drop();
});

describe('an ingest worker talks back to the main thread', () => {
  it('takes a rules reload, and its holds, commits and dead letters reach the main thread', async () => {
    const source: Source = { kind: 'cdrs', topicName: 'cdrs-side', partition: 0 };
    const now = Date.now();
    const burst = Array.from({ length: 12 }, (_, i) => cdr({ id: `side-${i}`, accountId: 'cust-side', callee: `+88213000${100 + i}`, startedAt: now - 600_000 + i * 30_000, durationSec: 20 }));
    const records: RawRecord[] = burst.map((c, i) => ({ offset: i, key: Buffer.from('cust-side'), value: Buffer.from(JSON.stringify(cdrToWire(c))), arrivedAtMs: now }));
    records.push({ offset: 12, key: Buffer.from('cust-side'), value: Buffer.from('not json'), arrivedAtMs: now, headers: { 'x-trace': 't-1' } });

    const seen: BatchResult[] = [];
    pool.observe((s, _r, result) => void (s.partition === 0 && seen.push(result)));
    pool.setRules(await loadRules(rulesDir(DECIDING_RULES_YAML)));
    expect(await pool.prepare(source)).toBeNull();
    const result = await pool.processBatch(source, records);

    // The burst crossed the warn level (5 calls), then the suspend level (10): a hold, placed under the reloaded rules.
    expect(result.decisions).toEqual([
      expect.objectContaining({ accountId: 'cust-side', ruleId: 'irsf-test', level: 'warn', action: null }),
      expect.objectContaining({ accountId: 'cust-side', ruleId: 'irsf-test', level: 'suspend', action: 'suspend' }),
    ]);
    expect(result.durableOffset).toBe(13);
    expect(result.results[12]).toMatchObject({ outcome: 'rejected' });
    expect(seen).toEqual([result]);
    expect(wakes).toBeGreaterThan(0);
    expect(letters).toHaveLength(1);
    expect(Buffer.isBuffer(letters[0]!.value)).toBe(true);
    expect(letters[0]!.value!.toString()).toBe('not json');
    expect(letters[0]!.headers['x-source-topic']).toBe('cdrs-side');
    const { rows } = await fresh.db.query<{ source: string }>(`SELECT source FROM holds WHERE account_id = 'cust-side' AND reason = 'fraud'`);
    expect(rows).toEqual([{ source: 'rule:irsf-test' }]);
    expect(pool.sources()).toContainEqual(source);
  }, 60_000);
});
