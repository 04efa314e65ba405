// The loaded rule set (CONTRACT §3) as the engine and the dunning ladder use it. src/rules/rule-file.ts parses the
// YAML (with positions) into these; durations are milliseconds, money is integer micro-units.
import type { AccountType, HoldReason } from '../domain/types.js';
import type { CdrRecord } from '../events/types.js';
import type { DedupeSegment } from './dedupe-segments.js';
import type { SpillableEngine } from './engine-spill.js';

export type RuleMode = 'enforce' | 'review' | 'monitor';
export type Measure =
  | 'calls'
  | 'cost'
  | 'minutes'
  | 'distinct_callees'
  | 'calls_to_one_callee'
  | 'range_scan'
  | 'concurrent_calls'
  | 'call_duration'
  | 'call_cost'
  | 'callbacks'
  | 'distinct_callers';

/** A `numberOverrides` entry (docs/rules.md): numbers starting with `prefix` (and of `length` digits) get these. */
export interface NumberOverride {
  prefix: string;
  /** Digits of the number, without the '+'; null: any length. */
  length: number | null;
  type: string | null;
  /** ISO alpha-2, or 'none' (outside every country); null: keep the metadata's. */
  country: string | null;
}

export interface AppliesTo {
  accountTypes?: AccountType[];
  tags?: { any?: string[]; none?: string[] };
}

export interface FraudRule {
  id: string;
  description: string | null;
  mode: RuleMode;
  appliesTo: AppliesTo | null;
  match: {
    direction: 'outbound' | 'inbound';
    calleePrefixes?: string[];
    /** The calling number's prefixes and country (docs/rules.md, caller-side matches). */
    callerPrefixes?: string[];
    callerCountries?: { any?: string[]; none?: string[] };
    numberTypes?: string[];
    countries?: { any?: string[]; none?: string[] };
    /** Minutes since local midnight, [from, to); from > to wraps midnight. */
    hours?: { from: number; to: number };
    /** 0 = sunday ... 6 = saturday, in the account's time zone. */
    days?: number[];
    dispositions?: string[];
  };
  measure: Measure;
  /** Null for the windowless measures. */
  windowMs: number | null;
  /** For `range_scan`; default 2. */
  rangeDigits: number;
  warn: number | null;
  suspend: number;
  /** `by`: one average per period (CONTRACT §3), or one per local hour of the week (docs/rules.md). */
  baseline: { factor: number; minimum: number; by?: 'period' | 'hour_of_week' } | null;
  /** `callbacks`: an inbound call answered for at most this long counts as a ring (default 10 s). */
  shortCallMs?: number;
  /** The `numberOverrides` of the rule's file; the engine applies the union of every rule's. */
  numberOverrides?: NumberOverride[];
  cooldownMs: number | null;
  releaseAfterMs: number | null;
  /** Where it came from, for messages: file and line. */
  origin: { file: string; line: number };
}

export interface DunningStage {
  /** Days past the due date of the oldest overdue invoice (after graceDays). */
  afterDays: number;
  email: string | null;
  suspend: boolean;
}

export interface DunningPolicy {
  id: string;
  appliesTo: AppliesTo | null;
  minOverdueMicros: number;
  graceDays: number;
  countDisputed: boolean;
  stages: DunningStage[];
  reactivateOnPayment: boolean;
  /**
   * When the `dunning:<id>` hold lifts by itself (with reactivateOnPayment): `below_suspend_stage` (the default) when
   * the ladder position, from the oldest overdue invoice that counts, falls below the suspending stage;
   * `balance_cleared` when the overdue balance falls below minOverdue.
   */
  reactivateWhen: 'below_suspend_stage' | 'balance_cleared';
  origin: { file: string; line: number };
}

export interface RuleSet {
  fraud: FraudRule[];
  dunning: DunningPolicy[];
  /** A content hash of the files, shown by GET /v1/rules. */
  version: string;
  loadedAt: string;
}

/** What the engine needs to know about the account of a CDR. Unknown accounts count too (type null, no tags). */
export interface AccountProfile {
  id: string;
  type: AccountType | null;
  tags: readonly string[];
  timezone: string;
}

export interface RuleHit {
  accountId: string;
  ruleId: string;
  level: 'warn' | 'suspend';
  mode: RuleMode;
  reason: HoldReason;
  measure: Measure;
  value: number;
  threshold: number;
  window: string | null;
  /** Event time (epoch ms) of the CDR that crossed the level. */
  at: number;
  sampleCdrIds: string[];
  releaseAfterMs: number | null;
}

/**
 * The fraud window engine: pure, event time only. One instance per Kafka partition (accounts are keyed to
 * partitions), so its state is checkpointed with that partition's offsets.
 */
export interface ProcessResult {
  /** `duplicate`: same id and phase seen within the dedupe horizon; `late`: older than the allowed lateness. */
  outcome: 'accepted' | 'duplicate' | 'late';
  hits: RuleHit[];
}

/** A call being set up, as the authorization endpoint knows it (CONTRACT §4 POST /v1/authorize). */
export interface SetupCall {
  callee: string;
  caller?: string | null;
  /** The set-up time (epoch ms): the switch's clock, the event time of the would-be start event. */
  at: number;
  /** The call's id, when the switch gives one (its start event will carry it). */
  id?: string;
}

export interface FraudEngine {
  process(cdr: CdrRecord, account: AccountProfile): ProcessResult;
  /**
   * The hits an outbound call's set-up would trigger now, judged as its `phase: start` event would be. Without
   * `commit` nothing changes (the account's state is put back, the dedupe horizon and the partition clock are not
   * touched), so the real start event still counts when it arrives; with `commit` it is that start event.
   */
  evaluateSetup?(account: AccountProfile, call: SetupCall, opts?: { commit?: boolean }): RuleHit[];
  /** Compact serialised state (windows, baselines, cooldowns, dedupe horizon) for the checkpoint. */
  snapshot(): Uint8Array;
  /** Restores a full snapshot; every restored account then counts as dirty. */
  restore(state: Uint8Array): void;
  // Incremental checkpoints: the state as one small shared part plus one part per account, so a checkpoint writes
  // only what changed since the last one. restoreParts(shared, every stored account part) equals restore(snapshot()).
  /** Accounts whose state changed, appeared or was forgotten since the last markClean() (or a rule change). */
  dirtyAccounts(): string[];
  /** How many accounts dirtyAccounts() would list, without building the list. */
  dirtyCount(): number;
  /** The account's part, or null when the engine holds no state for it (forgotten: delete its stored part). */
  snapshotAccount(accountId: string): Uint8Array | null;
  /** The engine-wide part (partition clock, sweep thresholds, rule fingerprints). Write it with every checkpoint. */
  snapshotShared(): Uint8Array;
  /**
   * Replaces the state with the stored parts and the stored dedupe segments (in the order written); the engine is
   * then clean (all dirty if the rules differ).
   */
  restoreParts(shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>, dedupe?: Iterable<Uint8Array>): void;
  /**
   * The dedupe keys to store with the next state write (dedupe-segments.ts): those added since the last segment
   * stored (the whole horizon until one is, for an engine not restored from parts). Write it with the shared part.
   */
  dedupeSegment(): DedupeSegment;
  /** The segment last handed out is durable (after the write's COMMIT). */
  dedupeStored(): void;
  /** The dirty parts are durable: start a new change set. */
  markClean(): void;
  setRules(rules: readonly FraudRule[]): void;
  /** Active accounts held in memory. */
  size(): number;
  /** The memory budget's access to the state (engine-spill.ts); absent: the engine cannot spill. */
  readonly spill?: SpillableEngine;
  /**
   * Calls `fn` first in every idle sweep from now on (null: no longer): a sweep changes accounts in place, so a
   * background state write still encoding its change set encodes the rest first (src/ingest/partition-checkpoint.ts).
   * Absent: such a write is encoded in one step.
   */
  beforeSweep?(fn: (() => void) | null): void;
}
