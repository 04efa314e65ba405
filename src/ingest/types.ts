// The ingestion pipeline's vocabulary: where records come from, what they look like raw, what each became, and the
// small interfaces of the effects it drives (other engineers' stores and services, bound in effects.ts).
import type { TransitionCommand, TransitionContext } from '../domain/commands.js';
import type { TransitionResult } from '../domain/types.js';
import type { InputKind } from '../events/decode-record.js';
import type { AccountRecord, InvoiceEventRecord } from '../events/types.js';
import type { DunningPolicy } from '../rules/types.js';
import type { Queryable } from '../store/db.js';

/** Kafka partitions are numbers; HTTP ingest and replay are sources of their own. */
export type SourcePartition = number | 'http' | 'replay';

export interface Source {
  /** The logical input (accounts, cdrs, invoices); `topicName` is the configured Kafka topic, for DLQ headers. */
  kind: InputKind;
  topicName: string;
  partition: SourcePartition;
}

export type Headers = Record<string, string>;

export interface RawRecord {
  /** Kafka offset; absent for HTTP ingest and replay. */
  offset?: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Headers;
  arrivedAtMs: number;
}

export type RecordOutcome = 'accepted' | 'duplicate' | 'rejected';

export interface RecordResult {
  index: number;
  outcome: RecordOutcome;
  error?: string;
}

export interface BatchResult {
  results: RecordResult[];
  /** The next offset whose predecessors are all durable (checkpointed), or null when nothing is yet. */
  durableOffset: number | null;
  /** Records skipped because the checkpoint already covers them (redelivery after a restart or rebalance). */
  skipped: number;
  /** What the batch's rule hits did, committed (absent when it had none): set-up authorization reads its own. */
  decisions?: readonly BatchDecision[];
}

/** One committed rule hit of a batch, by the index of the record that crossed the level. */
export interface BatchDecision {
  index: number;
  accountId: string;
  ruleId: string;
  level: 'warn' | 'suspend';
  /** suspend: a hold was placed; review: a decision was opened; null: an alert, monitor mode or already held. */
  action: 'suspend' | 'review' | null;
  holdId?: string | undefined;
}

/** The stores and services the pipeline writes through, all inside its one transaction per batch. */
export interface IngestEffects {
  /** Upserts snapshots; a move in the tree that changes inherited statuses publishes them (store/account-moves.ts). */
  upsertAccounts(q: Queryable, accounts: readonly AccountRecord[], now: string): Promise<unknown>;
  /** One outcome per event, in order: a repeated event id is a duplicate. */
  recordInvoiceEvents(q: Queryable, events: readonly InvoiceEventRecord[]): Promise<readonly { id: string; outcome: 'accepted' | 'duplicate' }[]>;
  /** Returns the dunning transitions that changed something, for the metrics after commit. */
  evaluateAccounts(q: Queryable, accountIds: readonly string[], now: Date, policies: readonly DunningPolicy[]): Promise<{ decisions: readonly ('suspend' | 'activate')[] }>;
  /**
   * The suspend/activate commands in order, with the effect of one transition after another, but in a fixed number
   * of statements (store/transitions.ts executeTransitions). One outcome per command: its result, or the error
   * (a domain refusal) that one transition alone would have thrown. A database error rejects the whole call.
   */
  executeTransitions(
    q: Queryable,
    cmds: readonly TransitionCommand[],
    ctx: TransitionContext,
  ): Promise<readonly ({ ok: true; result: TransitionResult } | { ok: false; error: unknown })[]>;
}

/** One rejected record as produced to the DLQ topic: original key and value bytes, and the x-* headers. */
export interface DeadLetter {
  topic: string;
  partition: number | null;
  offset: number | null;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
  error: string;
}

/** Produces dead letters to the DLQ topic; resolves once the broker has them (acks -1). */
export interface DeadLetterSink {
  send(letters: readonly DeadLetter[]): Promise<void>;
}

/** The checkpoint moved behind the in-memory position (a failed batch, or another owner): seek back and redo. */
export class CheckpointConflictError extends Error {
  constructor(
    message: string,
    readonly resumeAt: number | null,
  ) {
    super(message);
    this.name = 'CheckpointConflictError';
  }
}
