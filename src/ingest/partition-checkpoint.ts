// One partition's checkpoint state (issue 11): its offsets, its fraud engine and when each is written. One name per
// offset, everywhere:
// - appliedOffset: the next offset applied in memory (ahead of both stored offsets while a write is deferred);
// - effectsOffset: stored; every record before it has its effects durable; effects writes fence on it;
// - stateOffset: stored (the row's next_offset); the stored engine state is exact there; state writes fence on it;
// - durableOffset(): the further of the two stored offsets, which Kafka may commit up to.
// Modes, changed only through setMode*():
//   unloaded   --load()--> rebuilding (the stored state is behind the effects offset: the records in between are
//                          fed to the engine again, their effects suppressed) or live
//   rebuilding --advance() past the effects offset--> live
//   live | rebuilding --a background state write fails--> failed (the engine's change set is lost)
//   any        --reset()--> unloaded (a failed batch or write: the next batch reloads from the store)
// Writes: a `full` write stores both offsets and the engine delta in the batch's transaction (a lane's first write,
// every write of a lane that is not a Kafka partition of the engine, shutdown and revocation); an `effects` write
// moves the effects offset only; a Kafka partition's engine state is written in the background (its own
// transaction, one at a time across partitions through the shared queue) when due, its change set encoded a slice
// at a time between batches (startStateWrite). Times come from `now`.
// Never: commits Kafka offsets, or decides what a record does.
import type { FraudEngine } from '../rules/types.js';
import type { Checkpoint, EngineDelta } from './checkpoint-repo.js';
import { CheckpointConflictError } from './types.js';

export type CheckpointMode = 'unloaded' | 'rebuilding' | 'live' | 'failed';
export type CheckpointWrite = 'none' | 'effects' | 'full';

/** The parts of a fraud engine the checkpoint stores and restores. */
export type StatefulEngine = Pick<FraudEngine, 'snapshotShared' | 'dirtyAccounts' | 'dirtyCount' | 'snapshotAccount' | 'markClean' | 'restoreParts' | 'beforeSweep'> &
  Partial<Pick<FraudEngine, 'dedupeSegment' | 'dedupeStored'>>;

/** Where checkpoints live (checkpoint-repo.ts over PostgreSQL; an in-memory fake in unit tests). */
export interface CheckpointStore<Tx> {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** `withParts` false: without the account parts (`accounts` empty). */
  load(topic: string, partition: number, withParts?: boolean): Promise<Checkpoint | null>;
  /** Fenced on both stored offsets (checkpoint-repo.ts says why). */
  saveCheckpoint(tx: Tx, topic: string, partition: number, expectedEffects: number | null, expectedState: number | null, stateOffset: number, delta: EngineDelta | null, effectsOffset: number): Promise<boolean>;
  saveEffectsOffset(tx: Tx, topic: string, partition: number, expectedEffects: number, effectsOffset: number): Promise<boolean>;
  saveState(tx: Tx, topic: string, partition: number, expectedState: number, stateOffset: number, delta: EngineDelta): Promise<boolean>;
}

export interface CheckpointTuning {
  /** A batch without effects may defer its effects write this long... */
  checkpointIntervalMs: number;
  /** ...or this many records. */
  checkpointMaxRecords: number;
  /** A Kafka partition's engine state is written this often, or every `stateMaxRecords` records. */
  stateIntervalMs: number;
  stateMaxRecords: number;
  /**
   * ...or as soon as this many accounts changed since the last write (~13 µs an account to encode, in slices; an
   * engine without a sweep hook encodes them in one step, so this bounds that step). Both counts are scaled by a
   * share in (0.5, 1] drawn afresh at each write, so partitions growing alike do not write in lock step.
   */
  stateMaxAccounts: number;
  /**
   * ...but a write for stateMaxAccounts alone waits until this long after the previous write (default 0; the
   * pipeline's is 1 s). Where the same accounts change many times a second (a burst, the ingest bench), the bound
   * otherwise re-encodes and re-stores them several times a second (bench/README.md, branch pipe10: ~2.5 µs of the
   * daemon's and ~2.7 µs of PostgreSQL's CPU per CDR). The interval, stateMaxRecords, the memory budget's and a rule
   * change's requests are not held back, so what a crash re-reads is bounded as before.
   */
  stateMinSpacingMs?: number;
  /** Accounts a background write encodes per slice: one slice when it starts and after each batch (default 256). */
  stateSliceAccounts?: number;
}

/** A background state write still encoding its change set (startStateWrite). */
interface Encoding {
  /** Accounts of the change set not encoded yet: each still holds its state at the write's offset. */
  left: Set<string>;
  delta: EngineDelta;
  /** The engine whose sweeps call us first (null: the engine has no `beforeSweep`; encoded in one step). */
  hooked: StatefulEngine | null;
  /** Starts the write (true), or drops it (false: the lane was reset and its engine is discarded). */
  done: (write: boolean) => void;
}


export interface PartitionCheckpointOptions<E extends StatefulEngine, Tx> {
  /** The checkpoint row (partition -1 for HTTP CDRs), or null for a lane that keeps none (replay, HTTP non-CDRs). */
  row: { topic: string; partition: number } | null;
  /** Kafka partitions have offsets; HTTP ingest counts its records from 0. */
  kind: 'kafka' | 'http' | 'replay';
  store: CheckpointStore<Tx>;
  /** A fresh engine for the lane (null: the lane has none), to restore the stored state into. */
  createEngine: () => E | null;
  /** Serialises background state writes across partitions. */
  queue: { run<T>(write: () => Promise<T>): Promise<T> };
  tuning: CheckpointTuning;
  now: () => number;
  random?: () => number;
  onRebuild?: (from: number, to: number) => void;
  onStateWriteFailed?: (err: unknown) => void;
  /**
   * Set: the engine is restored from the shared part only, then this is called to read the accounts (the memory
   * budget, engine-memory.ts: at once if they fit in it, else each stored account comes back on its next record).
   */
  restoreLazily?: (engine: E, shared: Uint8Array, dedupe: readonly Uint8Array[], stateOffset: number) => Promise<void>;
  /**
   * Called when a write captures the engine state: stored parts the write must carry to the current rules in its
   * own transaction (spilled accounts written under rules changed since, engine-memory.ts), so the stored shared
   * part always names the rules of every stored part. `done` after the COMMIT.
   */
  migrateStored?: () => StoredMigration<Tx> | null;
}

export interface StoredMigration<Tx> {
  run(tx: Tx): Promise<void>;
  done(): void;
}

const conflict = (what: string, row: { topic: string; partition: number }) =>
  new CheckpointConflictError(`${what} of ${row.topic}:${row.partition} moved under us (another owner?)`, null);

export class PartitionCheckpoint<E extends StatefulEngine, Tx> {
  private modeName: CheckpointMode = 'unloaded';
  private rebuildUntilOffset: number | null = null;
  private engineOf: E | null = null;
  private effectsOffset: number | null = null;
  private stateOffset: number | null = null;
  private appliedOffset: number | null = null;
  /** The background state write in flight (at most one; it never rejects), from its start to its COMMIT. */
  private stateWrite: Promise<void> | null = null;
  /** While that write still encodes its change set. */
  private encoding: Encoding | null = null;
  /** Records applied, and when, since the last write of each kind. */
  private effectsPending = 0;
  private effectsWrittenAt = 0;
  private statePending = 0;
  private stateWrittenAt = 0;
  /** The next write stores the engine state (the rules changed). */
  private stateForced = false;
  /**
   * This round's share of stateMaxRecords / stateMaxAccounts, drawn in (0.5, 1] at each write: partitions that
   * grow alike (new accounts spread evenly by the key hash) would otherwise reach the bound together round after
   * round and encode and write their change sets at the same moments (bench/README.md, branch `gclat`).
   */
  private dueShare = 1;
  /** Bumped by rulesChanged; a full write in flight under older rules leaves the engine dirty. */
  private rulesEpoch = 0;
  private writtenEpoch: number | null = null;
  /** The migration of a full write, from write() to committed(). */
  private fullMigration: StoredMigration<Tx> | null = null;

  constructor(private readonly o: PartitionCheckpointOptions<E, Tx>) {}

  get mode(): CheckpointMode {
    return this.modeName;
  }
  get engine(): E | null {
    return this.engineOf;
  }
  /** The next offset to apply (null: none yet). */
  get applied(): number | null {
    return this.appliedOffset;
  }
  /** Where the stored engine state is exact, as this lane last wrote or loaded it (null: none). */
  get storedState(): number | null {
    return this.stateOffset;
  }
  /** While rebuilding: the records before this feed the engine only. */
  get rebuildUntil(): number | null {
    return this.rebuildUntilOffset;
  }

  /** Every record before this has its effects durable (null: nothing stored yet). */
  durableOffset(): number | null {
    return this.effectsOffset === null ? null : Math.max(this.effectsOffset, this.stateOffset ?? this.effectsOffset);
  }

  private setModeUnloaded(): void {
    // The engine goes: a write still encoding from it is dropped (the store keeps the state it had).
    if (this.encoding) this.endEncoding(false);
    this.modeName = 'unloaded';
    this.rebuildUntilOffset = null;
    this.engineOf = null;
    this.effectsOffset = null;
    this.stateOffset = null;
    this.appliedOffset = null;
    this.effectsPending = 0;
    this.statePending = 0;
    this.writtenEpoch = null;
    this.fullMigration = null;
  }
  private setModeRebuilding(until: number): void {
    this.modeName = 'rebuilding';
    this.rebuildUntilOffset = until;
  }
  private setModeLive(): void {
    this.modeName = 'live';
    this.rebuildUntilOffset = null;
  }
  private setModeFailed(): void {
    this.modeName = 'failed';
  }

  /** After a failed batch or write the memory may be ahead of the store: forget it; the next load reads the store. */
  reset(): void {
    this.setModeUnloaded();
  }

  /** Reads the stored checkpoint unless loaded (a failed lane is reset first) and restores the engine from it. */
  async load(): Promise<void> {
    if (this.modeName === 'failed') this.setModeUnloaded();
    if (this.modeName !== 'unloaded') return;
    // A background state write of this lane lands first, so the load sees it.
    if (this.stateWrite) await this.stateWrite;
    const lazily = this.o.restoreLazily;
    const stored = this.o.row ? await this.o.store.load(this.o.row.topic, this.o.row.partition, lazily === undefined) : null;
    const engine = this.o.createEngine();
    if (engine && stored?.shared) {
      engine.restoreParts(stored.shared, stored.accounts, stored.dedupe);
      if (lazily) await lazily(engine, stored.shared, stored.dedupe, stored.stateOffset);
    }
    this.engineOf = engine;
    this.effectsOffset = stored?.effectsOffset ?? null;
    this.stateOffset = stored?.stateOffset ?? null;
    this.appliedOffset = this.stateOffset ?? (this.o.kind === 'http' ? 0 : null);
    this.effectsPending = 0;
    this.statePending = 0;
    this.effectsWrittenAt = this.stateWrittenAt = this.o.now();
    this.stateForced = false;
    if (stored && stored.effectsOffset > stored.stateOffset) {
      this.o.onRebuild?.(stored.stateOffset, stored.effectsOffset);
      this.setModeRebuilding(stored.effectsOffset);
    } else this.setModeLive();
  }

  /** A batch was applied in memory up to `next`, `records` of them new. */
  advance(next: number | null, records: number): void {
    this.appliedOffset = next;
    this.effectsPending += records;
    this.statePending += records;
    if (this.modeName === 'rebuilding' && next !== null && next >= this.rebuildUntilOffset!) this.setModeLive();
  }

  /** Kafka partitions of the engine write their state in the background, once they have a row. */
  private stateInBackground(): boolean {
    return this.engineOf !== null && this.o.kind === 'kafka' && this.effectsOffset !== null && this.stateOffset !== null;
  }

  private stateDue(): boolean {
    const t = this.o.tuning;
    return (
      this.stateForced || this.statePending >= t.stateMaxRecords * this.dueShare || this.o.now() - this.stateWrittenAt >= t.stateIntervalMs ||
      (this.engineOf !== null && this.o.now() - this.stateWrittenAt >= (t.stateMinSpacingMs ?? 0) && this.engineOf.dirtyCount() >= t.stateMaxAccounts * this.dueShare)
    );
  }

  /** Which write the batch just applied (up to `next`, `records` new) needs in its transaction. */
  writeDue(next: number | null, records: number, hasEffects: boolean): CheckpointWrite {
    const t = this.o.tuning;
    const due = this.o.row !== null && next !== null && records > 0 &&
      (hasEffects || this.o.kind === 'http' || this.effectsPending >= t.checkpointMaxRecords || this.o.now() - this.effectsWrittenAt >= t.checkpointIntervalMs);
    if (!due) return 'none';
    return this.stateInBackground() ? 'effects' : 'full';
  }

  /** A full write must not race a background state write: finish encoding it and wait for its COMMIT. */
  async settle(): Promise<void> {
    this.finishEncoding();
    if (this.stateWrite) await this.stateWrite;
  }

  /** Whether a background write is still encoding (then call `beforeChange` for each account a batch will feed). */
  get encodingState(): boolean {
    return this.encoding !== null;
  }

  /** Before the engine sees a record of `accountId`: a background write still to encode it encodes it now. */
  beforeChange(accountId: string): void {
    const enc = this.encoding;
    if (enc === null || !enc.left.has(accountId)) return;
    this.encodeOne(enc, accountId);
    if (enc.left.size === 0) this.endEncoding(true);
  }

  /** Encodes the rest of the change set now (before a spill, a rule change, a full write, a shutdown). */
  finishEncoding(): void {
    const enc = this.encoding;
    if (enc === null) return;
    for (const id of enc.left) this.encodeOne(enc, id);
    this.endEncoding(true);
  }

  private encodeSlice(): void {
    const enc = this.encoding;
    if (enc === null) return;
    let n = this.o.tuning.stateSliceAccounts ?? 256;
    for (const id of enc.left) {
      if (n-- <= 0) break;
      this.encodeOne(enc, id);
    }
    if (enc.left.size === 0) this.endEncoding(true);
  }

  private encodeOne(enc: Encoding, id: string): void {
    enc.left.delete(id);
    const part = this.engineOf!.snapshotAccount(id);
    if (part) enc.delta.upserts.push([id, part]);
    else enc.delta.deletes.push(id);
  }

  private endEncoding(write: boolean): void {
    const enc = this.encoding!;
    this.encoding = null;
    enc.hooked?.beforeSweep!(null);
    enc.done(write);
  }

  /** Given to the engine's beforeSweep while encoding: a sweep is about to change accounts in place. */
  private readonly sweepHook = (): void => this.finishEncoding();

  private delta(): EngineDelta | null {
    const engine = this.engineOf;
    if (!engine) return null;
    const delta: EngineDelta = { shared: engine.snapshotShared(), upserts: [], deletes: [], dedupe: engine.dedupeSegment?.() ?? null };
    for (const id of engine.dirtyAccounts()) {
      const part = engine.snapshotAccount(id);
      if (part) delta.upserts.push([id, part]);
      else delta.deletes.push(id);
    }
    return delta;
  }

  /** Writes in the caller's transaction; throws CheckpointConflictError when another owner moved the row. */
  async write(tx: Tx, kind: CheckpointWrite, next: number): Promise<void> {
    const row = this.o.row;
    if (kind === 'none' || row === null) return;
    if (kind === 'full') {
      this.writtenEpoch = this.rulesEpoch;
      // While rebuilding, the state may be stored behind the effects offset, which never moves back.
      const delta = this.delta();
      const migration = delta ? (this.o.migrateStored?.() ?? null) : null;
      const ok = await this.o.store.saveCheckpoint(tx, row.topic, row.partition, this.effectsOffset, this.stateOffset, next, delta, Math.max(next, this.effectsOffset ?? next));
      if (!ok) throw conflict('checkpoint', row);
      if (migration) await migration.run(tx);
      this.fullMigration = migration;
      return;
    }
    if (this.effectsOffset === null || next <= this.effectsOffset) return;
    if (!(await this.o.store.saveEffectsOffset(tx, row.topic, row.partition, this.effectsOffset, next))) throw conflict('checkpoint', row);
  }

  /** After the write's COMMIT. */
  committed(kind: CheckpointWrite, next: number): void {
    if (kind === 'full') {
      // The written parts are durable: a new change set starts -- unless the rules changed meanwhile (every part is
      // re-encoded under the new rules, so they stay dirty).
      if (this.writtenEpoch === this.rulesEpoch) this.engineOf?.markClean();
      else this.stateForced = true;
      this.engineOf?.dedupeStored?.();
      this.writtenEpoch = null;
      this.fullMigration?.done();
      this.fullMigration = null;
      const first = this.effectsOffset === null;
      this.effectsOffset = Math.max(next, this.effectsOffset ?? next);
      this.stateOffset = next;
      this.effectsPending = 0;
      this.effectsWrittenAt = this.o.now();
      this.statePending = 0;
      // Partitions that start together would store their state together: spread the next over half an interval.
      this.stateWrittenAt = first ? this.effectsWrittenAt - (this.o.random ?? Math.random)() * 0.5 * this.o.tuning.stateIntervalMs : this.effectsWrittenAt;
      this.drawDueShare();
    } else if (kind === 'effects') {
      if (this.effectsOffset !== null) this.effectsOffset = Math.max(this.effectsOffset, next);
      this.effectsPending = 0;
      this.effectsWrittenAt = this.o.now();
    }
  }

  /**
   * After each batch: a lane without a row keeps no change set; a Kafka partition encodes the next slice of its
   * state write, or may start one.
   */
  afterBatch(): void {
    if (this.o.row === null) this.engineOf?.markClean();
    else if (this.encoding) this.encodeSlice();
    else this.maybeStartStateWrite();
  }

  /** 1 - random/2: in (0.5, 1], so a change set never exceeds the bounds and is at least half of them. */
  private drawDueShare(): void {
    this.dueShare = 1 - 0.5 * (this.o.random ?? Math.random)();
  }

  private maybeStartStateWrite(): void {
    if (this.stateInBackground() && this.stateWrite === null && this.appliedOffset !== this.stateOffset && this.stateDue()) this.startStateWrite();
  }

  /**
   * Stores the engine state at the applied offset `at` in its own transaction while the lane goes on, and the state
   * offset moves when that commits. A failure loses the change set: the mode becomes failed, and the lane reloads
   * before its next batch.
   *
   * The change set is taken now (the engine starts a new one at once) with the shared part, but its accounts are
   * encoded a slice at a time (~13 µs an account: one step of 2,500 held the event loop for ~33 ms, of 10,000 when
   * writes queued up for ~130 ms): a slice now and one after each batch, and the write goes to the queue when the
   * last is encoded. Why the stored state is still exactly the state at `at`: an account not yet encoded must not
   * change before it is, and the only things that change an account are (1) a record of its own -- the pipeline
   * calls beforeChange(account) for every CDR of a batch (rebuilt ones too) before the engine sees the batch; (2) the
   * idle sweep, which prunes and forgets accounts in place inside a batch -- EngineState.beforeSweep finishes the
   * encoding first; (3) the memory budget's spill, (4) a rule change, (5) a full write or shutdown -- each calls
   * finishEncoding() first. So every part written is byte for byte what a one-step encode at `at` would write, and a
   * restore from it replays from `at` as before. A reset (failed batch or write) drops the write unwritten: its
   * engine is discarded and the store keeps its previous, consistent state. An engine without the hook (test
   * doubles) is encoded in one step, as before.
   */
  private startStateWrite(): void {
    const row = this.o.row!;
    const at = this.appliedOffset!;
    const expected = this.stateOffset!;
    const engine = this.engineOf!;
    const delta: EngineDelta = { shared: engine.snapshotShared(), upserts: [], deletes: [], dedupe: engine.dedupeSegment?.() ?? null };
    const left = new Set(engine.dirtyAccounts());
    const migration = this.o.migrateStored?.() ?? null;
    engine.markClean();
    this.statePending = 0;
    this.stateWrittenAt = this.o.now();
    this.stateForced = false;
    this.drawDueShare();
    let done!: (write: boolean) => void;
    const encoded = new Promise<boolean>((resolve) => (done = resolve));
    const hooked = engine.beforeSweep ? engine : null;
    this.encoding = { left, delta, hooked, done };
    hooked?.beforeSweep!(this.sweepHook);
    const write = encoded.then((go) =>
      go
        ? this.o.queue.run(() =>
            this.o.store.transaction(async (tx) => {
              if (!(await this.o.store.saveState(tx, row.topic, row.partition, expected, at, delta))) throw conflict('engine state', row);
              if (migration) await migration.run(tx);
            }),
          ).then(() => true)
        : false,
    );
    this.stateWrite = write
      .then(
        (written) => {
          if (!written) return;
          if (this.stateOffset === expected) this.stateOffset = at;
          engine.dedupeStored?.();
          migration?.done();
        },
        (err: unknown) => {
          if (this.modeName === 'live' || this.modeName === 'rebuilding') this.setModeFailed();
          this.o.onStateWriteFailed?.(err);
        },
      )
      .finally(() => {
        this.stateWrite = null;
      });
    if (hooked) this.encodeSlice();
    else this.finishEncoding();
  }

  /**
   * Writes what is deferred: on the consumer's timer (`full` false) the effects offset, or the state when due; on
   * revocation and shutdown (`full` true) the state, so the next owner needs no rebuild. Returns durableOffset().
   */
  async flush(full: boolean): Promise<number | null> {
    if (full) await this.settle();
    else this.encodeSlice();
    // failed: nothing consistent to write; the next batch resets and the consumer seeks back.
    if (this.modeName === 'failed' || this.modeName === 'unloaded' || this.o.row === null || this.appliedOffset === null) return this.durableOffset();
    const next = this.appliedOffset;
    const kind: CheckpointWrite = full || !this.stateInBackground() ? 'full' : 'effects';
    const nothing = kind === 'full'
      ? this.effectsPending === 0 && this.stateOffset === next
      : this.effectsPending === 0 || this.effectsOffset === null || next <= this.effectsOffset;
    if (!nothing) {
      try {
        await this.o.store.transaction((tx) => this.write(tx, kind, next));
      } catch (err) {
        this.reset();
        throw err;
      }
      this.committed(kind, next);
    }
    if (!full) this.maybeStartStateWrite();
    return this.durableOffset();
  }

  /** The memory budget needs dirty accounts stored so they can be spilled (engine-memory.ts): write the state soon. */
  requestStateWrite(): void {
    this.stateForced = true;
  }

  /** The rules changed: store the state under them soon, so a rebuild feeds few records under other rules. */
  rulesChanged(): void {
    this.rulesEpoch++;
    this.stateForced = true;
  }
}
