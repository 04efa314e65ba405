// The one composition root: the validated config in, the adapters built (database, Kafka, SMTP/files, clock), then
// the services (pipeline, consumers, dunning, outbox, jobs, API), then started. stop() releases them in reverse:
// HTTP, schedulers and jobs, consumers (finishing the batch in hand and checkpointing), the outbox, then the pool.
// No module does I/O at import time; this is the only place that decides what runs.
import { Kafka, logLevel as kafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import { createApiServer } from './api/server.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDunningScheduler } from './dunning/scheduler.js';
import { createEffects } from './effects/create-effects.js';
import { createDlqProducer } from './ingest/dlq-producer.js';
import { createIngestEffects } from './ingest/effects.js';
import { createHttpIngest } from './ingest/http-ingest.js';
import { createKafkaIngest } from './ingest/kafka-consumer.js';
import { createPipeline } from './ingest/pipeline.js';
import { refreshStoreGauges } from './jobs/gauges.js';
import { releaseExpiredHolds } from './jobs/hold-expiry.js';
import { intervalJob } from './jobs/interval-job.js';
import { bootstrapOperatorToken } from './jobs/bootstrap-token.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { createFraudEngine } from './rules/fraud-engine.js';
import { RuleErrors } from './rules/rule-errors.js';
import { loadRules, RulesError, watchRules } from './rules/load-rules.js';
import type { RuleSet } from './rules/types.js';
import { loadMappings } from './events/mappings/load-mappings.js';
import { mappedDeadLetters } from './events/mappings/mapped-dead-letters.js';
import type { Mapping } from './events/mappings/mapping-schema.js';
import { createStatusView } from './status-view/status-view.js';
import { migrate } from './store/migrate.js';
import { openDatabase } from './store/open-database.js';
import { deferred, lazyDatabase } from './store/lazy-database.js';
import type { Database } from './store/db.js';
import type { IngestHandler } from './api/deps.js';

export interface Daemon {
  /** Where the HTTP API listens. */
  readonly url: string;
  readonly metrics: Metrics;
  /** Graceful stop, in reverse order of start. Idempotent. */
  stop(): Promise<void>;
}

export interface DaemonOptions {
  logger?: Logger;
  clock?: Clock;
}

type Releaser = { name: string; release: () => Promise<void> | void };

/** A kafkajs log creator that writes through pino, so broker logs are structured JSON too. */
function kafkaLogs(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level <= kafkaLogLevel.ERROR) log.error(rest, message);
      else if (level === kafkaLogLevel.WARN) log.warn(rest, message);
      else log.debug(rest, message);
    };
}

function kafkaFactory(config: NonNullable<Config['kafka']>, logger: Logger): () => Kafka {
  const base: KafkaConfig = {
    clientId: 'suspensiond',
    brokers: config.brokers,
    ssl: config.ssl || undefined,
    sasl: config.sasl as KafkaConfig['sasl'],
    logLevel: kafkaLogLevel.WARN,
    logCreator: kafkaLogs(logger),
  };
  return () => new Kafka(base);
}

export async function startDaemon(config: Config, opts: DaemonOptions = {}): Promise<Daemon> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const metrics = new Metrics();
  const releasers: Releaser[] = [];
  const releaseAll = async () => {
    while (releasers.length > 0) {
      const r = releasers.pop()!;
      try {
        await r.release();
      } catch (err) {
        logger.error({ err, component: r.name }, 'error while stopping');
      }
    }
  };

  try {
    // Rules first: a bad rule file must stop the start before anything listens (exit 2 in the CLI).
    let rules: RuleSet = await loadRules(config.rulesDir);
    logger.info({ rulesDir: config.rulesDir, version: rules.version, fraud: rules.fraud.length, dunning: rules.dunning.length, enforce: config.enforce }, 'rules loaded');

    // Source mappings (MAPPINGS_DIR) are checked with the rules: a bad one stops the start (exit 2 in the CLI).
    const loadedMappings = await loadMappings(config.mappingsDir);
    if (loadedMappings.problems.length > 0) throw new RulesError(loadedMappings.problems);
    let mappings: ReadonlyMap<string, Mapping> = loadedMappings.mappings;
    let deadLetterMapped: (format: string, letters: { value: Buffer; error: string }[]) => Promise<void> = async () => {
      throw new Error('starting');
    };

    // The HTTP server listens before the database is open (an embedded first start can take seconds): /healthz
    // answers at once, /readyz says "starting" until everything below is wired.
    const opened = deferred<Database>();
    const db = lazyDatabase(config.databaseUrl ? 'postgres' : 'pglite', opened.promise);
    let readinessOf: () => { ready: boolean; reasons: string[] } = () => ({ ready: false, reasons: ['starting: opening the database and applying migrations'] });
    let wake = () => {};
    let httpIngest: IngestHandler = async () => {
      throw new Error('starting');
    };
    // The in-memory status view behind /v1/authorize: loaded once the database is migrated, then kept current by
    // LISTEN/NOTIFY.
    const statusView = createStatusView({ db, logger, metrics });
    const api = createApiServer({
      db,
      logger,
      metrics,
      clock,
      rules: () => rules,
      readiness: () => readinessOf(),
      ingest: (topic, records) => httpIngest(topic, records),
      onCommitted: () => wake(),
      authorize: { view: statusView, emergency: config.emergencyNumbers, metrics },
      mapped: { mappings: () => mappings, deadLetter: (format, letters) => deadLetterMapped(format, letters) },
    });
    const address = await api.start(config.http.host, config.http.port);
    releasers.push({ name: 'http', release: () => api.stop() });

    // Adapters.
    const realDb = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((err: unknown) => {
      opened.reject(err as Error);
      throw err;
    });
    releasers.splice(releasers.length - 1, 0, { name: 'database', release: () => realDb.close() });
    const migrated = await migrate(realDb);
    opened.resolve(realDb);
    logger.info({ database: realDb.kind, migrations: migrated }, 'database ready');
    await bootstrapOperatorToken({ db: realDb, dataDir: config.dataDir, clock, logger });
    await statusView.start();
    releasers.push({ name: 'status-view', release: () => statusView.stop() });

    const newKafka = config.kafka ? kafkaFactory(config.kafka, logger) : undefined;

    // Effects (outbox dispatcher: status to Kafka, email to SMTP or files).
    const effects = createEffects({ config, db, clock, logger, metrics });
    releasers.push({ name: 'outbox', release: () => effects.close() });
    const wakeOutbox = () => effects.dispatcher.notify();

    // A rule that throws on a record loses only its own verdict on it (issue 12): logged, counted, on /readyz.
    const ruleErrors = new RuleErrors((e) => {
      metrics.ruleError(e.ruleId);
      logger.error({ err: e.error, ruleId: e.ruleId, accountId: e.accountId, cdrId: e.cdrId, phase: e.phase, at: e.at }, 'fraud rule failed on a record; its other rules and records go on');
    });

    // The one pipeline, fed by Kafka, HTTP ingest and replay.
    const dlq = newKafka ? createDlqProducer(newKafka(), config.topics.dlq) : null;
    if (dlq) releasers.push({ name: 'dlq-producer', release: () => dlq.disconnect() });
    const pipeline = createPipeline({
      db,
      effects: createIngestEffects({ defaultTimezone: config.defaultTimezone, enforce: config.enforce, log: logger }),
      dlq,
      createEngine: (fraud) => createFraudEngine(fraud, { allowedLatenessMs: config.allowedLatenessMs, defaultTimezone: config.defaultTimezone, errors: ruleErrors }),
      rules,
      enforce: config.enforce,
      defaultTimezone: config.defaultTimezone,
      clock,
      metrics,
      log: logger,
      onCommitted: wakeOutbox,
      stateIntervalMs: config.engineStateIntervalMs,
    });
    releasers.push({ name: 'pipeline', release: () => pipeline.flushAll() });

    const kafkaIngest = newKafka
      ? createKafkaIngest({
          kafka: newKafka,
          groupId: config.kafka!.groupId,
          topics: { accounts: config.topics.accounts, cdrs: config.topics.cdrs, invoices: config.topics.invoices },
          pipeline,
          log: logger,
          metrics,
        })
      : undefined;

    // Rules hot reload: file changes and SIGHUP. An invalid change keeps the old rules.
    const applyRules = (next: RuleSet) => {
      rules = next;
      pipeline.setRules(next);
      metrics.rulesReloaded('success');
      logger.info({ version: next.version, fraud: next.fraud.length, dunning: next.dunning.length }, 'rules reloaded');
    };
    const rejectRules = (error: RulesError | Error) => {
      metrics.rulesReloaded('failure');
      logger.error({ err: error, problems: (error as RulesError).problems }, 'rules reload failed; keeping the previous rules');
    };
    const unwatch = watchRules(config.rulesDir, (change) => (change.ok ? applyRules(change.rules) : rejectRules(change.error)));
    releasers.push({ name: 'rules-watch', release: unwatch });
    const onSighup = () => {
      loadRules(config.rulesDir).then(applyRules, rejectRules);
      loadMappings(config.mappingsDir).then(
        (m) => (m.problems.length === 0 ? void (mappings = m.mappings) : rejectRules(new RulesError(m.problems))),
        rejectRules,
      );
    };
    process.on('SIGHUP', onSighup);
    releasers.push({ name: 'sighup', release: () => void process.off('SIGHUP', onSighup) });

    // Schedules: the dunning sweep (node-cron, under a PostgreSQL lease) and the periodic jobs.
    const dunning = createDunningScheduler({
      db,
      clock,
      logger,
      metrics,
      schedule: config.dunningSchedule,
      getPolicies: () => rules.dunning,
      defaultTimezone: config.defaultTimezone,
      enforce: config.enforce,
    });

    let dbReady = true;
    let dbError = '';
    const jobs = [
      intervalJob('db-health', 2_000, async () => {
        try {
          await db.query('SELECT 1');
          dbReady = true;
        } catch (err) {
          dbReady = false;
          dbError = (err as Error).message;
          throw err;
        }
      }, { logger }),
      intervalJob('hold-expiry', 10_000, async () => void (await releaseExpiredHolds({ db, clock, logger, metrics, onCommitted: wakeOutbox })), { logger }),
      intervalJob('store-gauges', 5_000, () => refreshStoreGauges(db, metrics), { logger }),
    ];

    readinessOf = () => {
      const reasons: string[] = [];
      if (!dbReady) reasons.push(`database unavailable: ${dbError}`);
      if (rules.fraud.length + rules.dunning.length === 0) reasons.push('no rules loaded');
      if (kafkaIngest) reasons.push(...kafkaIngest.readiness().reasons);
      reasons.push(...statusView.readiness().reasons);
      reasons.push(...dunning.readiness().reasons);
      return { ready: reasons.length === 0, reasons, details: { ruleErrors: ruleErrors.summary() } };
    };

    httpIngest = createHttpIngest(pipeline);
    deadLetterMapped = mappedDeadLetters({ db, dlq, metrics, cdrTopic: config.topics.cdrs, now: () => clock.now().getTime() });
    wake = wakeOutbox;

    // Start, in order; the releasers stop them in reverse.
    effects.dispatcher.start();
    if (kafkaIngest) {
      await kafkaIngest.start();
      releasers.push({ name: 'kafka-consumer', release: () => kafkaIngest.stop() });
    }
    dunning.start();
    releasers.push({ name: 'dunning', release: () => dunning.stop() });
    for (const job of jobs) {
      job.start();
      void job.runNow();
      releasers.push({ name: 'job', release: () => job.stop() });
    }
    logger.info({ url: address.url, kafka: config.kafka ? config.kafka.brokers : 'off', database: db.kind }, 'suspensiond started');

    let stopping: Promise<void> | undefined;
    return {
      url: address.url,
      metrics,
      stop() {
        stopping ??= (async () => {
          logger.info('stopping');
          // HTTP first (no new requests), then schedules and jobs, consumers (the batch in hand is finished and
          // checkpointed), the outbox flush, and last the database.
          await api.stop().catch((err: unknown) => logger.error({ err }, 'error while stopping http'));
          await releaseAll();
          logger.info('stopped');
        })();
        return stopping;
      },
    };
  } catch (err) {
    await releaseAll();
    throw err;
  }
}
