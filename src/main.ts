// The one composition root: the validated config in, the adapters built (database, Kafka, SMTP/files, clock), then
// the services (pipeline, consumers, dunning, outbox, jobs, API), then started. Every long-running part is a
// Service ({name, start, stop, readiness}, service.ts): started in order, stopped in reverse, /readyz rolled up. stop() releases them in reverse:
// HTTP, schedulers and jobs, consumers (finishing the batch in hand and checkpointing), the outbox, then the pool.
// No module does I/O at import time; this is the only place that decides what runs.
import { getHeapStatistics } from 'node:v8';
import { Kafka, logLevel as kafkaLogLevel, type KafkaConfig, type logCreator } from 'kafkajs';
import { createApiServer } from './api/server.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDunningScheduler } from './dunning/scheduler.js';
import { createEffects } from './effects/create-effects.js';
import { createDlqProducer } from './ingest/dlq-producer.js';
import { createHttpIngest } from './ingest/http-ingest.js';
import { createSetupIngest, type SetupIngest } from './ingest/setup-ingest.js';
import { createKafkaSetupIngest } from './ingest/kafka-setup.js';
import { createSetupAuthorizer } from './api/setup-authorize.js';
import { createKafkaIngest } from './ingest/kafka-consumer.js';
import { createIngestPipeline } from './ingest/create-ingest-pipeline.js';
import type { Pipeline } from './ingest/pipeline.js';
import { createWorkerPipeline } from './ingest/worker-pipeline.js';
import { budgetBytes } from './ingest/spill-policy.js';
import { refreshStoreGauges } from './jobs/gauges.js';
import { releaseExpiredHolds } from './jobs/hold-expiry.js';
import { intervalJob } from './jobs/interval-job.js';
import { bootstrapOperatorToken } from './jobs/bootstrap-token.js';
import { createLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { RuleErrors } from './rules/rule-errors.js';
import { engineCannotHold } from './rules/engine-choice.js';
import { RulesError } from './rules/load-rules.js';
import { loadRules, watchRules } from './rules-dir.js';
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
import { readinessOf as rollUp, READY, service, type Readiness, type Service } from './service.js';

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
    let readinessOf: () => Readiness = () => ({ ready: false, reasons: ['starting: opening the database and applying migrations'] });
    let wake = () => {};
    let httpIngest: IngestHandler = async () => {
      throw new Error('starting');
    };
    // The in-memory status view behind /v1/authorize: loaded once the database is migrated, then kept current by
    // LISTEN/NOTIFY.
    const statusView = createStatusView({ db, logger, metrics });
    // An authorization request with a callId is also that call's set-up (AUTHORIZE_COUNTS_SETUP; README).
    let countSetup: SetupIngest = async () => {
      throw new Error('starting');
    };
    const setup = createSetupAuthorizer({
      view: statusView,
      count: config.authorizeCountsSetup === 'off' ? null : (call) => countSetup(call),
      metrics,
      log: logger.child({ component: 'authorize' }),
      now: () => clock.now().getTime(),
    });
    const api = createApiServer({
      db,
      logger,
      metrics,
      clock,
      rules: () => rules,
      readiness: () => readinessOf(),
      ingest: (topic, records) => httpIngest(topic, records),
      onCommitted: () => wake(),
      authorize: { view: statusView, emergency: config.emergencyNumbers, metrics, setup },
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
    const wakeOutbox = () => effects.dispatcher.notify();

    // A rule that throws on a record loses only its own verdict on it (issue 12): logged, counted, on /readyz.
    const ruleErrors = new RuleErrors((e) => {
      metrics.ruleError(e.ruleId);
      logger.error({ err: e.error, ruleId: e.ruleId, accountId: e.accountId, cdrId: e.cdrId, phase: e.phase, at: e.at }, 'fraud rule failed on a record; its other rules and records go on');
    });

    // The one pipeline, fed by Kafka, HTTP ingest and replay. With INGEST_WORKERS, Kafka partitions go to worker
    // threads each running the same pipeline (worker-pipeline.ts), and the budget is shared: one part per worker and
    // one for the main thread's lanes (HTTP ingest, replay).
    const dlq = newKafka ? createDlqProducer(newKafka(), config.topics.dlq) : null;
    const budget = budgetBytes(config.engineMemoryBudget, getHeapStatistics().heap_size_limit);
    const share = Math.floor(budget / (config.ingestWorkers + 1));
    const local = createIngestPipeline(config, { db, dlq, rules, clock, metrics, log: logger, ruleErrors, onCommitted: wakeOutbox, budgetBytes: config.ingestWorkers > 0 ? share : budget });
    const workers =
      config.ingestWorkers > 0
        ? createWorkerPipeline({ count: config.ingestWorkers, local, config, rules, budgetBytes: share, dlq, ruleErrors, onCommitted: wakeOutbox, metrics, log: logger })
        : null;
    const pipeline: Pipeline = workers ?? local;

    const kafkaSetup = newKafka && config.authorizeCountsSetup === 'kafka' ? createKafkaSetupIngest({ kafka: newKafka(), topic: config.topics.cdrs, pipeline }) : undefined;
    const kafkaIngest = newKafka
      ? createKafkaIngest({
          kafka: newKafka,
          groupId: config.kafka!.groupId,
          topics: { accounts: config.topics.accounts, cdrs: config.topics.cdrs, invoices: config.topics.invoices },
          pipeline,
          log: logger,
          metrics,
          stallAfterMs: config.stallAfterMs,
          now: () => clock.now().getTime(),
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
    const onSighup = () => {
      loadRules(config.rulesDir).then(applyRules, rejectRules);
      loadMappings(config.mappingsDir).then(
        (m) => (m.problems.length === 0 ? void (mappings = m.mappings) : rejectRules(new RulesError(m.problems))),
        rejectRules,
      );
    };
    let unwatch: (() => void) | null = null;

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
    const job = (name: string, everyMs: number, tick: () => Promise<void>, readiness?: () => Readiness): Service => {
      const j = intervalJob(name, everyMs, tick, { logger });
      return service(`job:${name}`, () => {
        j.start();
        void j.runNow();
      }, () => j.stop(), readiness);
    };

    // Every service, in start order; each is stopped in reverse, and /readyz is their readiness rolled up.
    const noop = () => undefined;
    const services: Service[] = [
      service('outbox', () => effects.dispatcher.start(), () => effects.close()),
      ...(dlq ? [service('dlq-producer', noop, () => dlq.disconnect())] : []),
      ...(kafkaSetup ? [service('setup-producer', noop, () => kafkaSetup.disconnect())] : []),
      // Writes every partition's checkpoint in full once the consumers have stopped (stopped after them).
      // With workers: started (each ready) before the consumers, and stopped after them (flush, then terminate).
      service('pipeline', () => workers?.start(), () => (workers ? workers.close() : pipeline.flushAll()), () => pipeline.memory.readiness()),
      service('rules', () => {
        unwatch ??= watchRules(config.rulesDir, (change) => (change.ok ? applyRules(change.rules) : rejectRules(change.error)));
        process.on('SIGHUP', onSighup);
      }, () => {
        unwatch?.();
        unwatch = null;
        process.off('SIGHUP', onSighup);
      }, () => (rules.fraud.length + rules.dunning.length === 0 ? { ready: false, reasons: ['no rules loaded'] } : READY)),
      ...(kafkaIngest ? [service('kafka-consumer', () => kafkaIngest.start(), () => kafkaIngest.stop(), () => kafkaIngest.readiness())] : []),
      service('dunning', () => dunning.start(), () => dunning.stop(), () => dunning.readiness()),
      job('db-health', 2_000, async () => {
        try {
          await db.query('SELECT 1');
          dbReady = true;
        } catch (err) {
          dbReady = false;
          dbError = (err as Error).message;
          throw err;
        }
      }, () => (dbReady ? READY : { ready: false, reasons: [`database unavailable: ${dbError}`] })),
      job('hold-expiry', 10_000, async () => void (await releaseExpiredHolds({ db, clock, logger, metrics, onCommitted: wakeOutbox }))),
      job('store-gauges', 5_000, () => refreshStoreGauges(db, metrics)),
    ];
    // The database's readiness comes first on /readyz, as it is the usual cause of the others. The status view was
    // started (and is released) with the database; it is rolled up here. Rule errors are details, not unreadiness.
    const dbHealth = services.find((s) => s.name === 'job:db-health')!;
    const statusViewReadiness = service('status-view', noop, noop, () => statusView.readiness());
    readinessOf = () => ({
      ...rollUp([dbHealth, statusViewReadiness, ...services.filter((s) => s !== dbHealth)]),
      details: { ruleErrors: ruleErrors.summary(), engineMemory: pipeline.memory.summary(), fraudEngine: config.fraudEngine, fraudEngineFallback: engineCannotHold(config.fraudEngine, rules.fraud) },
    });

    httpIngest = createHttpIngest(pipeline);
    if (config.authorizeCountsSetup === 'http') countSetup = createSetupIngest(pipeline);
    if (kafkaSetup) countSetup = kafkaSetup.count;
    deadLetterMapped = mappedDeadLetters({ db, dlq, metrics, cdrTopic: config.topics.cdrs, now: () => clock.now().getTime() });
    wake = wakeOutbox;

    // Start, in order; the releasers stop them in reverse (every stop is safe on a service that never started).
    for (const s of services) releasers.push({ name: s.name, release: () => s.stop() });
    for (const s of services) await s.start();
    logger.info({ url: address.url, kafka: config.kafka ? config.kafka.brokers : 'off', database: db.kind, fraudEngine: config.fraudEngine }, 'suspensiond started');

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
