// A hung or failing ingest worker, on a real thread and PostgreSQL (no broker: batches are handed to the worker
// pipeline as the consumer would). A batch in flight when the worker's loop blocks is refused as a checkpoint
// conflict once its heartbeat has been silent for INGEST_WORKER_HUNG_AFTER, exactly as if the worker had died; its
// partition is refused until positioned again; the replacement evaluates the batch; and the restart is counted with
// its reason (hung; error for a worker that throws). Test hooks are refused by a pool built without them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createIngestPipeline } from '../../../src/ingest/create-ingest-pipeline.js';
import { CheckpointConflictError, type RawRecord, type Source } from '../../../src/ingest/types.js';
import { createWorkerPipeline, type WorkerPipeline } from '../../../src/ingest/worker-pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { loadRules } from '../../../src/rules-dir.js';
import type { RuleSet } from '../../../src/rules/types.js';
import { cdr } from '../../helpers/traffic.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { waitFor } from './harness.js';
import { DECIDING_RULES_YAML, rulesDir } from './rules.js';
import { cdrToWire } from './wire.js';

const log = createLogger('silent');
let fresh: FreshDatabase;
let config: Config;
let rules: RuleSet;
const pools: WorkerPipeline[] = [];

function build(metrics: Metrics, testHooks: boolean): WorkerPipeline {
  const ruleErrors = new RuleErrors();
  const local = createIngestPipeline(config, { db: fresh.db, dlq: null, rules, clock: systemClock, metrics, log, ruleErrors, onCommitted: () => {}, budgetBytes: null });
  const pool = createWorkerPipeline({ count: 1, local, config, rules, budgetBytes: null, dlq: null, ruleErrors, onCommitted: () => {}, metrics, log, restartDelayMs: 200, testHooks });
  pools.push(pool);
  return pool;
}

beforeAll(async () => {
  fresh = await freshDatabase();
  config = loadConfig({ DATABASE_URL: fresh.url, KAFKA_BROKERS: '127.0.0.1:9092', INGEST_WORKERS: '1', LOG_LEVEL: 'silent', RULES_DIR: rulesDir(DECIDING_RULES_YAML), INGEST_WORKER_HUNG_AFTER: '1s', INGEST_WORKER_CALL_DEADLINE: '30s' });
  rules = await loadRules(config.rulesDir);
}, 60_000);

afterAll(async () => {
  for (const pool of pools) await pool.close();
  await fresh?.drop();
});

const restarts = async (m: Metrics) => Object.fromEntries([...(await m.render()).matchAll(/^suspensiond_ingest_worker_restarts_total\{reason="(\w+)"\} (\d+)$/gm)].map((r) => [r[1], Number(r[2])]));

describe('a hung or failing ingest worker', () => {
  it('a batch in flight when the loop blocks is refused as a checkpoint conflict; the replacement evaluates it', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const pool = build(metrics, true);
    await pool.start();
    const source: Source = { kind: 'cdrs', topicName: 'cdrs-hung', partition: 0 };
    const now = Date.now();
    const records: RawRecord[] = Array.from({ length: 12 }, (_, i) => {
      const c = cdr({ id: `hung-${i}`, accountId: 'cust-hung', callee: `+88213000${100 + i}`, startedAt: now - 600_000 + i * 30_000, durationSec: 20 });
      return { offset: i, key: Buffer.from('cust-hung'), value: Buffer.from(JSON.stringify(cdrToWire(c))), arrivedAtMs: now };
    });
    expect(await pool.prepare(source)).toBeNull();

    const first = pool.threads()[0];
    const started = Date.now();
    pool.testHook(0, 'block-loop');
    const inFlight = pool.processBatch(source, records);
    await expect(inFlight).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(inFlight).rejects.toThrow(/ingest worker 0 stopped \(hung: no heartbeat for \d+\.\d s; terminated\)/);
    // Seen after about a second of silence (the last beat seen may precede the hook by a beat and a look, 200 + 250 ms
    // here), and not long after.
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(500);
    expect(waited).toBeLessThan(5_000);
    expect(pool.memory.readiness().reasons).toEqual([expect.stringMatching(/^ingest worker 0: (restarting after )?hung: no heartbeat/)]);
    expect(await restarts(metrics)).toEqual({ exit: 0, error: 0, hung: 1 });
    // Until the consumer positions it again, the partition's next batch is refused the same way.
    await expect(pool.processBatch(source, records)).rejects.toBeInstanceOf(CheckpointConflictError);

    await waitFor('the replacement up', async () => pool.memory.readiness().ready, 20_000, 20);
    expect(pool.threads()[0]).not.toBe(first);
    // terminate() reached the blocked thread (Atomics.wait does not hold it): it ended.
    await waitFor('the hung thread ended', async () => first!.threadId === -1, 5_000, 20);
    expect(await pool.prepare(source)).toBeNull();
    const result = await pool.processBatch(source, records);
    expect(result.durableOffset).toBe(12);
    expect(result.decisions).toContainEqual(expect.objectContaining({ accountId: 'cust-hung', ruleId: 'irsf-test', level: 'suspend', action: 'suspend' }));
    const { rows } = await fresh.db.query<{ source: string }>(`SELECT source FROM holds WHERE account_id = 'cust-hung'`);
    expect(rows).toEqual([{ source: 'rule:irsf-test' }]);

    // A worker that throws is counted apart: reason error.
    pool.testHook(0, 'throw');
    await waitFor('the throw counted', async () => (await restarts(metrics)).error === 1, 10_000, 20);
    expect(await restarts(metrics)).toEqual({ exit: 0, error: 1, hung: 1 });
    expect(pool.memory.readiness().reasons.join('\n')).toMatch(/ingest worker 0: (restarting after )?exit code 1 \(test hook: uncaught error\)/);
  }, 60_000);

  it('a pool built without test hooks refuses them (the daemon never builds one with them)', () => {
    const pool = build(new Metrics({ defaultMetrics: false }), false);
    expect(() => pool.testHook(0, 'block-loop')).toThrow(/test hooks are off/);
  });
});
