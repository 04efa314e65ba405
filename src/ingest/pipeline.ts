// The one ingestion pipeline (issues 3, 11): raw records from Kafka, HTTP ingest or replay go through three steps,
// each giving one typed result per record (results.ts: ok, duplicate, dead_letter, or retry, which stops the batch
// and hands its error to the caller to try it again later): decode (decode-step.ts), evaluate (evaluate-step.ts:
// CDRs through the source's fraud engine -> rule hits) and commit (commit-step.ts: dead letters, account upserts,
// invoice events + dunning evaluation, rule hits). A
// record that fails on its own at any step is dead-lettered alone and the batch goes on; metrics and logs of what
// the batch did come after its COMMIT. Every DB write of a batch AND the lane's checkpoint commit in ONE
// transaction, which is what makes effects exactly-once on an at-least-once stream. Each lane's offsets, engine
// and checkpoint writes (effects, full, background state) are its PartitionCheckpoint (partition-checkpoint.ts).
// After a crash the engine is restored at the state offset and the records up to the effects offset are fed to it
// again with their effects suppressed (they are durable already): the engine is deterministic on event time, so it
// reaches the state it had, and the records after that are decided exactly once.
// Never: commits Kafka offsets (the consumer does, up to `durableOffset`), reads wall time for decisions (the
// injected clock), or branches on the source in decision code (live and replay share every line of it).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { FraudEngine, FraudRule, RuleSet } from '../rules/types.js';
import type { Database, Queryable } from '../store/db.js';
import { loadAccountHeads, loadAccountParts, saveAccountParts } from './account-parts-repo.js';
import { pgCheckpointStore } from './checkpoint-repo.js';
import { commitBatch, hasEffects, type Committed } from './commit-step.js';
import { decodeBatch, type DecodedBatch } from './decode-step.js';
import { EngineMemory, type MemoryLane } from './engine-memory.js';
import { evaluateBatch, type Effect } from './evaluate-step.js';
import { checkpointRowOf, laneKey, runInLane, type Lane } from './lanes.js';
import { PartitionCheckpoint, type CheckpointTuning } from './partition-checkpoint.js';
import { ProfileCache } from './profile-cache.js';
import { lazyResults, outcomeOf, type StepResult } from './results.js';
import { reportRuleHits, type HitOutcome } from './rule-hits.js';
import { CheckpointConflictError, type BatchDecision, type BatchResult, type DeadLetterSink, type IngestEffects, type RawRecord, type RecordResult, type Source } from './types.js';

export interface PipelineOptions {
  db: Database;
  effects: IngestEffects;
  /** Null without Kafka: dead letters are then only stored. */
  dlq: DeadLetterSink | null;
  createEngine: (rules: readonly FraudRule[]) => FraudEngine;
  rules: RuleSet;
  enforce: boolean;
  defaultTimezone: string;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  /** Called after every commit that wrote effects (wakes the outbox dispatcher). */
  onCommitted?: () => void;
  /**
   * A batch without DB effects may defer its checkpoint this long (default 2 s)... A checkpoint writes the parts of
   * the accounts changed since the previous one (~1.5 KB each with the default rules; bench/README.md, Ingest).
   */
  checkpointIntervalMs?: number;
  /** ...or this many records. */
  checkpointMaxRecords?: number;
  /**
   * On Kafka partitions, the engine state is stored this often (default 30 s) or every `stateMaxRecords` records
   * (default 250,000): the most a restart after a crash feeds to the engine again.
   */
  stateIntervalMs?: number;
  stateMaxRecords?: number;
  /** ...or as soon as this many of a partition's accounts changed (default 2,500; see CheckpointTuning). */
  stateMaxAccounts?: number;
  /** ...but at most once per this long for the account count alone (default 1 s; see CheckpointTuning). */
  stateMinSpacingMs?: number;
  /** Accounts a background state write encodes per slice, between batches (default 256; see CheckpointTuning). */
  stateSliceAccounts?: number;
  newId?: (prefix: 'h' | 'x' | 'd') => string;
  /**
   * The fraud engines' memory budget in bytes (issue 17; default: none). Past it, the least recently active
   * accounts' state is dropped from memory and read back from the store on their next record (engine-memory.ts).
   */
  engineMemoryBudgetBytes?: number;
}

export type BatchObserver = (source: Source, records: readonly RawRecord[], result: BatchResult) => void;

export interface Pipeline {
  processBatch(source: Source, records: readonly RawRecord[]): Promise<BatchResult>;
  /** Loads the lane's checkpoint if needed; returns the next offset to apply (null: no checkpoint yet). */
  prepare(source: Source): Promise<number | null>;
  /**
   * Loads the lane's checkpoint if needed; when its engine state is behind its effects offset (a crash), returns
   * the offset to fetch from to rebuild it, else null.
   */
  rebuildFrom(source: Source): Promise<number | null>;
  /**
   * Writes a deferred checkpoint now: the effects offset, or the engine state when it is due or `full` is set
   * (shutdown). Returns the durable next offset (the effects offset).
   */
  flush(source: Source, full?: boolean): Promise<number | null>;
  flushAll(): Promise<void>;
  /** Revocation: flush, then drop the lane's engine. */
  release(source: Source): Promise<void>;
  /** Failure: drop the lane without writing (the next batch reloads the checkpoint). */
  reset(source: Source): Promise<void>;
  setRules(rules: RuleSet): void;
  /** The lane's engine (for replay reports and tests). */
  engineOf(source: Source): FraudEngine | null;
  /** Told each batch's result once it is committed (set-up authorization on Kafka waits for its record); returns the removal. */
  observe(fn: BatchObserver): () => void;
  sources(): Source[];
  /** The engines' memory budget: spills, loads, pressure (metrics and /readyz). */
  readonly memory: PipelineMemory;
}

/** What the composition root reads of the engines' memory (one EngineMemory, or the sum over ingest workers). */
export type PipelineMemory = Pick<EngineMemory, 'summary' | 'readiness'>;

const decisionOf = (o: HitOutcome): BatchDecision => ({
  index: o.index ?? -1, accountId: o.hit.accountId, ruleId: o.hit.ruleId, level: o.hit.level, action: o.action, holdId: o.holdId,
});

/**
 * The batch's answer. The per-record results are built only if read (HTTP ingest, set-up counting, replay): the Kafka
 * consumer reads only the offsets. Made here, not in the pipeline's `run`: a closure there would keep all of run's
 * captured variables -- the batch's raw records among them -- alive as long as the answer.
 */
function answerOf(final: readonly StepResult<Effect>[], durableOffset: number | null, skipped: number): BatchResult {
  return lazyResults({ durableOffset, skipped } as Omit<BatchResult, 'results'>, () =>
    final.map((r, index): RecordResult => {
      const outcome = outcomeOf(r);
      return r.type === 'dead_letter' ? { index, outcome, error: r.reason } : { index, outcome };
    }),
  );
}

/**
 * cp.beforeChange for the account of each CDR of the batch, those only rebuilding included, in order of first
 * appearance: what calling it once for each id of cdrAccounts' Set does (beforeChange encodes an account once and
 * ignores it after), without building the Set (branch pipe10; test/unit/ingest/before-changes.test.ts holds the two
 * to the same calls).
 */
export function beforeChanges(cp: { readonly encodingState: boolean; beforeChange(accountId: string): void }, decoded: Pick<DecodedBatch, 'rebuild' | 'results'>): void {
  for (const c of decoded.rebuild) {
    if (!cp.encodingState) return;
    cp.beforeChange(c.cdr.accountId);
  }
  for (const r of decoded.results) {
    if (!cp.encodingState) return;
    if (r.type === 'ok' && r.value.kind === 'cdrs') cp.beforeChange(r.value.value.accountId);
  }
}

const defaultNewId = (prefix: string) => `${prefix}-${randomBytes(9).toString('base64url')}`;

export function createPipeline(opts: PipelineOptions): Pipeline {
  const lanes = new Map<string, Lane>();
  const profiles = new ProfileCache(opts.defaultTimezone);
  const store = pgCheckpointStore(opts.db);
  const tuning: CheckpointTuning = {
    checkpointIntervalMs: opts.checkpointIntervalMs ?? 2_000,
    checkpointMaxRecords: opts.checkpointMaxRecords ?? 100_000,
    stateIntervalMs: opts.stateIntervalMs ?? 30_000,
    stateMaxRecords: opts.stateMaxRecords ?? 250_000,
    stateMaxAccounts: opts.stateMaxAccounts ?? 2_500,
    stateMinSpacingMs: opts.stateMinSpacingMs ?? 1_000,
    stateSliceAccounts: opts.stateSliceAccounts ?? 256,
  };
  const newId = opts.newId ?? defaultNewId;
  let rules = opts.rules;
  const budget = opts.engineMemoryBudgetBytes ?? Number.POSITIVE_INFINITY;
  const memory = new EngineMemory({
    budgetBytes: budget,
    loadParts: (topic, partition, ids, q, at) => loadAccountParts(q ?? opts.db, topic, partition, ids, at),
    saveParts: saveAccountParts,
    metrics: opts.metrics,
    log: opts.log,
  });
  const memLane = (lane: Lane): MemoryLane => ({ key: lane.key, row: checkpointRowOf(lane.source), checkpoint: lane.checkpoint });
  /**
   * Background state writes run one at a time across the pipeline's partitions: they are large, and several at
   * once would take the connections and the cores that the batches' effects need.
   */
  let stateQueue: Promise<unknown> = Promise.resolve();
  const queue = {
    run<T>(write: () => Promise<T>): Promise<T> {
      const run = stateQueue.then(write);
      stateQueue = run.catch(() => undefined);
      return run;
    },
  };

  const laneOf = (source: Source): Lane => {
    const key = laneKey(source);
    let lane = lanes.get(key);
    if (!lane) {
      const row = checkpointRowOf(source);
      const checkpoint = new PartitionCheckpoint<FraudEngine, Queryable>({
        row,
        kind: typeof source.partition === 'number' ? 'kafka' : source.partition,
        store,
        createEngine: () => (source.kind === 'cdrs' ? opts.createEngine(rules.fraud) : null),
        queue,
        tuning,
        now: Date.now,
        onRebuild: (from, to) => opts.log.info({ topic: row!.topic, partition: row!.partition, from, to }, 'rebuilding engine state: records up to the effects offset are fed again without effects'),
        onStateWriteFailed: (err) => opts.log.warn({ err, topic: row!.topic, partition: row!.partition }, 'engine state write failed; the partition reloads its checkpoint'),
        // Under a memory budget the stored accounts are read at once only if they fit; else each comes back on its
        // next record.
        ...(row !== null && source.kind === 'cdrs' && Number.isFinite(budget)
          ? {
              // Read at the loaded state offset (else a conflict, and the next batch loads again): the parts carry
              // no dedupe keys, so parts newer than the segments read with the row would count records twice.
              restoreLazily: async (engine: FraudEngine, shared: Uint8Array, dedupe: readonly Uint8Array[], at: number) => {
                const stored = await loadAccountHeads(opts.db, row.topic, row.partition, at);
                // An engine that cannot spill (none of today's: FraudEngine.spill is optional) reads them all.
                if (!engine.spill || memory.fits(stored.length)) engine.restoreParts(shared, await loadAccountParts(opts.db, row.topic, row.partition, null, at), dedupe);
                else memory.adopt(key, engine, shared, stored);
              },
            }
          : {}),
        migrateStored: () => {
          const lane = lanes.get(key);
          return lane ? memory.migration(memLane(lane)) : null;
        },
      });
      lanes.set(key, (lane = { key, source, checkpoint, tail: Promise.resolve() }));
    }
    return lane;
  };

  /**
   * One batch of one lane: decode -> evaluate -> commit (decode-step.ts, evaluate-step.ts, commit-step.ts), each
   * giving one typed result per record; what the batch did is counted and logged only after its COMMIT.
   */
  async function run(lane: Lane, records: readonly RawRecord[]): Promise<BatchResult> {
    const cp = lane.checkpoint;
    if (cp.mode === 'failed') {
      // The engine's change set is lost: reload from the checkpoint. Failing the batch makes the consumer seek back.
      cp.reset();
      throw new Error(`engine state write of ${lane.key} failed: reloading the checkpoint`);
    }
    // Loaded already (the usual batch): no await, so the batch decodes and evaluates in one run (evaluate-step.ts).
    const reloading = cp.mode === 'unloaded';
    if (reloading) await cp.load();
    const { source } = lane;
    const isKafka = typeof source.partition === 'number';
    // A Kafka batch may have been fetched, and queued behind this lane, before the lane reset (a failed batch, a
    // checkpoint conflict): it then starts past the offset the lane reloaded at, and applying it would skip the
    // records in between for good (their offsets would be committed). Refuse it; the consumer seeks back to the
    // checkpoint. Only on a reload here: a lane the consumer positioned (prepare, then seek) applies what follows,
    // transaction markers included (rebalance.test.ts lost 729 records this way, 30 November).
    const first = records[0]?.offset;
    if (isKafka && reloading && cp.applied !== null && first !== undefined && first > cp.applied) {
      throw new CheckpointConflictError(`batch of ${lane.key} starts at offset ${first}, past ${cp.applied} where its checkpoint reloaded: seeking back`, cp.applied);
    }
    const decoded = decodeBatch(source.kind, records, { kafka: isKafka, appliedOffset: isKafka ? cp.applied : null, rebuildUntil: isKafka ? cp.rebuildUntil : null });
    const applied = records.length - decoded.skipped;
    const next = isKafka
      ? decoded.lastOffset === null ? cp.applied : decoded.lastOffset + 1
      : source.partition === 'http' ? cp.applied! + applied : null;
    // A background state write still encoding encodes the batch's accounts before the engine changes them: record by
    // record, in the order of cdrAccounts (beforeChange encodes an account once and ignores it after), without
    // building the batch's Set of ids for it (in (b) some write is encoding for most batches).
    if (cp.encodingState) beforeChanges(cp, decoded);
    // Spilled accounts of the batch come back before the engine sees any of its records.
    if (cp.engine && memory.hasSpilled(lane.key)) await memory.beforeBatch(memLane(lane), cdrAccounts(decoded));
    const evaluating = evaluateBatch({
      results: decoded.results,
      arrivedAtMs: (index) => records[index]!.arrivedAtMs,
      rebuild: decoded.rebuild,
      engine: cp.engine,
      profiles,
      db: opts.db,
      nowMs: Date.now(),
    });
    const evaluated = Array.isArray(evaluating) ? evaluating : await evaluating;
    // The database is unavailable: nothing was done (the engine has not seen the batch); the consumer retries.
    throwIfRetry(evaluated);
    cp.advance(next, applied);
    memory.afterEvaluate(memLane(lane));

    const effects = hasEffects(evaluated);
    const write = cp.writeDue(next, applied, effects);
    if (write === 'full') await cp.settle();
    let final: readonly StepResult<Effect>[] = evaluated;
    let decisions: BatchDecision[] | undefined;
    if (effects || write !== 'none') {
      let committed: Committed;
      try {
        committed = await commitBatch(
          {
            source,
            records,
            results: evaluated,
            ctx: { now: opts.clock.now().toISOString(), newId },
            dunning: rules.dunning,
            checkpoint: (tx) => cp.write(tx, write, next!),
          },
          opts,
        );
        throwIfRetry(committed.results);
      } catch (err) {
        // Nothing was committed, but the engine has seen the batch: reload from the checkpoint.
        cp.reset();
        throw err;
      }
      // After the COMMIT: the checkpoint is durable, and what the batch did is counted and logged once.
      cp.committed(write, next!);
      final = committed.results;
      for (const d of committed.dunning) opts.metrics.decision('non_payment', 'dunning', d);
      const written = final.flatMap((r) => (r.type === 'ok' && r.value.kind === 'accounts' ? [r.value.value.id] : []));
      if (written.length > 0) profiles.invalidate(written);
      reportRuleHits(committed.hits, opts.metrics, opts.log, Date.now());
      if (committed.hits.length > 0) decisions = committed.hits.map(decisionOf);
      if (effects) opts.onCommitted?.();
    }
    cp.afterBatch();
    memory.afterBatch(memLane(lane));
    countOutcomes(source.kind, final);
    const out = answerOf(final, cp.durableOffset(), decoded.skipped);
    if (decisions) out.decisions = decisions;
    return out;
  }

  /** The accounts of the batch's CDRs, those only rebuilding the engine's state included. */
  function cdrAccounts(decoded: ReturnType<typeof decodeBatch>): Set<string> {
    const ids = new Set<string>();
    for (const c of decoded.rebuild) ids.add(c.cdr.accountId);
    for (const r of decoded.results) if (r.type === 'ok' && r.value.kind === 'cdrs') ids.add(r.value.value.accountId);
    return ids;
  }

  /** A `retry` result stops the batch: its error goes to the caller (the consumer pauses and tries it again). */
  function throwIfRetry(results: readonly StepResult<unknown>[]): void {
    const r = results.find((x) => x.type === 'retry');
    if (r?.type === 'retry') throw r.error;
  }

  /** Counted from the final step results: no answer object per record for it. */
  function countOutcomes(topic: string, results: readonly StepResult<Effect>[]): void {
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    for (const r of results) {
      if (r.type === 'ok') accepted++;
      else if (r.type === 'duplicate') duplicates++;
      else if (r.type === 'dead_letter') rejected++;
      else outcomeOf(r); // a retry has no outcome: it throws, as it did
    }
    if (accepted > 0) opts.metrics.eventProcessed(topic, 'accepted', accepted);
    if (duplicates > 0) opts.metrics.eventProcessed(topic, 'duplicate', duplicates);
    if (rejected > 0) opts.metrics.eventProcessed(topic, 'rejected', rejected);
  }

  const observers = new Set<BatchObserver>();
  return {
    processBatch: (source, records) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        const result = await run(lane, records);
        for (const fn of observers) {
          try {
            fn(source, records, result);
          } catch (err) {
            // Committed already: an observer's failure is logged, never the batch's.
            opts.log.error({ err, topic: source.topicName, partition: source.partition }, 'batch observer failed');
          }
        }
        return result;
      });
    },
    prepare: (source) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        await lane.checkpoint.load();
        return lane.checkpoint.applied;
      });
    },
    rebuildFrom: (source) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        await lane.checkpoint.load();
        return lane.checkpoint.mode === 'rebuilding' ? lane.checkpoint.applied : null;
      });
    },
    flush: (source, full = false) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        const durable = await lane.checkpoint.flush(full);
        // A state write may have just made the lane's accounts clean: past the budget, they can go now.
        if (!full) memory.afterBatch(memLane(lane));
        return durable;
      });
    },
    flushAll: async () => {
      await Promise.all([...lanes.values()].map((lane) => runInLane(lane, () => lane.checkpoint.flush(true))));
    },
    release: async (source) => {
      const lane = lanes.get(laneKey(source));
      if (!lane) return;
      try {
        await runInLane(lane, () => lane.checkpoint.flush(true));
      } finally {
        lanes.delete(lane.key);
        memory.release(lane.key);
      }
    },
    reset: async (source) => {
      const lane = lanes.get(laneKey(source));
      if (lane) await runInLane(lane, async () => lane.checkpoint.reset());
    },
    setRules: (next) => {
      rules = next;
      for (const lane of lanes.values()) {
        // A write still encoding stores the state under the rules it started with.
        lane.checkpoint.finishEncoding();
        memory.changeRules(memLane(lane), () => lane.checkpoint.engine?.setRules(next.fraud));
        lane.checkpoint.rulesChanged();
      }
    },
    engineOf: (source) => lanes.get(laneKey(source))?.checkpoint.engine ?? null,
    observe: (fn) => {
      observers.add(fn);
      return () => void observers.delete(fn);
    },
    sources: () => [...lanes.values()].map((l) => l.source),
    memory,
  };
}
