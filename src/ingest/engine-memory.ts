// The fraud engines' memory budget (issue 17, "never out of memory"), across the pipeline's partitions. After each
// batch of a partition, if the process holds more accounts than the budget (spill-policy.ts), the partition spills
// the least recently active of its CLEAN accounts (stored part current, engine-spill.ts): they leave memory and
// their ids, latest event times and the rules their part was written under go into the partition's spill index.
// Before a batch is evaluated, the spilled accounts among its CDRs' accounts are read back in one query and put back,
// so the engine judges every record on the state an unbounded run would hold. Why this is exact:
// - a spilled account is clean, so its stored part is what memory held; it cannot change while out (any record of
//   it loads it first); a part still in a background state write is waited for (`settle`), and a failed write
//   resets the lane, which reloads everything from the store;
// - an account new to the partition is not in the index, so it starts empty without a query;
// - the idle sweep forgets accounts by event time: the index applies each sweep's threshold to its accounts too
//   (`sweepIndex`, before the batch's checkpoint is written) and has their stored parts deleted, as the engine does
//   for the accounts it holds; a spilled account's dedupe keys stay in the engine (engine-spill.ts; a part written
//   before dedupe segments also lists its keys, pruned on load at the last sweep's threshold);
// - a rule change re-encodes the accounts in memory; a spilled part is carried through every change since it was
//   written, on load, and the next state write rewrites the stored ones under the new rules in its transaction
//   (`migration`), so the stored shared part names the rules of every stored part;
// - a restart reads the shared part and every stored account's id and latest event time: if they fit in the budget
//   the parts are read at once, as without a budget; else all start spilled (`adopt`), under the rules the stored
//   shared part names; the dedupe horizon is read at once either way (the stored segments; the keys listed in parts
//   written before segments come back with their accounts).
// Bytes (issue 17 follow-up): the budget counts what the engines' stores hold (account-bytes.ts engineBytes), not a
// constant per account: an account's state grows over its day (~4x by a steady day at 5 calls an hour). The
// engine-wide dedupe tables are not released by spilling, so they come off the budget first and the accounts share
// the rest, each at the measured bytes of the accounts in memory; room the stores hold for absent accounts (holes,
// reused first) is reported but does not make the budget spill more, so a spill does not feed the next.
// Counts: spills, loads, load failures; /readyz: the budget under pressure is a detail (with the bytes the dedupe
// tables alone hold, when they pass the budget: spilling cannot help then), failing loads are unready.
// Never: spills a dirty account, spills from a lane without a checkpoint row, or writes to the database.
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { StateBytes } from '../rules/account-bytes.js';
import { BYTES_PER_ACCOUNT, type SpillableEngine } from '../rules/engine-spill.js';
import type { FraudEngine } from '../rules/types.js';
import type { Readiness } from '../service.js';
import type { Queryable } from '../store/db.js';
import type { CheckpointMode, StoredMigration } from './partition-checkpoint.js';
import { SpillIndex } from './spill-index.js';
import { CheckpointConflictError } from './types.js';
import { capacityOf, keepOf, leastRecent, LOW_WATER } from './spill-policy.js';

/** What the budget needs of a lane: its engine, its checkpoint row and a few checkpoint controls. */
export interface MemoryLane {
  readonly key: string;
  readonly row: { topic: string; partition: number } | null;
  readonly checkpoint: {
    readonly engine: FraudEngine | null;
    readonly mode: CheckpointMode;
    settle(): Promise<void>;
    reset(): void;
    requestStateWrite(): void;
    /** A background state write still encoding its change set (clean accounts not encoded yet) encodes the rest. */
    finishEncoding?(): void;
    /** Where the lane's stored state is exact (spilled parts are read there; absent: unchecked, test doubles). */
    readonly storedState?: number | null;
  };
}

export interface EngineMemoryOptions {
  /** Infinity: never spill. */
  budgetBytes: number;
  /**
   * Reads stored parts (in the transaction `q` when given); with `stateOffset`, only if the stored state is still
   * at that offset, else a CheckpointConflictError (account-parts-repo.ts).
   */
  loadParts(topic: string, partition: number, ids: readonly string[], q?: Queryable, stateOffset?: number): Promise<[string, Uint8Array][]>;
  /** Rewrites stored parts in the transaction `q` (absent: rule changes cannot carry spilled parts in the store). */
  saveParts?(q: Queryable, topic: string, partition: number, parts: readonly [string, Uint8Array][]): Promise<void>;
  metrics?: Metrics;
  log?: Logger;
}

export interface EngineMemorySummary {
  budgetBytes: number | null;
  /** What the engines' stores hold now (dedupe tables, accounts, room held for absent accounts). */
  estimatedBytes: number;
  /** Of it, the engine-wide dedupe tables, which spilling does not release. */
  dedupeBytes: number;
  accountsInMemory: number;
  /**
   * Of them, those of lanes whose engine cannot spill (an engine without `spill`: none of today's two): counted against the
   * budget (other lanes spill more for them), never spilled themselves.
   */
  accountsNotSpillable: number;
  accountsSpilled: number;
  /** The budget constrains: accounts are spilled, or there were more than it holds at the last check. */
  underPressure: boolean;
  spills: number;
  loads: number;
  loadFailures: number;
}

interface LaneMemory {
  engine: FraudEngine;
  spill: SpillableEngine;
  spilled: SpillIndex;
  pruneBefore: number;
  idleBefore: number;
  accounts: number;
  /** The engine's bytes, measured after each batch and load. */
  bytes: StateBytes;
}

export class EngineMemory {
  private readonly lanes = new Map<string, LaneMemory>();
  /** Accounts held by each lane whose engine cannot spill. */
  private readonly unspillable = new Map<string, number>();
  private spills = 0;
  private loads = 0;
  private loadFailures = 0;
  private lastLoadError: string | null = null;
  private pressure = false;

  constructor(private readonly o: EngineMemoryOptions) {
    o.metrics?.setEngineMemory({ budgetBytes: Number.isFinite(o.budgetBytes) ? o.budgetBytes : null, bytes: 0, inMemory: 0, spilled: 0 });
  }

  private laneOf(lane: MemoryLane): LaneMemory | null {
    const engine = lane.checkpoint.engine;
    if (!engine?.spill || lane.row === null) {
      this.lanes.delete(lane.key);
      return null;
    }
    let m = this.lanes.get(lane.key);
    if (!m || m.engine !== engine) {
      // A new engine (first load, or a reload after a failure) holds every stored part: nothing is spilled.
      m = { engine, spill: engine.spill, spilled: new SpillIndex(engine.spill), pruneBefore: -Infinity, idleBefore: -Infinity, accounts: engine.size(), bytes: engine.spill.bytes() };
      this.lanes.set(lane.key, m);
    }
    return m;
  }

  /**
   * A lane's engine was restored from the shared part only (a restart, or a reload after a failure): every stored
   * account of the partition (id and latest event time) starts spilled, under the rules of the stored `shared`
   * part, and comes back on its next record.
   */
  adopt(key: string, engine: FraudEngine, shared: Uint8Array, stored: readonly (readonly [string, number])[]): void {
    const spill = engine.spill;
    if (!spill) throw new Error('adopt: the engine cannot spill');
    this.lanes.set(key, { engine, spill, spilled: new SpillIndex(spill, { shared, accounts: stored }), pruneBefore: -Infinity, idleBefore: -Infinity, accounts: engine.size(), bytes: spill.bytes() });
    this.publish();
  }

  /** Whether `accounts` more accounts in memory stay under the budget's low-water mark (a restart may read them all). */
  fits(accounts: number): boolean {
    return this.dedupeBytes() + (this.accountsInMemory() + accounts) * this.bytesPerAccount() <= LOW_WATER * this.o.budgetBytes;
  }

  /** Whether the lane has spilled accounts (else a batch needs no look-up). */
  hasSpilled(key: string): boolean {
    const m = this.lanes.get(key);
    return m !== undefined && m.spilled.size > 0;
  }

  /** Before the batch is evaluated: puts back the spilled accounts among `accountIds` (one query). */
  async beforeBatch(lane: MemoryLane, accountIds: Iterable<string>): Promise<void> {
    const m = this.laneOf(lane);
    if (!m) return;
    this.sweepIndex(m);
    const wanted: string[] = [];
    for (const id of accountIds) if (m.spilled.has(id)) wanted.push(id);
    if (wanted.length === 0) return;
    // Their latest parts may be in the lane's background state write: let it land. If it failed, the store is
    // behind memory: the lane reloads everything from the store.
    await lane.checkpoint.settle();
    if (lane.checkpoint.mode === 'failed') {
      lane.checkpoint.reset();
      throw new Error(`engine state write of ${lane.key} failed: reloading the checkpoint`);
    }
    let parts: Map<string, Uint8Array>;
    try {
      // At the lane's stored state offset: a part another owner stored since would be newer than the lane's dedupe
      // horizon, and the records in between would count twice. The lane is stale then: it reloads.
      parts = new Map(await this.o.loadParts(lane.row!.topic, lane.row!.partition, wanted, undefined, lane.checkpoint.storedState ?? undefined));
      const missing = wanted.find((id) => !parts.has(id));
      if (missing !== undefined) throw new Error(`the stored engine part of spilled account ${missing} of ${lane.key} is missing`);
    } catch (err) {
      if (err instanceof CheckpointConflictError) {
        lane.checkpoint.reset();
        throw err;
      }
      this.loadFailures++;
      this.lastLoadError = (err as Error).message;
      this.o.metrics?.engineLoadFailed();
      throw err;
    }
    for (const id of wanted) {
      const steps = m.spilled.take(id);
      if (steps) m.spill.load(id, parts.get(id)!, m.pruneBefore, steps);
    }
    m.accounts = m.engine.size();
    m.bytes = m.spill.bytes();
    this.loads += wanted.length;
    this.lastLoadError = null;
    this.o.metrics?.engineLoaded(wanted.length);
  }

  /** After the batch is evaluated, before its checkpoint is written: the idle sweep reaches the spilled accounts. */
  afterEvaluate(lane: MemoryLane): void {
    const m = this.laneOf(lane);
    if (m) this.sweepIndex(m);
  }

  /** After the batch: past the budget, spills the lane's least recently active clean accounts down to its share. */
  afterBatch(lane: MemoryLane): void {
    const m = this.laneOf(lane);
    const engine = lane.checkpoint.engine;
    if (m === null && engine && lane.row !== null) this.unspillable.set(lane.key, engine.size());
    else this.unspillable.delete(lane.key);
    const total = this.accountsInMemory();
    const capacity = capacityOf(this.o.budgetBytes - this.dedupeBytes(), this.bytesPerAccount());
    if (!m) {
      // A lane that cannot spill still counts against the budget, and says when the budget is passed.
      const over = total > capacity;
      if (over && !this.pressure) this.o.log?.warn({ accounts: total, capacity }, 'engine memory budget passed by accounts of lanes whose engine cannot spill');
      this.pressure = over;
      this.publish();
      return;
    }
    m.accounts = m.engine.size();
    m.bytes = m.spill.bytes();
    this.pressure = total > capacity;
    const need = m.accounts - keepOf(m.accounts, total, capacity);
    if (need > 0) {
      // Clean accounts a state write has not encoded yet must stay until it has.
      lane.checkpoint.finishEncoding?.();
      const ids: string[] = [];
      const times: number[] = [];
      m.spill.forEachAccount((id, maxT, clean) => {
        if (!clean) return;
        ids.push(id);
        times.push(maxT);
      });
      let spilled = 0;
      for (const i of leastRecent(ids, times, need)) {
        if (!m.spill.forget(ids[i]!)) continue;
        m.spilled.add(ids[i]!, times[i]!);
        spilled++;
      }
      this.spills += spilled;
      if (spilled > 0) this.o.metrics?.engineSpilled(spilled);
      // The rest is dirty: store it soon, so it can go too.
      if (spilled < need) lane.checkpoint.requestStateWrite();
      m.accounts = m.engine.size();
      m.bytes = m.spill.bytes();
    }
    this.publish();
  }

  /** Runs a rule change of the lane's engine: sweeps seen under the old rules first; new spills are under the new. */
  changeRules(lane: MemoryLane, change: () => void): void {
    const m = this.laneOf(lane);
    if (m) this.sweepIndex(m);
    change();
    m?.spilled.rulesChanged();
  }

  /**
   * At a state write of the lane: the spilled parts still stored under older rules are carried to the rules the
   * write stores, in its transaction, so that the stored shared part names the rules of every stored part (a
   * restart reads them under it). Null when there are none.
   */
  migration(lane: MemoryLane): StoredMigration<Queryable> | null {
    const m = this.laneOf(lane);
    const save = this.o.saveParts;
    const plan = m && save ? m.spilled.migration() : null;
    if (!plan) return null;
    const { topic, partition } = lane.row!;
    return {
      run: async (tx) => {
        for (const { ids, steps } of plan.groups) {
          for (let i = 0; i < ids.length; i += MIGRATE_CHUNK) {
            const parts = await this.o.loadParts(topic, partition, ids.slice(i, i + MIGRATE_CHUNK), tx);
            await save!(tx, topic, partition, parts.map(([id, part]) => [id, m!.spill.carry(id, part, steps)]));
          }
        }
      },
      done: plan.done,
    };
  }

  /** The lane was revoked: its engine and index go. */
  release(key: string): void {
    this.lanes.delete(key);
    this.unspillable.delete(key);
    this.publish();
  }

  private sweepIndex(m: LaneMemory): void {
    const mark = m.spill.lastSweep();
    if (!mark) return;
    if (mark.pruneBefore > m.pruneBefore) m.pruneBefore = mark.pruneBefore;
    if (mark.idleBefore <= m.idleBefore) return;
    m.idleBefore = mark.idleBefore;
    m.spilled.sweep(mark.idleBefore, (id) => m.spill.dropStored(id));
  }

  private accountsInMemory(): number {
    let n = 0;
    for (const m of this.lanes.values()) n += m.accounts;
    for (const k of this.unspillable.values()) n += k;
    return n;
  }

  private dedupeBytes(): number {
    let n = 0;
    for (const m of this.lanes.values()) n += m.bytes.table;
    return n;
  }

  /** Measured bytes per account in memory across the lanes; the prior (BYTES_PER_ACCOUNT) while none holds any. */
  private bytesPerAccount(): number {
    let bytes = 0;
    let n = 0;
    for (const m of this.lanes.values()) {
      bytes += m.bytes.accounts;
      n += m.accounts;
    }
    return n > 0 ? bytes / n : BYTES_PER_ACCOUNT;
  }

  summary(): EngineMemorySummary {
    let spilled = 0;
    let bytes = 0;
    for (const m of this.lanes.values()) {
      bytes += m.bytes.table + m.bytes.accounts + m.bytes.slack;
      spilled += m.spilled.size;
    }
    const inMemory = this.accountsInMemory();
    return {
      budgetBytes: Number.isFinite(this.o.budgetBytes) ? this.o.budgetBytes : null,
      estimatedBytes: Math.round(bytes),
      dedupeBytes: this.dedupeBytes(),
      accountsInMemory: inMemory,
      accountsNotSpillable: [...this.unspillable.values()].reduce((a, b) => a + b, 0),
      accountsSpilled: spilled,
      underPressure: this.pressure || spilled > 0,
      spills: this.spills,
      loads: this.loads,
      loadFailures: this.loadFailures,
    };
  }

  /** Ready unless the last attempt to load spilled accounts failed (their partition cannot go on). */
  readiness(): Readiness {
    return this.lastLoadError === null ? { ready: true, reasons: [] } : { ready: false, reasons: [`engine state of spilled accounts cannot be loaded: ${this.lastLoadError}`] };
  }

  private publish(): void {
    const s = this.summary();
    this.o.metrics?.setEngineMemory({ budgetBytes: s.budgetBytes, bytes: s.estimatedBytes, inMemory: s.accountsInMemory, spilled: s.accountsSpilled });
  }
}

/** Spilled parts carried per query and upsert when a state write rewrites them under new rules. */
const MIGRATE_CHUNK = 500;
