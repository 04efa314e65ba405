// The one ingestion pipeline (issue 3): raw records from Kafka, HTTP ingest or replay -> decode -> dead letters,
// account upserts, invoice events + dunning evaluation, and CDRs through the source's fraud engine -> rule hits.
// Every DB write of a batch AND the lane's checkpoint commit in ONE transaction, which is what makes effects
// exactly-once on an at-least-once stream. Two kinds of checkpoint (checkpoint-repo.ts):
// - an effects checkpoint moves the partition's effects offset: with every batch that has effects, else every
//   `checkpointIntervalMs`. It is one row update.
// - a state checkpoint also stores the engine state (the parts of the accounts changed since the last one) and
//   moves the state offset to the same place: every `stateIntervalMs` on Kafka partitions, with every batch
//   elsewhere (HTTP cannot redeliver), and on revocation and shutdown.
// After a crash the engine is restored at the state offset and the records up to the effects offset are fed to it
// again with their effects suppressed (they are durable already): the engine is deterministic on event time, so it
// reaches the state it had, and the records after that are decided exactly once.
// Never: commits Kafka offsets (the consumer
// does, up to `durableNextOffset`), reads wall time for decisions (the injected clock), or branches on the source
// in decision code (live and replay share every line of it).
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { decodeRecord } from '../events/decode-record.js';
import type { AccountRecord, CdrRecord, InvoiceEventRecord } from '../events/types.js';
import type { Logger } from '../log.js';
import type { EventOutcome, Metrics } from '../metrics.js';
import type { FraudEngine, FraudRule, RuleSet } from '../rules/types.js';
import type { Database } from '../store/db.js';
import { loadCheckpoint, saveCheckpoint, saveEffectsOffset, saveState, type EngineDelta } from './checkpoint-repo.js';
import { insertDeadLetters, toDeadLetter } from './dead-letters.js';
import { laneKey, newLane, resetLane, runInLane, type Lane } from './lanes.js';
import { ProfileCache } from './profile-cache.js';
import { applyRuleHits, type CommittedDecision, type TimedHit } from './rule-hits.js';
import {
  CheckpointConflictError,
  type BatchResult,
  type DeadLetter,
  type DeadLetterSink,
  type IngestEffects,
  type RawRecord,
  type RecordResult,
  type Source,
} from './types.js';

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
  newId?: (prefix: 'h' | 'x' | 'd') => string;
}

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
  sources(): Source[];
}

const defaultNewId = (prefix: string) => `${prefix}-${randomBytes(9).toString('base64url')}`;

export function createPipeline(opts: PipelineOptions): Pipeline {
  const lanes = new Map<string, Lane>();
  const profiles = new ProfileCache(opts.defaultTimezone);
  const interval = opts.checkpointIntervalMs ?? 2_000;
  const maxRecords = opts.checkpointMaxRecords ?? 100_000;
  const stateInterval = opts.stateIntervalMs ?? 30_000;
  const stateMaxRecords = opts.stateMaxRecords ?? 250_000;
  const newId = opts.newId ?? defaultNewId;
  let rules = opts.rules;
  /**
   * Background state writes run one at a time across the pipeline's partitions: they are large, and several at
   * once would take the connections and the cores that the batches' effects need.
   */
  let stateQueue: Promise<unknown> = Promise.resolve();
  /** Bumped by setRules, which may run while a lane's checkpoint transaction is in flight (see markDurable). */
  let rulesEpoch = 0;

  const laneOf = (source: Source): Lane => {
    const key = laneKey(source);
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = newLane(source)));
    return lane;
  };

  async function ensureLoaded(lane: Lane): Promise<void> {
    if (lane.stateFailed) resetLane(lane);
    if (lane.loaded) return;
    // A background state write of an earlier incarnation of this lane lands first, so the load sees it.
    if (lane.stateWrite) await lane.stateWrite;
    const cp = lane.checkpoint ? await loadCheckpoint(opts.db, lane.checkpoint.topic, lane.checkpoint.partition) : null;
    lane.fence = cp?.effectsOffset ?? null;
    lane.stateAt = cp?.nextOffset ?? null;
    lane.applied = lane.stateAt ?? (lane.source.partition === 'http' ? 0 : null);
    lane.replayUntil = cp && cp.effectsOffset > cp.nextOffset ? cp.effectsOffset : null;
    if (lane.replayUntil !== null) {
      opts.log.info({ topic: lane.checkpoint!.topic, partition: lane.checkpoint!.partition, from: cp!.nextOffset, to: cp!.effectsOffset }, 'rebuilding engine state: records up to the effects offset are fed again without effects');
    }
    lane.engine = null;
    if (lane.source.kind === 'cdrs') {
      lane.engine = opts.createEngine(rules.fraud);
      if (cp?.shared) lane.engine.restoreParts(cp.shared, cp.accounts);
    }
    lane.pending = 0;
    lane.lastCheckpointAt = Date.now();
    lane.statePending = 0;
    lane.lastStateAt = Date.now();
    lane.forceState = false;
    lane.loaded = true;
  }

  /**
   * Kafka partitions of the fraud engine store their state in the background (startStateWrite), apart from the
   * effects; every other lane, and a partition's first checkpoint, store it with the batch.
   */
  function stateInBackground(lane: Lane): boolean {
    return lane.engine !== null && typeof lane.source.partition === 'number' && lane.fence !== null && lane.stateAt !== null;
  }

  function stateDue(lane: Lane): boolean {
    return lane.forceState || lane.statePending >= stateMaxRecords || Date.now() - lane.lastStateAt >= stateInterval;
  }

  function engineDelta(engine: FraudEngine): EngineDelta {
    const delta: EngineDelta = { shared: engine.snapshotShared(), upserts: [], deletes: [] };
    for (const id of engine.dirtyAccounts()) {
      const part = engine.snapshotAccount(id);
      if (part) delta.upserts.push([id, part]);
      else delta.deletes.push(id);
    }
    return delta;
  }

  /**
   * Stores the engine state at the lane's applied offset in its own transaction, while the lane goes on: the parts
   * are encoded now (the engine starts a new change set at once), written in the background, and the state offset
   * moves when that commits. A hold's commit never waits for it. A failure loses the change set, so the lane
   * reloads (state offset, then a rebuild up to the effects offset) before its next batch.
   */
  function startStateWrite(lane: Lane): void {
    const cp = lane.checkpoint!;
    const at = lane.applied!;
    const expected = lane.stateAt!;
    const delta = engineDelta(lane.engine!);
    lane.engine!.markClean();
    lane.statePending = 0;
    lane.lastStateAt = Date.now();
    lane.forceState = false;
    const write = stateQueue.then(() =>
      opts.db.transaction(async (tx) => {
        if (!(await saveState(tx, cp.topic, cp.partition, expected, at, delta))) {
          throw new CheckpointConflictError(`engine state of ${lane.key} moved under us (another owner?)`, null);
        }
      }),
    );
    stateQueue = write.catch(() => undefined);
    lane.stateWrite = write
      .then(
        () => {
          if (lane.stateAt === expected) lane.stateAt = at;
        },
        (err: unknown) => {
          lane.stateFailed = true;
          opts.log.warn({ err, topic: cp.topic, partition: cp.partition }, 'engine state write failed; the partition reloads its checkpoint');
        },
      )
      .finally(() => {
        lane.stateWrite = null;
      });
  }

  /** Both offsets and the engine delta, in the caller's transaction (no background state write may be in flight). */
  async function writeCheckpoint(tx: Parameters<Parameters<Database['transaction']>[0]>[0], lane: Lane, next: number): Promise<void> {
    const cp = lane.checkpoint!;
    const delta = lane.engine ? engineDelta(lane.engine) : null;
    lane.writtenEpoch = rulesEpoch;
    // While rebuilding after a restart the state may be stored behind the effects offset, which never moves back.
    const ok = await saveCheckpoint(tx, cp.topic, cp.partition, lane.fence, next, delta, Math.max(next, lane.fence ?? next));
    if (!ok) throw new CheckpointConflictError(`checkpoint of ${lane.key} moved under us (another owner?)`, null);
  }

  /** An effects checkpoint; nothing to write while still rebuilding behind the effects offset. */
  async function writeEffectsCheckpoint(tx: Parameters<Parameters<Database['transaction']>[0]>[0], lane: Lane, next: number): Promise<void> {
    const cp = lane.checkpoint!;
    if (lane.fence === null || next <= lane.fence) return;
    const ok = await saveEffectsOffset(tx, cp.topic, cp.partition, lane.fence, next);
    if (!ok) throw new CheckpointConflictError(`checkpoint of ${lane.key} moved under us (another owner?)`, null);
  }

  /**
   * Every record before this has its effects durable (null: no checkpoint yet): the stored effects offset, or the
   * state offset when that is further on (a record without effects needs nothing written). Kafka commits up to it.
   */
  function durableOf(lane: Lane): number | null {
    return lane.fence === null ? null : Math.max(lane.fence, lane.stateAt ?? lane.fence);
  }

  /** Starts a background state write when one is due and none is in flight (Kafka partitions of the engine). */
  function maybeStartStateWrite(lane: Lane): void {
    if (stateInBackground(lane) && lane.stateWrite === null && lane.applied !== lane.stateAt && stateDue(lane)) startStateWrite(lane);
  }

  /**
   * After the checkpoint's COMMIT: the written parts are durable, so the engine starts a new change set -- unless
   * the rules changed meanwhile, which re-encodes every account under new rule indices: those stay dirty.
   */
  function markDurable(lane: Lane, next: number): void {
    if (lane.writtenEpoch === rulesEpoch) lane.engine?.markClean();
    else lane.forceState = true;
    lane.writtenEpoch = null;
    const first = lane.fence === null;
    lane.fence = Math.max(next, lane.fence ?? next);
    lane.stateAt = next;
    lane.pending = 0;
    lane.lastCheckpointAt = Date.now();
    lane.statePending = 0;
    // Partitions that start together would store their state together: spread their next write over the second
    // half of the interval.
    lane.lastStateAt = first ? lane.lastCheckpointAt - Math.random() * 0.5 * stateInterval : lane.lastCheckpointAt;
  }

  /** After an effects checkpoint's COMMIT (or a due one with nothing to move: `next` is then behind the fence). */
  function markEffectsDurable(lane: Lane, next: number): void {
    if (lane.fence !== null) lane.fence = Math.max(lane.fence, next);
    lane.pending = 0;
    lane.lastCheckpointAt = Date.now();
  }

  async function run(lane: Lane, records: readonly RawRecord[]): Promise<BatchResult> {
    if (lane.stateFailed) {
      // The engine's change set is lost: reload from the checkpoint. Failing the batch makes the consumer seek back.
      resetLane(lane);
      throw new Error(`engine state write of ${lane.key} failed: reloading the checkpoint`);
    }
    await ensureLoaded(lane);
    const { source } = lane;
    const isKafka = typeof source.partition === 'number';
    const results: RecordResult[] = new Array(records.length);
    const letters: DeadLetter[] = [];
    const accounts: AccountRecord[] = [];
    const invoices: InvoiceEventRecord[] = [];
    const invoiceIndex: number[] = [];
    const cdrs: { i: number; cdr: CdrRecord; arrivedAtMs: number; replay?: true }[] = [];
    let skipped = 0;
    let last: number | null = null;
    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      if (isKafka) {
        if (lane.applied !== null && rec.offset! < lane.applied) {
          results[i] = { index: i, outcome: 'duplicate' };
          skipped++;
          continue;
        }
        last = rec.offset!;
      }
      const d = decodeRecord(source.kind, rec.value, rec.arrivedAtMs);
      if (isKafka && lane.replayUntil !== null && rec.offset! < lane.replayUntil) {
        // Rebuilding the engine after a restart: this record's effects (and dead letter) are durable already.
        results[i] = { index: i, outcome: 'duplicate' };
        if (d.ok && d.record.kind === 'cdrs') cdrs.push({ i, cdr: d.record.value, arrivedAtMs: rec.arrivedAtMs, replay: true });
        continue;
      }
      if (!d.ok) {
        letters.push(toDeadLetter(source, rec, d.error));
        results[i] = { index: i, outcome: 'rejected', error: d.error };
      } else {
        results[i] = { index: i, outcome: 'accepted' };
        if (d.record.kind === 'cdrs') cdrs.push({ i, cdr: d.record.value, arrivedAtMs: rec.arrivedAtMs });
        else if (d.record.kind === 'accounts') accounts.push(d.record.value);
        else {
          invoices.push(d.record.value);
          invoiceIndex.push(i);
        }
      }
    }
    const applied = records.length - skipped;
    const next = isKafka ? (last === null ? lane.applied : last + 1) : source.partition === 'http' ? lane.applied! + applied : null;

    const hits: TimedHit[] = [];
    if (cdrs.length > 0) {
      const byId = await profiles.load(opts.db, cdrs.map((c) => c.cdr.accountId), Date.now());
      const engine = lane.engine!;
      for (const c of cdrs) {
        const r = engine.process(c.cdr, byId.get(c.cdr.accountId)!);
        if (c.replay) continue;
        if (r.outcome === 'duplicate') results[c.i] = { index: c.i, outcome: 'duplicate' };
        for (const hit of r.hits) hits.push({ hit, arrivedAtMs: c.arrivedAtMs });
      }
    }
    lane.applied = next;
    lane.pending += applied;
    lane.statePending += applied;
    if (lane.replayUntil !== null && next !== null && next >= lane.replayUntil) lane.replayUntil = null;

    const hasEffects = letters.length + accounts.length + invoices.length + hits.length > 0;
    const checkpointNow =
      lane.checkpoint !== null && next !== null && applied > 0 &&
      (hasEffects || source.partition === 'http' || lane.pending >= maxRecords || Date.now() - lane.lastCheckpointAt >= interval);
    let decisions: CommittedDecision[] = [];
    let dunningDecisions: readonly ('suspend' | 'activate')[] = [];
    const writeState = checkpointNow && !stateInBackground(lane);
    // A full write (a lane's first) must not race a background state write.
    if (writeState && lane.stateWrite) await lane.stateWrite;
    if (hasEffects || checkpointNow) {
      const now = opts.clock.now();
      const ctx = { now: now.toISOString(), newId };
      try {
        decisions = await opts.db.transaction(async (tx) => {
          await insertDeadLetters(tx, letters, now.getTime());
          if (accounts.length > 0) await opts.effects.upsertAccounts(tx, accounts, ctx.now);
          if (invoices.length > 0) {
            const outcomes = await opts.effects.recordInvoiceEvents(tx, invoices);
            outcomes.forEach((o, k) => {
              if (o.outcome === 'duplicate' && k < invoiceIndex.length) results[invoiceIndex[k]!] = { index: invoiceIndex[k]!, outcome: 'duplicate' };
            });
          }
          // Invoice events and account snapshots both re-evaluate the dunning ladder (issue 13: a snapshot that takes
          // the account out of its policy's appliesTo ends the episode and lifts the dunning hold at once).
          const dunningIds = [...new Set([...invoices.map((e) => e.accountId), ...accounts.map((a) => a.id)])].sort();
          if (dunningIds.length > 0) dunningDecisions = (await opts.effects.evaluateAccounts(tx, dunningIds, now, rules.dunning)).decisions;
          const taken = await applyRuleHits(tx, hits, ctx, opts);
          if (writeState) await writeCheckpoint(tx, lane, next!);
          else if (checkpointNow) await writeEffectsCheckpoint(tx, lane, next!);
          // Produced before COMMIT: a crash after this re-delivers the batch and duplicates the letter, never loses it.
          if (letters.length > 0 && opts.dlq) await opts.dlq.send(letters);
          return taken;
        });
      } catch (err) {
        resetLane(lane);
        throw err;
      }
      for (const d of dunningDecisions) opts.metrics.decision('non_payment', 'dunning', d);
      if (writeState) markDurable(lane, next!);
      else if (checkpointNow) markEffectsDurable(lane, next!);
      if (accounts.length > 0) profiles.invalidate(accounts.map((a) => a.id));
      const committedAt = Date.now();
      for (const d of decisions) {
        opts.metrics.decision('fraud', 'rule', d.action);
        if (d.action === 'suspend') opts.metrics.observeDecisionLatency('fraud', Math.max(0, committedAt - d.arrivedAtMs) / 1000);
      }
      if (hasEffects) opts.onCommitted?.();
    }
    // A lane without a checkpoint row (replay) never writes parts: keep its change set from growing.
    if (lane.checkpoint === null) lane.engine?.markClean();
    else maybeStartStateWrite(lane);
    countOutcomes(source.kind, results);
    return { results, durableNextOffset: durableOf(lane), skipped };
  }

  function countOutcomes(topic: string, results: readonly RecordResult[]): void {
    const n: Record<EventOutcome, number> = { accepted: 0, duplicate: 0, rejected: 0 };
    for (const r of results) n[r.outcome]++;
    for (const k of ['accepted', 'duplicate', 'rejected'] as const) if (n[k] > 0) opts.metrics.eventProcessed(topic, k, n[k]);
  }

  /**
   * Writes what is deferred: on the consumer's timer (`full` false) an effects checkpoint, or the state when it is
   * due; on revocation and shutdown (`full` true) the state, so the next owner or start needs no rebuild.
   */
  async function flushLane(lane: Lane, full: boolean): Promise<number | null> {
    if (full && lane.stateWrite) await lane.stateWrite;
    // A failed background state write lost the engine's change set: nothing consistent to write. The next batch
    // fails, and the consumer reloads the checkpoint and seeks to it (run).
    if (lane.stateFailed) return durableOf(lane);
    if (!lane.loaded || lane.checkpoint === null || lane.applied === null) return durableOf(lane);
    const next = lane.applied;
    const writeState = full || !stateInBackground(lane);
    if (writeState ? lane.pending === 0 && lane.stateAt === next : lane.pending === 0 || lane.fence === null || next <= lane.fence) {
      if (!full) maybeStartStateWrite(lane);
      return durableOf(lane);
    }
    try {
      await opts.db.transaction(async (tx) => {
        if (writeState) await writeCheckpoint(tx, lane, next);
        else await writeEffectsCheckpoint(tx, lane, next);
      });
    } catch (err) {
      resetLane(lane);
      throw err;
    }
    if (writeState) markDurable(lane, next);
    else markEffectsDurable(lane, next);
    if (!full) maybeStartStateWrite(lane);
    return durableOf(lane);
  }


  return {
    processBatch: (source, records) => {
      const lane = laneOf(source);
      return runInLane(lane, () => run(lane, records));
    },
    prepare: (source) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        await ensureLoaded(lane);
        return lane.applied;
      });
    },
    rebuildFrom: (source) => {
      const lane = laneOf(source);
      return runInLane(lane, async () => {
        await ensureLoaded(lane);
        return lane.replayUntil !== null ? lane.applied : null;
      });
    },
    flush: (source, full = false) => {
      const lane = laneOf(source);
      return runInLane(lane, () => flushLane(lane, full));
    },
    flushAll: async () => {
      await Promise.all([...lanes.values()].map((lane) => runInLane(lane, () => flushLane(lane, true))));
    },
    release: async (source) => {
      const lane = lanes.get(laneKey(source));
      if (!lane) return;
      try {
        await runInLane(lane, () => flushLane(lane, true));
      } finally {
        lanes.delete(lane.key);
      }
    },
    reset: async (source) => {
      const lane = lanes.get(laneKey(source));
      if (lane) await runInLane(lane, async () => resetLane(lane));
    },
    setRules: (next) => {
      rules = next;
      rulesEpoch++;
      for (const lane of lanes.values()) {
        lane.engine?.setRules(next.fraud);
        // Store the state under the new rules soon, so a rebuild after a crash feeds few records under rules other
        // than the ones they first ran under.
        lane.forceState = true;
      }
    },
    engineOf: (source) => lanes.get(laneKey(source))?.engine ?? null,
    sources: () => [...lanes.values()].map((l) => l.source),
  };
}
