// Per-source lanes of the pipeline: one per Kafka partition, one per HTTP input, one for replay. A lane serialises
// its batches, owns its fraud engine (accounts are keyed to partitions), and tracks the applied and the durable
// (checkpointed) offsets. Never: touches the database itself (pipeline.ts does, in one transaction per batch).
import type { FraudEngine } from '../rules/types.js';
import type { Source } from './types.js';

export interface Lane {
  readonly key: string;
  readonly source: Source;
  /** The checkpoint row: topic name and partition (-1 for HTTP), or null when the lane keeps none (replay). */
  readonly checkpoint: { topic: string; partition: number } | null;
  loaded: boolean;
  engine: FraudEngine | null;
  /**
   * The effects offset as stored (null: no row yet): every record before it has its effects durable, and the next
   * effects or full write fences on it.
   */
  fence: number | null;
  /** The background engine-state write in flight (at most one per lane; it never rejects). */
  stateWrite: Promise<void> | null;
  /** A background state write failed: the engine's change set is lost, so the lane reloads before its next batch. */
  stateFailed: boolean;
  /** Where the stored engine state is exact (the checkpoint's next_offset); behind or ahead of `fence`. */
  stateAt: number | null;
  /** Next offset applied in memory; ahead of both stored offsets while a checkpoint is deferred. */
  applied: number | null;
  /**
   * After a restart from a state checkpoint behind the effects offset: records before this are fed to the engine
   * again to rebuild its state, with their effects (already durable) suppressed. Null when not replaying.
   */
  replayUntil: number | null;
  /** Records applied since the last checkpoint (of either kind). */
  pending: number;
  lastCheckpointAt: number;
  /** Records applied since the last state checkpoint. */
  statePending: number;
  lastStateAt: number;
  /** The next checkpoint writes the engine state (set when the rules change). */
  forceState: boolean;
  /** The rules epoch under which the in-flight checkpoint encoded the engine's parts (null: none in flight). */
  writtenEpoch: number | null;
  /** Serialises this lane's work; batches of different lanes run concurrently. */
  tail: Promise<unknown>;
}

export function laneKey(source: Source): string {
  return `${source.topicName}:${source.partition}`;
}

export function newLane(source: Source): Lane {
  const checkpoint =
    typeof source.partition === 'number'
      ? { topic: source.topicName, partition: source.partition }
      : source.partition === 'http' && source.kind === 'cdrs'
        ? { topic: source.topicName, partition: -1 }
        : null;
  return {
    key: laneKey(source),
    source,
    checkpoint,
    loaded: false,
    engine: null,
    fence: null,
    stateWrite: null,
    stateFailed: false,
    stateAt: null,
    applied: null,
    replayUntil: null,
    pending: 0,
    lastCheckpointAt: 0,
    statePending: 0,
    lastStateAt: 0,
    forceState: false,
    writtenEpoch: null,
    tail: Promise.resolve(),
  };
}

/** Runs `fn` after the lane's previous work, whether that succeeded or failed. */
export function runInLane<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
  const run = lane.tail.then(fn, fn);
  lane.tail = run.catch(() => undefined);
  return run;
}

/** After a failed batch the in-memory state may be ahead of the database: forget it and reload the checkpoint. */
export function resetLane(lane: Lane): void {
  lane.loaded = false;
  lane.engine = null;
  lane.fence = null;
  lane.stateFailed = false;
  lane.stateAt = null;
  lane.applied = null;
  lane.replayUntil = null;
  lane.pending = 0;
  lane.statePending = 0;
  lane.writtenEpoch = null;
}
