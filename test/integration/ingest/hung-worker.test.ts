// Issue 17, a hung ingest worker, on the real broker and database: two workers consume a stream with IRSF bursts
// while the main thread alone (INGEST_WORKERS=0) consumes the same topics into another database. Worker 0's event
// loop is then blocked for good (its heartbeat stops), and later worker 1 stops answering batches while its loop
// runs on (a batch that never returns, as a PostgreSQL call that never does). Each time the main thread names the
// worker on readiness, counts it in suspensiond_ingest_worker_restarts_total{reason="hung"}, terminates and replaces
// it; the replacements consume the rest, the same holds, decisions and alerts are stored as by the main thread
// alone, and the summed events counter never goes down across the restarts (the dead workers' counts are carried).
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createIngestPipeline } from '../../../src/ingest/create-ingest-pipeline.js';
import { createKafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import type { Pipeline } from '../../../src/ingest/pipeline.js';
import { createWorkerPipeline, type WorkerPipeline } from '../../../src/ingest/worker-pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { loadRules } from '../../../src/rules-dir.js';
import { openDatabase } from '../../../src/store/open-database.js';
import type { CdrRecord } from '../../../src/events/types.js';
import { cdr } from '../../helpers/traffic.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { DECIDING_RULES_YAML, rulesDir } from './rules.js';
import { storedState } from './stored-state.js';
import { cdrMessage, generateCdrs } from './wire.js';

const log = createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr);
const ACCEPTED = /^suspensiond_events_total\{topic="cdrs",outcome="accepted"\} (\d+)$/m;
const HUNG = /^suspensiond_ingest_worker_restarts_total\{reason="hung"\} (\d+)$/m;
const OTHER_RESTARTS = /^suspensiond_ingest_worker_restarts_total\{reason="(?:exit|error)"\} (\d+)$/gm;

/** Ordinary calls of 40 accounts, with bursts of 12 calls to +882 numbers (warn at 5, suspend at 10) by 10 of them. */
function traffic(): CdrRecord[] {
  const startMs = Date.parse('2026-11-24T10:00:00Z');
  const calls = generateCdrs({ n: 3_000, accounts: 40, startMs, seed: 17, stepMs: 100 });
  for (let a = 0; a < 10; a++) {
    for (let i = 0; i < 12; i++) {
      calls.push(cdr({ id: `burst-${a}-${i}`, accountId: `cust-${a * 4}`, callee: `+88213000${a}${String(i).padStart(2, '0')}`, startedAt: startMs + a * 25_000 + i * 10_000, durationSec: 20 }));
    }
  }
  // By end time, so every account's calls arrive in event-time order (none is late).
  return calls.sort((x, y) => x.endedAt! - y.endedAt! || (x.id < y.id ? -1 : 1));
}

interface Run {
  pool: WorkerPipeline | null;
  metrics: Metrics;
  stop(): Promise<void>;
}

/** The pipeline (`workers` threads, or the main thread alone) under the Kafka consumer, as the daemon wires it. */
async function startRun(fresh: FreshDatabase, topics: IngestTopics, workers: number): Promise<Run> {
  const config: Config = loadConfig({
    DATABASE_URL: fresh.url,
    KAFKA_BROKERS: testBrokers().join(','),
    TOPIC_ACCOUNTS: topics.accounts,
    TOPIC_CDRS: topics.cdrs,
    TOPIC_INVOICES: topics.invoices,
    TOPIC_DLQ: topics.dlq,
    RULES_DIR: rulesDir(DECIDING_RULES_YAML),
    LOG_LEVEL: 'error',
    ENGINE_STATE_INTERVAL: '1s',
    INGEST_WORKERS: String(workers),
    INGEST_WORKER_HUNG_AFTER: '2s',
    INGEST_WORKER_CALL_DEADLINE: '5s',
  });
  const metrics = new Metrics({ defaultMetrics: false });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const rules = await loadRules(config.rulesDir);
  const ruleErrors = new RuleErrors();
  const local = createIngestPipeline(config, { db, dlq: null, rules, clock: systemClock, metrics, log, ruleErrors, onCommitted: () => {}, budgetBytes: null });
  const pool =
    workers > 0
      ? createWorkerPipeline({ count: workers, local, config, rules, budgetBytes: null, dlq: null, ruleErrors, onCommitted: () => {}, metrics, log, restartDelayMs: 1_000, testHooks: true })
      : null;
  await pool?.start();
  const pipeline: Pipeline = pool ?? local;
  const brokers = config.kafka!.brokers;
  const kafka = () => new Kafka({ clientId: 'hung-worker-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
  const ingest = createKafkaIngest({ kafka, groupId: uniqueName('g-hung'), topics: config.topics, pipeline, log, metrics, flushIntervalMs: 200, sessionTimeoutMs: 12_000, heartbeatIntervalMs: 500, chunkSize: 100 });
  await ingest.start();
  return {
    pool,
    metrics,
    async stop() {
      await ingest.stop();
      await pool?.close();
      await db.close();
    },
  };
}

const read = async (m: Metrics, re: RegExp) => Number(re.exec(await m.render())?.[1] ?? Number.NaN);

describe('a hung ingest worker', () => {
  const dbs: FreshDatabase[] = [];
  const stops: (() => Promise<void>)[] = [];
  let topics: IngestTopics;

  beforeAll(async () => {
    topics = await makeTopics(testBrokers(), 4);
  });
  afterAll(async () => {
    await Promise.all(stops.map((stop) => stop().catch(() => undefined)));
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it('is named on readiness, counted as hung, terminated and replaced; effects and counters are as if it never hung', async () => {
    const brokers = testBrokers();
    const messages = traffic().map(cdrMessage);
    const third = Math.floor(messages.length / 3);
    const [alone, pooled] = [await freshDatabase(), await freshDatabase()];
    dbs.push(alone, pooled);
    const reference = await startRun(alone, topics, 0);
    stops.push(() => reference.stop());
    const run = await startRun(pooled, topics, 2);
    stops.push(() => run.stop());
    const pool = run.pool!;

    // The summed counter, sampled at every step: it must never go down.
    const seen: number[] = [];
    const sample = async () => void seen.push(await read(run.metrics, ACCEPTED));
    const applied = (n: number) => async () => (await progress(pooled.db, topics.cdrs)) >= n;

    await produce(brokers, topics.cdrs, messages.slice(0, third));
    await waitFor('the first third applied by the workers', applied(third), 30_000, 50);
    await sample();
    expect(seen[0]).toBeGreaterThan(0);

    // Worker 0's event loop blocks for good: its heartbeat stops.
    const first = pool.threads()[0];
    pool.testHook(0, 'block-loop');
    await produce(brokers, topics.cdrs, messages.slice(third, 2 * third));
    let reasons = '';
    await waitFor('worker 0 named hung on readiness', async () => /ingest worker 0: (restarting after )?hung: no heartbeat for \d/.test((reasons = pool.memory.readiness().reasons.join('\n'))), 10_000, 50);
    expect(pool.memory.readiness().ready).toBe(false);
    expect(await read(run.metrics, HUNG)).toBe(1);
    await sample();
    await waitFor('worker 0 replaced', async () => pool.memory.readiness().ready, 20_000, 50);
    expect(pool.threads()[0]).not.toBe(first);
    await waitFor('the second third applied', applied(2 * third), 30_000, 50);
    await sample();

    // Worker 1 stops answering batches, its loop still running: only the call deadline can tell.
    pool.testHook(1, 'stall-batches');
    await produce(brokers, topics.cdrs, messages.slice(2 * third));
    await waitFor('worker 1 named hung on readiness', async () => /ingest worker 1: (restarting after )?hung: a processBatch call unanswered for \d/.test((reasons = pool.memory.readiness().reasons.join('\n'))), 15_000, 50);
    expect(await read(run.metrics, HUNG)).toBe(2);
    await sample();

    // The replacements consume the rest; the same holds, decisions and alerts as the main thread alone.
    const done = async (d: FreshDatabase) => (await progress(d.db, topics.cdrs)) === messages.length;
    await waitFor('every CDR applied by both runs', async () => (await done(alone)) && (await done(pooled)), 60_000, 100);
    await waitFor('worker 1 replaced', async () => pool.memory.readiness().ready, 20_000, 50);
    await sample();
    const [mainAlone, withHangs] = [await storedState(alone.db), await storedState(pooled.db)];
    expect(withHangs.holds).toEqual(mainAlone.holds);
    expect(withHangs.decisions).toEqual(mainAlone.decisions);
    expect(withHangs.alerts).toEqual(mainAlone.alerts);
    expect(mainAlone.holds).toHaveLength(10);

    // Two hangs, no other restart; the summed counter never went down, and ends where the main thread's alone does:
    // each record counted once, the dead workers' counts carried (without them the sum would fall short).
    const text = await run.metrics.render();
    expect(Number(HUNG.exec(text)?.[1])).toBe(2);
    expect([...text.matchAll(OTHER_RESTARTS)].map((m) => Number(m[1]))).toEqual([0, 0]);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(await read(reference.metrics, ACCEPTED));
    expect(reasons).toMatch(/hung/);
  }, 120_000);
});
