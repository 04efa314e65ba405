// Per-source lanes of the pipeline: one per Kafka partition, one per HTTP input, one for replay. A lane serialises
// its batches and owns its partition checkpoint (partition-checkpoint.ts: the offsets, the fraud engine -- accounts
// are keyed to partitions -- and the writes). Never: touches the database itself.
import type { FraudEngine } from '../rules/types.js';
import type { Queryable } from '../store/db.js';
import type { PartitionCheckpoint } from './partition-checkpoint.js';
import type { Source } from './types.js';

export interface Lane {
  readonly key: string;
  readonly source: Source;
  readonly checkpoint: PartitionCheckpoint<FraudEngine, Queryable>;
  /** Serialises this lane's work; batches of different lanes run concurrently. */
  tail: Promise<unknown>;
}

export function laneKey(source: Source): string {
  return `${source.topicName}:${source.partition}`;
}

/** The checkpoint row of a source: its topic and partition (-1 for HTTP CDRs), or null when it keeps none. */
export function checkpointRowOf(source: Source): { topic: string; partition: number } | null {
  if (typeof source.partition === 'number') return { topic: source.topicName, partition: source.partition };
  return source.partition === 'http' && source.kind === 'cdrs' ? { topic: source.topicName, partition: -1 } : null;
}

/** Runs `fn` after the lane's previous work, whether that succeeded or failed. */
export function runInLane<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
  const run = lane.tail.then(fn, fn);
  lane.tail = run.catch(() => undefined);
  return run;
}
