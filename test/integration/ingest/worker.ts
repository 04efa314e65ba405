// The ingestion worker as a child process, for the kill-and-restart and rebalance tests: real PostgreSQL, real
// broker, the real fraud engine wrapped in the counting decorator. Prints "ready" once consuming; SIGTERM stops it
// gracefully; the tests SIGKILL it at will.
import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../../../src/clock.js';
import { createDlqProducer } from '../../../src/ingest/dlq-producer.js';
import { createIngestEffects } from '../../../src/ingest/effects.js';
import { createKafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import { createPipeline } from '../../../src/ingest/pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { loadRules } from '../../../src/rules-dir.js';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { countingEngine } from './counting-engine.js';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};

const log = createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr);
const metrics = new Metrics({ defaultMetrics: false });
const db = createPgDatabase(env('DATABASE_URL'), { max: 6 });
const rules = await loadRules(env('RULES_DIR'));
const brokers = env('KAFKA_BROKERS').split(',');
const kafka = () => new Kafka({ clientId: `ingest-worker-${process.pid}`, brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
const dlq = createDlqProducer(kafka(), env('TOPIC_DLQ'));
const pipeline = createPipeline({
  db,
  effects: createIngestEffects({ defaultTimezone: 'UTC' }),
  dlq,
  createEngine: (fraud) => countingEngine(createFraudEngine(fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' })),
  rules,
  enforce: true,
  defaultTimezone: 'UTC',
  clock: systemClock,
  metrics,
  log,
});
const ingest = createKafkaIngest({
  kafka,
  groupId: env('GROUP_ID'),
  topics: { accounts: env('TOPIC_ACCOUNTS'), cdrs: env('TOPIC_CDRS'), invoices: env('TOPIC_INVOICES') },
  pipeline,
  log,
  metrics,
  flushIntervalMs: Number(process.env.FLUSH_MS ?? 200),
  // A SIGKILLed member holds its partitions until its session expires: keep that short in tests.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
});
await ingest.start();
process.stdout.write('ready\n');

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await ingest.stop();
    await dlq.disconnect();
    await db.close();
    process.stdout.write('stopped\n');
    process.exit(0);
  })();
});
