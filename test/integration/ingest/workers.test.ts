// Issue 17, parallel partitions, on the real broker and database: the same realistic CDR stream (a Tuesday morning
// of the detection week, attacks included) consumed three ways from the same topics. The reference is the daemon as
// today (INGEST_WORKERS=0); the second is the daemon with INGEST_WORKERS=2, stopped and started again halfway; the
// third runs the worker pipeline under the consumer directly and has one of its workers killed mid-stream. All three
// store the same holds, review decisions and alerts (exactly once: no hold twice), and the killed worker shows on
// readiness and in suspensiond_ingest_worker_restarts_total until it is replaced. A record that is not JSON, in the
// second half, is dead-lettered once in each run, and a worker's dead letter is produced by the main thread's producer.
import path from 'node:path';
import { rmSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createIngestPipeline } from '../../../src/ingest/create-ingest-pipeline.js';
import { createKafkaIngest, type KafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import { createWorkerPipeline, type WorkerPipeline } from '../../../src/ingest/worker-pipeline.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { Metrics } from '../../../src/metrics.js';
import { RuleErrors } from '../../../src/rules/rule-errors.js';
import { loadRules } from '../../../src/rules-dir.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { testBrokers, uniqueName } from '../../helpers/kafka.js';
import { makeTopics, produce, progress, waitFor, type IngestTopics } from './harness.js';
import { storedState } from './stored-state.js';
import { morningMessages } from './morning.js';

const log = createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr);
const dataDirs: string[] = [];

async function configFor(db: FreshDatabase, brokers: string[], topics: IngestTopics, groupId: string, workers: number): Promise<Config> {
  const dataDir = path.join(ROOT, '.tmp', uniqueName('workers-data'));
  dataDirs.push(dataDir);
  return loadConfig({
    DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: groupId,
    TOPIC_ACCOUNTS: topics.accounts,
    TOPIC_CDRS: topics.cdrs,
    TOPIC_INVOICES: topics.invoices,
    TOPIC_STATUS: uniqueName('status'),
    TOPIC_DLQ: topics.dlq,
    RULES_DIR: path.join(ROOT, 'rules'),
    HTTP_PORT: String(await freePort()),
    // Workers log to stdout themselves (they cannot take the test's logger): only errors.
    LOG_LEVEL: 'error',
    ENGINE_STATE_INTERVAL: '1s',
    INGEST_WORKERS: String(workers),
  });
}

async function daemonReady(d: Daemon): Promise<void> {
  await waitFor('daemon ready', async () => (await fetch(`${d.url}/readyz`)).status === 200, 60_000, 200);
}

/** The worker pipeline under the Kafka consumer, without the rest of the daemon, so a test can reach its threads. */
async function startPooled(config: Config, metrics: Metrics): Promise<{ pool: WorkerPipeline; ingest: KafkaIngest; stop(): Promise<void> }> {
  const { openDatabase } = await import('../../../src/store/open-database.js');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const rules = await loadRules(config.rulesDir);
  const ruleErrors = new RuleErrors();
  const local = createIngestPipeline(config, { db, dlq: null, rules, clock: systemClock, metrics, log, ruleErrors, onCommitted: () => {}, budgetBytes: null });
  const pool = createWorkerPipeline({ count: 2, local, config, rules, budgetBytes: null, dlq: null, ruleErrors, onCommitted: () => {}, metrics, log, restartDelayMs: 15_000 });
  await pool.start();
  const brokers = config.kafka!.brokers;
  const kafka = () => new Kafka({ clientId: 'workers-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
  const ingest = createKafkaIngest({ kafka, groupId: config.kafka!.groupId, topics: config.topics, pipeline: pool, log, metrics, flushIntervalMs: 200, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, chunkSize: 200 });
  await ingest.start();
  return {
    pool,
    ingest,
    async stop() {
      await ingest.stop();
      await pool.close();
      await db.close();
    },
  };
}

const metricValue = async (m: Metrics, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await m.render())?.[1] ?? Number.NaN);

describe('parallel partitions (INGEST_WORKERS)', () => {
  let brokers: string[];
  let topics: IngestTopics;
  const dbs: FreshDatabase[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    brokers = testBrokers();
    topics = await makeTopics(brokers, 6);
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    for (const d of dbs) await d.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('two workers store what the main thread alone stores, through a restart of the daemon and the death of a worker', async () => {
    const { accounts, cdrs } = morningMessages();
    const half = Math.floor(cdrs.length / 2);
    cdrs.splice(half + 10, 0, { key: Buffer.from('cust-poison'), value: Buffer.from('not json') });

    const [single, parallel, killed] = [await freshDatabase(), await freshDatabase(), await freshDatabase()];
    dbs.push(single, parallel, killed);
    const groups = { single: uniqueName('g-single'), parallel: uniqueName('g-parallel'), killed: uniqueName('g-killed') };

    const reference = await startDaemon(await configFor(single, brokers, topics, groups.single, 0), { logger: log });
    stops.push(() => reference.stop());
    const parallelConfig = await configFor(parallel, brokers, topics, groups.parallel, 2);
    let withWorkers = await startDaemon(parallelConfig, { logger: log });
    let stopWithWorkers = () => withWorkers.stop();
    stops.push(() => stopWithWorkers());
    const pooledMetrics = new Metrics({ defaultMetrics: false });
    const pooled = await startPooled(await configFor(killed, brokers, topics, groups.killed, 2), pooledMetrics);
    stops.push(() => pooled.stop());
    await daemonReady(reference);
    await daemonReady(withWorkers);
    expect(await metricValue(pooledMetrics, 'suspensiond_ingest_workers_up')).toBe(2);

    // Accounts first, so every CDR is judged with its account's time zone in every run.
    await produce(brokers, topics.accounts, accounts);
    const applied = async (d: FreshDatabase) => Number((await d.db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts')).rows[0]!.n) === accounts.length;
    await waitFor('accounts applied', async () => (await applied(single)) && (await applied(parallel)) && (await applied(killed)), 60_000);

    // The first half; then the daemon with workers stops (each worker writing its checkpoints) and starts again.
    await produce(brokers, topics.cdrs, cdrs.slice(0, half));
    await waitFor('first half applied with workers', async () => (await progress(parallel.db, topics.cdrs)) === half, 120_000);
    await withWorkers.stop();
    withWorkers = await startDaemon({ ...parallelConfig, http: { ...parallelConfig.http, port: await freePort() } }, { logger: log });
    stopWithWorkers = () => withWorkers.stop();

    // The second half; worker 0 of the pooled run is killed while it works on it.
    await produce(brokers, topics.cdrs, cdrs.slice(half));
    await waitFor('the pooled run into the second half', async () => (await progress(killed.db, topics.cdrs)) > half + 200, 120_000, 20);
    const victim = pooled.pool.threads()[0]!;
    await victim.terminate();
    const down = pooled.pool.memory.readiness();
    expect(down.ready).toBe(false);
    expect(down.reasons.join('\n')).toMatch(/ingest worker 0: exit code 1/);
    // Read before the replacement starts (15 s; the main thread is shared with the reference daemon): one worker up, one
    // restart counted (reason exit: the thread ended; it did not throw, nor hang).
    const [upAfterKill, restarts] = [await metricValue(pooledMetrics, 'suspensiond_ingest_workers_up'), await metricValue(pooledMetrics, 'suspensiond_ingest_worker_restarts_total\\{reason="exit"\\}')];
    expect(upAfterKill).toBe(1);
    expect(restarts).toBe(1);

    const done = async (d: FreshDatabase) => (await progress(d.db, topics.cdrs)) === cdrs.length;
    await waitFor('every CDR applied by all three', async () => (await done(single)) && (await done(parallel)) && (await done(killed)), 240_000, 200);
    await waitFor('the killed worker replaced', async () => pooled.pool.memory.readiness().ready, 30_000);
    expect(pooled.pool.threads()[0]).not.toBe(victim);
    expect(await metricValue(pooledMetrics, 'suspensiond_ingest_workers_up')).toBe(2);
    // The workers' own series reach the main thread's /metrics output: every CDR counted once, as accepted.
    const accepted = Number(new RegExp(`^suspensiond_events_total\\{topic="cdrs",outcome="accepted"\\} (\\d+)`, 'm').exec(await withWorkers.metrics.render())?.[1]);
    expect(accepted).toBeGreaterThan(0);

    const [reference_, twoWorkers, oneKilled] = [await storedState(single.db), await storedState(parallel.db), await storedState(killed.db)];
    expect(twoWorkers.holds).toEqual(reference_.holds);
    expect(twoWorkers.decisions).toEqual(reference_.decisions);
    expect(twoWorkers.alerts).toEqual(reference_.alerts);
    expect(oneKilled.holds).toEqual(reference_.holds);
    expect(oneKilled.decisions).toEqual(reference_.decisions);
    expect(oneKilled.alerts).toEqual(reference_.alerts);
    expect(reference_.holds!.length + reference_.decisions!.length).toBeGreaterThan(3);

    // The poison record: stored once per run (the killed run may have met it twice), and on the DLQ topic from both
    // daemons (the pooled run has no producer), its bytes kept.
    for (const d of [single, parallel, killed]) {
      const { rows } = await d.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM dead_letters WHERE topic = $1`, [topics.cdrs]);
      expect(rows[0]!.n).toBe('1');
    }
    const dlqReader = new Kafka({ clientId: 'workers-dlq', brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: uniqueName('dlq-reader') });
    const letters: { value: string; topic: string }[] = [];
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: topics.dlq, fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message: m }) => void letters.push({ value: m.value!.toString(), topic: String(m.headers?.['x-source-topic']) }) });
    await waitFor('both daemons dead-lettered the poison record', async () => letters.length >= 2, 30_000);
    await dlqReader.disconnect();
    expect(letters.slice(0, 2)).toEqual([{ value: 'not json', topic: topics.cdrs }, { value: 'not json', topic: topics.cdrs }]);
    expect(reference_.alerts!.length).toBeGreaterThan(0);
  }, 480_000);
});
