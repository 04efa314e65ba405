// The one module that touches prom-client (CONTRACT §7). Services call these named methods; they never import
// prom-client. Label values are bounded sets (topic, outcome, rule id, reason...): never an account id.
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** A registry's series as JSON (getMetricsAsJSON), as an ingest worker hands them to the main thread. */
export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export type EventOutcome = 'accepted' | 'duplicate' | 'rejected';
export type DecisionSource = 'rule' | 'dunning' | 'operator' | 'expiry';
export type DecisionAction = 'suspend' | 'activate' | 'review';
export type EmailOutcome = 'sent' | 'failed' | 'no_recipient';
export type IngestWorkerRestartReason = 'exit' | 'error' | 'hung';

export class Metrics {
  readonly registry = new Registry();

  private readonly events = new Counter({
    name: 'suspensiond_events_total',
    help: 'Input records by topic and outcome (accepted, duplicate, rejected)',
    labelNames: ['topic', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly ruleHits = new Counter({
    name: 'suspensiond_rule_hits_total',
    help: 'Fraud rule hits by rule and level (warn, suspend)',
    labelNames: ['rule', 'level'] as const,
    registers: [this.registry],
  });
  private readonly decisions = new Counter({
    name: 'suspensiond_decisions_total',
    help: 'Decisions by reason, source (rule, dunning, operator, expiry) and action (suspend, activate, review)',
    labelNames: ['reason', 'source', 'action'] as const,
    registers: [this.registry],
  });
  private readonly suspended = new Gauge({
    name: 'suspensiond_accounts_suspended',
    help: 'Accounts that have at least one hold of the reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly decisionLatency = new Histogram({
    name: 'suspensiond_decision_latency_seconds',
    help: "From the triggering event's arrival to the hold being committed",
    labelNames: ['reason'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly consumerLag = new Gauge({
    name: 'suspensiond_consumer_lag',
    help: "Messages between the group's position and the partition's end offset",
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  private readonly emails = new Counter({
    name: 'suspensiond_emails_total',
    help: 'Emails by template and outcome (sent, failed, no_recipient)',
    labelNames: ['template', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly outboxPending = new Gauge({
    name: 'suspensiond_outbox_pending',
    help: 'Outbox rows not yet done, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly overdueAccounts = new Gauge({
    name: 'suspensiond_dunning_overdue_accounts',
    help: 'Accounts with an overdue balance at or above their policy minimum',
    registers: [this.registry],
  });
  private readonly sweepDuration = new Histogram({
    name: 'suspensiond_dunning_sweep_duration_seconds',
    help: 'Duration of one dunning sweep',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  // Addition to CONTRACT §7 (issue 11): sweeps that failed, by the part that failed (`scan`: nobody was dunned;
  // `batch`: some accounts were not). An alert fires on any increase; /readyz names the last failure.
  private readonly sweepFailures = new Counter({
    name: 'suspensiond_dunning_sweep_failures_total',
    help: 'Dunning sweeps that failed, by the part that failed (scan or batch)',
    labelNames: ['part'] as const,
    registers: [this.registry],
  });
  // Addition to CONTRACT §7: effects given up on after their retries (a parked status means the switch missed it).
  private readonly outboxParked = new Counter({
    name: 'suspensiond_outbox_parked_total',
    help: 'Outbox rows parked after exhausting their retries, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  // Addition to CONTRACT §7: emails that wait for their account's snapshot or main contact (EMAIL_WAIT_FOR_CONTACT);
  // they are not in suspensiond_outbox_pending, and are parked (outcome no_recipient) when the wait runs out.
  private readonly emailsWaiting = new Gauge({
    name: 'suspensiond_emails_waiting_for_contact',
    help: "Emails waiting for their account's snapshot or main contact before they can be sent",
    registers: [this.registry],
  });
  // Addition to CONTRACT §7: the size of the review queue, for the Rules dashboard.
  private readonly decisionsPending = new Gauge({
    name: 'suspensiond_decisions_pending',
    help: 'Review decisions waiting for an operator',
    registers: [this.registry],
  });
  // Addition to CONTRACT §7: errors thrown while one rule judged one record (caught; the rule's verdict is lost).
  private readonly ruleErrors = new Counter({
    name: 'suspensiond_rule_errors_total',
    help: 'Errors thrown while a fraud rule judged a record, by rule (caught: the other rules and records go on)',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  // Addition (issue 17): FRAUD_ENGINE=fused lanes that run the classic engine instead (same decisions, slower).
  private readonly fraudEngineFallbacks = new Counter({
    name: 'suspensiond_fraud_engine_fallbacks_total',
    help: 'Fraud engine lanes built or moved to the classic engine although FRAUD_ENGINE=fused (the reason is logged; decisions are the same)',
    registers: [this.registry],
  });
  // Addition to CONTRACT §7 (issue 11): a partition with lag whose committed offset has not moved for STALL_AFTER.
  private readonly partitionStalled = new Gauge({
    name: 'suspensiond_partition_stalled',
    help: '1 while the partition has lag and its committed offset has not moved for STALL_AFTER, else 0',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  private readonly rulesReloads = new Counter({
    name: 'suspensiond_rules_reloads_total',
    help: 'Rule reloads by outcome (success, failure)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  // Call authorization (issue 15): the in-memory status view and its answers.
  private readonly statusViewUp = new Gauge({
    name: 'suspensiond_status_view_up',
    help: 'Whether the in-memory status view that answers /v1/authorize is loaded and following changes (1) or not (0)',
    registers: [this.registry],
  });
  // Per-request counts of /v1/authorize and the read caches are kept in plain numbers and handed to prom-client when
  // the registry is read (prom-client hashes and checks the labels on every inc, a cost on the fast path).
  private readonly pendingLookups = { token: { hit: 0, miss: 0, bypass: 0 }, account: { hit: 0, miss: 0, bypass: 0 } };
  private readonly pendingAuthorizations = { allow: 0, deny: 0, emergency: 0, unknown_account: 0 };
  // Fast reads (issue 17): the API's in-memory token and account caches.
  private readonly readCacheLookups: Counter<'cache' | 'outcome'> = new Counter({
    name: 'suspensiond_read_cache_lookups_total',
    help: 'Lookups in the API read caches (cache: token, account) by outcome: hit; miss (read from the store); bypass (the change feed is not following, so the store answers)',
    labelNames: ['cache', 'outcome'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [cache, byOutcome] of Object.entries(this.pendingLookups)) {
        for (const [outcome, n] of Object.entries(byOutcome)) if (n > 0) this.readCacheLookups.inc({ cache, outcome }, n);
        byOutcome.hit = byOutcome.miss = byOutcome.bypass = 0;
      }
    },
  });
  private readonly authorizations: Counter<'outcome'> = new Counter({
    name: 'suspensiond_authorize_total',
    help: 'Call authorization answers by outcome (allow, deny, emergency, unknown_account)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
    collect: () => {
      const p = this.pendingAuthorizations;
      for (const [outcome, n] of Object.entries(p)) if (n > 0) this.authorizations.inc({ outcome }, n);
      p.allow = p.deny = p.emergency = p.unknown_account = 0;
    },
  });

  // Set-ups counted through /v1/authorize (issue 15, prevention): each needs a database transaction.
  private readonly authorizeSetups = new Counter({
    name: 'suspensiond_authorize_setups_total',
    help: 'Authorization requests with a call id, by what became of the set-up: counted, duplicate (counted before), not_counted (emergency, already denied, counting off), failed (database unavailable: answered from the view, the end record counts the call)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly authorizeSetupSeconds = new Histogram({
    name: 'suspensiond_authorize_setup_seconds',
    help: 'Time to count a set-up through /v1/authorize (group commit included), until the answer',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  // Never out of memory (issue 17): the fraud engines' memory budget (src/ingest/engine-memory.ts).
  private readonly engineSpills = new Counter({
    name: 'suspensiond_engine_spills_total',
    help: 'Accounts whose fraud engine state was dropped from memory (its stored part current) because the engines were past their memory budget',
    registers: [this.registry],
  });
  private readonly engineLoads = new Counter({
    name: 'suspensiond_engine_loads_total',
    help: 'Spilled accounts whose fraud engine state was read back from the store on their next record',
    registers: [this.registry],
  });
  private readonly engineLoadFailures = new Counter({
    name: 'suspensiond_engine_load_failures_total',
    help: 'Failed reads of spilled accounts\' state (the batch is retried; /readyz is unready until a read succeeds)',
    registers: [this.registry],
  });
  private readonly engineMemoryBytes = new Gauge({
    name: 'suspensiond_engine_memory_bytes',
    help: 'Bytes the fraud engines\' stores hold (dedupe tables, accounts in memory, room kept for absent accounts), measured after each batch',
    registers: [this.registry],
  });
  private readonly engineMemoryBudget = new Gauge({
    name: 'suspensiond_engine_memory_budget_bytes',
    help: 'The fraud engines\' memory budget (ENGINE_MEMORY_BUDGET); absent when there is none',
    registers: [this.registry],
  });
  private readonly engineAccounts = new Gauge({
    name: 'suspensiond_engine_accounts',
    help: 'Accounts with fraud engine state, by where it is (memory, spilled)',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });

  // Parallel partitions (issue 17): ingest worker threads, each with its own Metrics merged into /metrics.
  // `reason`: exit (the thread ended), error (it threw), hung (no heartbeat, or a call unanswered past its deadline:
  // terminated by the main thread).
  private readonly workerRestarts = new Counter({
    name: 'suspensiond_ingest_worker_restarts_total',
    help: 'Ingest worker threads that stopped and were started again, by reason: exit, error, hung (terminated: no heartbeat or a call unanswered past its deadline); their partitions reload their checkpoints',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly workersUp = new Gauge({
    name: 'suspensiond_ingest_workers_up',
    help: 'Ingest worker threads running and answering (INGEST_WORKERS when all are)',
    registers: [this.registry],
  });
  /** Other registries' series (the ingest workers'), summed into this one's on render. */
  private readonly sources: (() => Promise<MetricsJson>)[] = [];

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // Known label values start at zero so dashboards and alerts see a series before the first event.
    for (const reason of ['fraud', 'non_payment']) this.suspended.set({ reason }, 0);
    for (const outcome of ['success', 'failure']) this.rulesReloads.inc({ outcome }, 0);
    this.overdueAccounts.set(0);
    this.decisionsPending.set(0);
    this.emailsWaiting.set(0);
    for (const kind of ['status', 'email']) this.outboxParked.inc({ kind }, 0);
    for (const reason of ['exit', 'error', 'hung']) this.workerRestarts.inc({ reason }, 0);
  }

  eventProcessed(topic: string, outcome: EventOutcome, n = 1): void {
    this.events.inc({ topic, outcome }, n);
  }
  ruleHit(rule: string, level: 'warn' | 'suspend'): void {
    this.ruleHits.inc({ rule, level });
  }
  decision(reason: string, source: DecisionSource, action: DecisionAction): void {
    this.decisions.inc({ reason, source, action });
  }
  setAccountsSuspended(reason: string, count: number): void {
    this.suspended.set({ reason }, count);
  }
  observeDecisionLatency(reason: string, seconds: number): void {
    this.decisionLatency.observe({ reason }, seconds);
  }
  setConsumerLag(topic: string, partition: number, lag: number): void {
    this.consumerLag.set({ topic, partition: String(partition) }, lag);
  }
  setPartitionStalled(topic: string, partition: number, stalled: boolean): void {
    this.partitionStalled.set({ topic, partition: String(partition) }, stalled ? 1 : 0);
  }
  email(template: string, outcome: EmailOutcome): void {
    this.emails.inc({ template, outcome });
  }
  setOutboxPending(kind: string, count: number): void {
    this.outboxPending.set({ kind }, count);
  }
  setEmailsWaitingForContact(count: number): void {
    this.emailsWaiting.set(count);
  }
  outboxRowParked(kind: string, n = 1): void {
    this.outboxParked.inc({ kind }, n);
  }
  setOverdueAccounts(count: number): void {
    this.overdueAccounts.set(count);
  }
  observeSweep(seconds: number): void {
    this.sweepDuration.observe(seconds);
  }
  sweepFailed(part: 'scan' | 'batch'): void {
    this.sweepFailures.inc({ part });
  }
  setDecisionsPending(count: number): void {
    this.decisionsPending.set(count);
  }
  /** The last rules reload's outcome and when it was counted (the console's Rules page); null before any reload. */
  lastRulesReload: { outcome: 'success' | 'failure'; at: string } | null = null;
  fraudEngineFallback(): void {
    this.fraudEngineFallbacks.inc();
  }
  ruleError(rule: string): void {
    this.ruleErrors.inc({ rule });
  }
  rulesReloaded(outcome: 'success' | 'failure'): void {
    this.rulesReloads.inc({ outcome });
    this.lastRulesReload = { outcome, at: new Date().toISOString() };
  }

  setStatusViewUp(up: boolean): void {
    this.statusViewUp.set(up ? 1 : 0);
  }
  readCacheLookup(cache: 'token' | 'account', outcome: 'hit' | 'miss' | 'bypass'): void {
    this.pendingLookups[cache][outcome]++;
  }
  authorized(outcome: 'allow' | 'deny' | 'emergency' | 'unknown_account'): void {
    this.pendingAuthorizations[outcome]++;
  }

  authorizeSetup(outcome: 'counted' | 'duplicate' | 'not_counted' | 'failed', seconds?: number): void {
    this.authorizeSetups.inc({ outcome });
    if (seconds !== undefined) this.authorizeSetupSeconds.observe(seconds);
  }

  engineSpilled(n: number): void {
    this.engineSpills.inc(n);
  }
  engineLoaded(n: number): void {
    this.engineLoads.inc(n);
  }
  engineLoadFailed(): void {
    this.engineLoadFailures.inc();
  }
  setEngineMemory(m: { budgetBytes: number | null; bytes: number; inMemory: number; spilled: number }): void {
    if (m.budgetBytes !== null) this.engineMemoryBudget.set(m.budgetBytes);
    this.engineMemoryBytes.set(m.bytes);
    this.engineAccounts.set({ where: 'memory' }, m.inMemory);
    this.engineAccounts.set({ where: 'spilled' }, m.spilled);
  }

  ingestWorkerRestarted(reason: IngestWorkerRestartReason): void {
    this.workerRestarts.inc({ reason });
  }
  setIngestWorkersUp(n: number): void {
    this.workersUp.set(n);
  }
  /** Adds a source of series (an ingest worker's registry) to render; a source that fails is left out of that render. */
  addSource(read: () => Promise<MetricsJson>): void {
    this.sources.push(read);
  }

  contentType(): string {
    return this.registry.contentType;
  }
  async render(): Promise<string> {
    if (this.sources.length === 0) return this.registry.metrics();
    const theirs = await Promise.all(this.sources.map((read) => read().catch(() => [] as MetricsJson)));
    // Counters, gauges and histograms of the same name and labels are summed (the workers own disjoint partitions).
    return AggregatorRegistry.aggregate([await this.registry.getMetricsAsJSON(), ...theirs]).metrics();
  }
  /** This registry's series as JSON, for the main thread to merge (ingest workers). */
  json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON();
  }
}
