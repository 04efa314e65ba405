// The worker pipeline's routing (src/ingest/worker-pipeline.ts), without starting a thread: what is not a Kafka
// partition (HTTP ingest, replay) stays with the main thread's pipeline, a Kafka partition is never run here, and
// readiness names a worker that is not running.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import type { BatchResult, RawRecord, Source } from '../../../src/ingest/types.js';
import { createWorkerPipeline } from '../../../src/ingest/worker-pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';

function fakeLocal(calls: string[]): Pipeline {
  const empty: BatchResult = { results: [], durableOffset: null, skipped: 0 };
  return {
    processBatch: async (s: Source, r: readonly RawRecord[]) => (calls.push(`batch ${s.topicName}:${s.partition} ${r.length}`), empty),
    prepare: async (s) => (calls.push(`prepare ${s.partition}`), 7),
    rebuildFrom: async () => null,
    flush: async (s) => (calls.push(`flush ${s.partition}`), 3),
    flushAll: async () => void calls.push('flushAll'),
    release: async (s) => void calls.push(`release ${s.partition}`),
    reset: async (s) => void calls.push(`reset ${s.partition}`),
    setRules: () => void calls.push('setRules'),
    engineOf: () => null,
    observe: () => () => undefined,
    sources: () => [{ kind: 'cdrs', topicName: 'cdrs', partition: 'http' }],
    memory: { summary: () => ({ budgetBytes: 100, estimatedBytes: 10, dedupeBytes: 2, accountsInMemory: 4, accountsNotSpillable: 0, accountsSpilled: 0, underPressure: false, spills: 0, loads: 0, loadFailures: 0 }), readiness: () => ({ ready: true, reasons: [] }) },
  };
}

describe('routing between the main thread and the ingest workers', () => {
  const config = loadConfig({ DATABASE_URL: 'postgres://u@h/db', KAFKA_BROKERS: 'k:9092', INGEST_WORKERS: '2' });
  const rules = { fraud: [], dunning: [], version: 'v', loadedAt: '2026-11-30T00:00:00Z' };
  const build = (calls: string[]) =>
    createWorkerPipeline({ count: 2, local: fakeLocal(calls), config, rules, budgetBytes: null, dlq: null, ruleErrors: new RuleErrors(), onCommitted: () => {}, metrics: new Metrics({ defaultMetrics: false }), log: createLogger('silent') });

  it('HTTP ingest and replay go to the main thread pipeline', async () => {
    const calls: string[] = [];
    const pool = build(calls);
    const http: Source = { kind: 'cdrs', topicName: 'cdrs', partition: 'http' };
    await pool.processBatch(http, [{ key: null, value: Buffer.from('{}'), arrivedAtMs: 1 }]);
    await pool.processBatch({ kind: 'accounts', topicName: 'accounts', partition: 'replay' }, []);
    expect(await pool.prepare(http)).toBe(7);
    expect(await pool.flush(http)).toBe(3);
    await pool.reset(http);
    expect(calls).toEqual(['batch cdrs:http 1', 'batch accounts:replay 0', 'prepare http', 'flush http', 'reset http']);
    expect(pool.sources()).toEqual([http]);
  });

  it('a Kafka partition is never run on the main thread: with its worker not running the call fails', async () => {
    const calls: string[] = [];
    const pool = build(calls);
    const kafka: Source = { kind: 'cdrs', topicName: 'cdrs', partition: 3 };
    await expect(pool.processBatch(kafka, [])).rejects.toThrow(/ingest worker 1 is not running/);
    expect(pool.engineOf(kafka)).toBeNull();
    expect(calls).toEqual([]);
  });

  it('readiness names each worker not running; the memory summary is the main thread\'s plus the workers\'', () => {
    const pool = build([]);
    expect(pool.memory.readiness()).toEqual({ ready: false, reasons: ['ingest worker 0: not started', 'ingest worker 1: not started'] });
    expect(pool.memory.summary()).toMatchObject({ budgetBytes: 100, accountsInMemory: 4 });
  });
});
