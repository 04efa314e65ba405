// A Kafka consumer group running the daemon's pipeline with the shipped rules (rules/), on one database: the
// engine (classic or fused, as FRAUD_ENGINE builds it) and a memory budget as the test asks.
import { Kafka, logLevel } from 'kafkajs';
import { systemClock } from '../../../src/clock.js';
import { createIngestEffects } from '../../../src/ingest/effects.js';
import { createKafkaIngest, type KafkaIngest } from '../../../src/ingest/kafka-consumer.js';
import { createPipeline, type Pipeline } from '../../../src/ingest/pipeline.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createEngineOf, type EngineKind } from '../../../src/rules/engine-choice.js';
import { loadRules } from '../../../src/rules-dir.js';
import type { Database } from '../../../src/store/db.js';
import type { IngestTopics } from './harness.js';

const RULES_DIR = new URL('../../../rules', import.meta.url).pathname;
const log = createLogger(process.env.INGEST_LOG ?? 'silent', process.stderr);

export interface RulesConsumer {
  pipeline: Pipeline;
  ingest: KafkaIngest;
  metrics: Metrics;
}

export async function startRulesConsumer(
  db: Database,
  brokers: string[],
  topics: IngestTopics,
  groupId: string,
  o: { budgetBytes?: number; engine?: EngineKind; onFallback?: (why: string) => void } = {},
): Promise<RulesConsumer> {
  const metrics = new Metrics({ defaultMetrics: false });
  const pipeline = createPipeline({
    db,
    effects: createIngestEffects({ defaultTimezone: 'UTC' }),
    dlq: null,
    createEngine: (fraud) => createEngineOf(o.engine ?? 'classic', fraud, { allowedLatenessMs: 300_000, defaultTimezone: 'UTC' }, o.onFallback),
    rules: await loadRules(RULES_DIR),
    enforce: true,
    defaultTimezone: 'UTC',
    clock: systemClock,
    metrics,
    log,
    // Engine state is stored often (accounts become clean, spillable, within a few batches; restarts load parts).
    stateIntervalMs: 200,
    stateMaxRecords: 2_000,
    ...(o.budgetBytes === undefined ? {} : { engineMemoryBudgetBytes: o.budgetBytes }),
  });
  const kafka = () => new Kafka({ clientId: 'rules-consumer', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 } });
  const ingest = createKafkaIngest({ kafka, groupId, topics, pipeline, log, metrics, flushIntervalMs: 200, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, chunkSize: 500 });
  await ingest.start();
  return { pipeline, ingest, metrics };
}
