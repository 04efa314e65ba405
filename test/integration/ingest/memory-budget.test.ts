// Issue 17, "never out of memory", on the real broker and database: the same realistic CDR stream (a Tuesday morning
// of the detection week, attacks included, start and end records) consumed by two groups, one with the fraud
// engines held to a tenth of the active accounts at the budget's prior (BYTES_PER_ACCOUNT), one unbounded. The
// budget counts what the engines hold, dedupe tables first, and here the tables alone pass it: the
// budget-constrained one spills every account after its batch and loads all the time, and stops and restarts halfway (its next engines start with every stored account spilled), yet
// both store the same holds, review decisions and alerts: same rule, account and level, same figures.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { createIngestEffects } from '../../../src/ingest/effects.js';
import { createKafkaIngest, type KafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import { createPipeline, type Pipeline } from '../../../src/ingest/pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { BYTES_PER_ACCOUNT } from '../../../src/rules/engine-spill.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { loadRules } from '../../../src/rules-dir.js';
import type { Database } from '../../../src/store/db.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { storedState } from './stored-state.js';
import { morningMessages } from './morning.js';

const RULES_DIR = new URL('../../../rules', import.meta.url).pathname;
const log = createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr);

interface Consumer {
  pipeline: Pipeline;
  ingest: KafkaIngest;
  metrics: Metrics;
}

async function startConsumer(db: Database, brokers: string[], topics: IngestTopics, groupId: string, budgetBytes?: number): Promise<Consumer> {
  const metrics = new Metrics({ defaultMetrics: false });
  const pipeline = createPipeline({
    db,
    effects: createIngestEffects({ defaultTimezone: 'UTC' }),
    dlq: null,
    createEngine: (fraud) => createFraudEngine(fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' }),
    rules: await loadRules(RULES_DIR),
    enforce: true,
    defaultTimezone: 'UTC',
    clock: systemClock,
    metrics,
    log,
    // Engine state is stored often, so accounts become clean (spillable) within a few batches.
    stateIntervalMs: 200,
    stateMaxRecords: 2_000,
    ...(budgetBytes === undefined ? {} : { engineMemoryBudgetBytes: budgetBytes }),
  });
  const kafka = () => new Kafka({ clientId: 'budget-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
  const ingest = createKafkaIngest({ kafka, groupId, topics, pipeline, log, metrics, flushIntervalMs: 200, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, chunkSize: 500 });
  await ingest.start();
  return { pipeline, ingest, metrics };
}

const counter = async (m: Metrics, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await m.render())?.[1] ?? 0);

describe('a memory budget of a tenth of the active accounts', () => {
  let brokers: string[];
  let topics: IngestTopics;
  const dbs: FreshDatabase[] = [];
  const running: Consumer[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 3);
  });
  afterAll(async () => {
    for (const c of running) await c.ingest.stop();
    for (const d of dbs) await d.drop();
  });

  it('stores the same holds, decisions and alerts as an unbounded run, spilling and loading on the way', async () => {
    const { accounts, cdrs } = morningMessages();
    const active = new Set(cdrs.map((m) => m.key.toString())).size;
    expect(active).toBeGreaterThan(250);
    const budget = Math.floor(active / 10) * BYTES_PER_ACCOUNT;

    const [bounded, unbounded] = [await freshDatabase(), await freshDatabase()];
    dbs.push(bounded, unbounded);
    const groups = { bounded: uniqueName('g-budget'), unbounded: uniqueName('g-unbounded') };
    let small = await startConsumer(bounded.db, brokers, topics, groups.bounded, budget);
    const big = await startConsumer(unbounded.db, brokers, topics, groups.unbounded);
    running.push(small, big);

    // Accounts first, so every CDR is judged with its account's time zone in both runs.
    await produce(brokers, topics.accounts, accounts);
    const applied = async (d: FreshDatabase) => Number((await d.db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts')).rows[0]!.n) === accounts.length;
    await waitFor('accounts applied', async () => (await applied(bounded)) && (await applied(unbounded)), 60_000);

    // The first half; then the bounded consumer stops (storing its state) and a new one takes over.
    const half = Math.floor(cdrs.length / 2);
    await produce(brokers, topics.cdrs, cdrs.slice(0, half));
    await waitFor('first half applied by the bounded consumer', async () => (await progress(bounded.db, topics.cdrs)) === half, 120_000);
    const spillsBefore = await counter(small.metrics, 'suspensiond_engine_spills_total');
    const loadsBefore = await counter(small.metrics, 'suspensiond_engine_loads_total');
    await small.ingest.stop();
    running.splice(running.indexOf(small), 1);
    small = await startConsumer(bounded.db, brokers, topics, groups.bounded, budget);
    running.push(small);

    await produce(brokers, topics.cdrs, cdrs.slice(half));
    const done = async (d: FreshDatabase) => (await progress(d.db, topics.cdrs)) === cdrs.length;
    await waitFor('every CDR applied by both', async () => (await done(bounded)) && (await done(unbounded)), 240_000);

    const [withBudget, without] = [await storedState(bounded.db), await storedState(unbounded.db)];
    expect(withBudget.holds).toEqual(without.holds);
    expect(withBudget.decisions).toEqual(without.decisions);
    expect(withBudget.alerts).toEqual(without.alerts);
    expect(without.holds!.length + without.decisions!.length).toBeGreaterThan(3);
    expect(without.alerts!.length).toBeGreaterThan(0);

    // It did spill and load, before and after the restart, and kept near its budget.
    const memory = small.pipeline.memory.summary();
    if (process.env.BUDGET_LOG) console.log({ active, budgetAccounts: budget / BYTES_PER_ACCOUNT, spillsBefore, loadsBefore, after: memory, holds: without.holds!.length, decisions: without.decisions!.length, alerts: without.alerts!.length });
    expect(spillsBefore).toBeGreaterThan(active / 2);
    expect(loadsBefore).toBeGreaterThan(10);
    expect(memory.spills).toBeGreaterThan(active / 2);
    expect(memory.loads).toBeGreaterThan(active / 2);
    expect(memory.underPressure).toBe(true);
    expect(memory.accountsSpilled).toBeGreaterThan(0);
    expect(small.pipeline.memory.readiness().ready).toBe(true);
    expect(await counter(big.metrics, 'suspensiond_engine_spills_total')).toBe(0);
  }, 420_000);
});
