// The daemon's pipeline built from the config: the same options on the main thread (main.ts) and in each ingest
// worker (pipeline-worker.ts), so a worker runs exactly the pipeline the main thread would. Never: opens anything
// (the database, the DLQ sink and the rule errors' log are passed in).
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { createEngineOf } from '../rules/engine-choice.js';
import type { RuleErrors } from '../rules/rule-errors.js';
import type { RuleSet } from '../rules/types.js';
import type { Database } from '../store/db.js';
import { createIngestEffects } from './effects.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import type { DeadLetterSink } from './types.js';

export interface IngestPipelineParts {
  db: Database;
  dlq: DeadLetterSink | null;
  rules: RuleSet;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  ruleErrors: RuleErrors;
  onCommitted: () => void;
  /** The engines' memory budget in bytes (null: none). */
  budgetBytes: number | null;
}

export function createIngestPipeline(config: Config, parts: IngestPipelineParts): Pipeline {
  return createPipeline({
    db: parts.db,
    effects: createIngestEffects({ defaultTimezone: config.defaultTimezone, enforce: config.enforce, log: parts.log }),
    dlq: parts.dlq,
    createEngine: (fraud) =>
      createEngineOf(config.fraudEngine, fraud, { allowedLatenessMs: config.allowedLatenessMs, defaultTimezone: config.defaultTimezone, errors: parts.ruleErrors }, (why) => {
        parts.log.warn({ why }, 'fraud engine fallback: this lane runs the classic engine');
        parts.metrics.fraudEngineFallback();
      }),
    rules: parts.rules,
    enforce: config.enforce,
    defaultTimezone: config.defaultTimezone,
    clock: parts.clock,
    metrics: parts.metrics,
    log: parts.log,
    onCommitted: parts.onCommitted,
    stateIntervalMs: config.engineStateIntervalMs,
    stateMaxAccounts: config.engineStateMaxAccounts,
    ...(parts.budgetBytes === null ? {} : { engineMemoryBudgetBytes: parts.budgetBytes }),
  });
}
