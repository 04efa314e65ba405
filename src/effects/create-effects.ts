// Wiring of the effects from the configuration (called by src/main.ts): templates, renderer, the email sink
// (SMTP or .eml files), the status sink (Kafka, or none) and the dispatcher. Loads templates at once, so a bad
// override fails the start. close() stops the dispatcher first, then the sinks.
import path from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/db.js';
import { createEmailRenderer } from './email-renderer.js';
import { createFileEmailSink, createSmtpEmailSink } from './email-sinks.js';
import { createKafkaStatusSink } from './kafka-status-sink.js';
import { createOutboxDispatcher, type OutboxDispatcher, type OutboxDispatcherOptions } from './outbox-dispatcher.js';
import type { EmailSink, StatusSink } from './outbox-types.js';
import { loadTemplates } from './template-store.js';

export interface Effects {
  dispatcher: OutboxDispatcher;
  /** Stops the dispatcher (in-flight sends finish) and closes the sinks. Safe to call twice. */
  close(): Promise<void>;
}

type Tuning = Partial<Pick<OutboxDispatcherOptions, 'batchSize' | 'pollIntervalMs' | 'maxAttempts' | 'backoff' | 'leaseMs' | 'sendTimeoutMs' | 'waitForContactMs'>>;

export function createEffects(deps: { config: Config; db: Database; clock: Clock; logger: Logger; metrics: Metrics; tuning?: Tuning }): Effects {
  const { config, logger } = deps;
  const templates = loadTemplates({ overrideDir: config.templatesDir });
  const render = createEmailRenderer(templates, { supportContact: config.supportContact, defaultTimezone: config.defaultTimezone, logger });
  const email: EmailSink = config.smtpUrl
    ? createSmtpEmailSink({ url: config.smtpUrl, from: config.mailFrom })
    : createFileEmailSink({ dir: path.join(config.dataDir, 'mail'), from: config.mailFrom });
  const status: StatusSink | undefined = config.kafka
    ? createKafkaStatusSink({ brokers: config.kafka.brokers, topic: config.topics.status, ssl: config.kafka.ssl, sasl: config.kafka.sasl, logger })
    : undefined;
  logger.info({ email: config.smtpUrl ? 'smtp' : 'eml-files', status: status ? config.topics.status : 'skipped (no Kafka)', templates: templates.names() }, 'effects configured');
  const dispatcher = createOutboxDispatcher({ waitForContactMs: config.emailWaitForContactMs, ...deps.tuning, db: deps.db, clock: deps.clock, logger, metrics: deps.metrics, sinks: { status, email }, render });
  let closing: Promise<void> | undefined;
  return {
    dispatcher,
    close() {
      closing ??= (async () => {
        await dispatcher.stop({ flushMs: 5_000 });
        await Promise.allSettled([email.close(), status?.close()]);
      })();
      return closing;
    },
  };
}
