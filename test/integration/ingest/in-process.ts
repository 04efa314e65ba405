// The pipeline and its Kafka consumer inside the test process (one "replica"), with the real stores, the real
// fraud engine (wrapped to count) and the real DLQ producer. For tests that need to look inside.
import { Kafka, logLevel } from 'kafkajs';
import { systemClock, type Clock } from '../../../src/clock.js';
import { createDlqProducer } from '../../../src/ingest/dlq-producer.js';
import { createIngestEffects } from '../../../src/ingest/effects.js';
import { createKafkaIngest, type KafkaIngest, type KafkaIngestOptions } from '../../../src/ingest/kafka-consumer.js';
import { createPipeline, type Pipeline, type PipelineOptions } from '../../../src/ingest/pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createFraudEngine } from '../../../src/rules/fraud-engine.js';
import { loadRules } from '../../../src/rules-dir.js';
import type { Database } from '../../../src/store/db.js';
import { countingEngine } from './counting-engine.js';
import type { IngestTopics } from './harness.js';

export interface InProcess {
  pipeline: Pipeline;
  ingest: KafkaIngest;
  metrics: Metrics;
  stop(): Promise<void>;
}

export async function buildPipeline(
  db: Database,
  rulesDir: string,
  o: { dlq?: ReturnType<typeof createDlqProducer> | null; clock?: Clock; metrics?: Metrics; tuning?: Pick<PipelineOptions, 'stateIntervalMs' | 'stateMaxRecords' | 'checkpointIntervalMs' | 'stateMaxAccounts' | 'stateSliceAccounts'> } = {},
): Promise<Pipeline> {
  const metrics = o.metrics ?? new Metrics({ defaultMetrics: false });
  return createPipeline({
    db,
    effects: createIngestEffects({ defaultTimezone: 'UTC' }),
    dlq: o.dlq ?? null,
    createEngine: (fraud) => countingEngine(createFraudEngine(fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' })),
    rules: await loadRules(rulesDir),
    enforce: true,
    defaultTimezone: 'UTC',
    clock: o.clock ?? systemClock,
    metrics,
    log: createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr),
    ...o.tuning,
  });
}

export async function startInProcess(o: {
  db: Database;
  brokers: string[];
  topics: IngestTopics;
  groupId: string;
  rulesDir: string;
  consumer?: Pick<KafkaIngestOptions, 'stallAfterMs' | 'lagIntervalMs'>;
}): Promise<InProcess> {
  const kafka = () => new Kafka({ clientId: 'ingest-test', brokers: o.brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
  const metrics = new Metrics({ defaultMetrics: false });
  const dlq = createDlqProducer(kafka(), o.topics.dlq);
  const pipeline = await buildPipeline(o.db, o.rulesDir, { dlq, metrics });
  const ingest = createKafkaIngest({
    kafka,
    groupId: o.groupId,
    topics: o.topics,
    pipeline,
    log: createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr),
    metrics,
    flushIntervalMs: 200,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    ...o.consumer,
  });
  await ingest.start();
  return {
    pipeline,
    ingest,
    metrics,
    async stop() {
      await ingest.stop();
      await dlq.disconnect();
    },
  };
}
