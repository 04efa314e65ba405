// Which fraud engine a lane runs (issue 17): `classic` (src/rules/fraud-engine.ts, the reference) or `fused`
// (src/rules/fused/fused-engine.ts: the same decisions, the rules' per-CDR work done together, faster). One place
// builds either, so the daemon's lanes, its ingest workers and replay make the same choice from the same setting
// (FRAUD_ENGINE, README). A rule set the fused engine cannot hold (more than 30 rules), or any rule set while the
// fused engine does not store state (FUSED_STORES_STATE: every caller here stores its lanes' state), runs on the
// classic engine, and `onFallback` is told why (the caller logs and counts it; a fallback never changes a decision,
// only the speed).
// The fused engine also refuses, before changing anything, a record or a call it cannot hold (an event time that is
// not a whole millisecond, ...: its header) and any method it has not built: `GuardedEngine` then moves the lane's
// whole state into a classic engine (the fused engine's snapshot, which is the classic engine's bytes: the
// fused-store oracle), tells `onFallback` why, and does the call there. The lane runs the classic engine from then on
// (until the process restarts); no record is refused for the engine's sake and no decision changes. Pure.
import type { FraudEngineOptions } from './fraud-engine.js';
import { createFraudEngine } from './fraud-engine.js';
import { createFusedEngine, FUSED_MAX_WINDOW_MS, FUSED_STORES_STATE } from './fused/fused-engine.js';
import type { CdrRecord } from '../events/types.js';
import type { AccountProfile, FraudEngine, FraudRule, ProcessResult, RuleHit, SetupCall } from './types.js';
import type { DedupeSegment } from './dedupe-segments.js';
import type { SpillableEngine } from './engine-spill.js';

import type { EngineKind } from './engine-kind.js';
export { ENGINE_KINDS, type EngineKind } from './engine-kind.js';

/** The most rules the fused engine holds (a rule's bit in a row's int32 mask, two bits kept for flags). */
export const FUSED_MAX_RULES = 30;

/** Why `kind` cannot run `rules` (null: it can). */
export function engineCannotHold(kind: EngineKind, rules: readonly FraudRule[], storesState: boolean = FUSED_STORES_STATE): string | null {
  if (kind === 'fused' && !storesState) return 'the fused engine does not store state yet (snapshots, spill, restarts)';
  if (kind === 'fused' && rules.length > FUSED_MAX_RULES) return `the fused engine holds at most ${FUSED_MAX_RULES} rules and the rule set has ${rules.length}`;
  const long = rules.find((r) => (r.windowMs ?? 0) > FUSED_MAX_WINDOW_MS);
  if (kind === 'fused' && long) return `the fused engine holds rule windows up to 7 days and rule ${long.id} has ${long.windowMs! / 86_400_000} days`;
  return null;
}

export function createEngineOf(kind: EngineKind, rules: readonly FraudRule[], opts: FraudEngineOptions, onFallback?: (reason: string) => void): FraudEngine {
  const cannot = engineCannotHold(kind, rules);
  if (cannot !== null) onFallback?.(`${cannot}: running the classic engine`);
  if (kind === 'fused' && cannot === null) return new GuardedEngine(createFusedEngine(rules, opts), rules, opts, onFallback);
  return createFraudEngine(rules, opts);
}

/** What the fused engine throws, before changing anything, for what it cannot hold (fused-engine.ts, notBuilt). */
export function isUnsupported(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('fused engine: ') && err.message.endsWith('not built yet');
}

/**
 * The fused engine, moved into a classic engine the first time it refuses a call (see the header). Every call goes
 * to `e`; `fused` is true until the move.
 */
export class GuardedEngine implements FraudEngine {
  private e: FraudEngine;
  fused = true;
  private rules: readonly FraudRule[];
  private sweepHook: (() => void) | null = null;

  constructor(
    first: FraudEngine,
    rules: readonly FraudRule[],
    private readonly opts: FraudEngineOptions,
    private readonly onFallback?: (reason: string) => void,
  ) {
    this.e = first;
    this.rules = rules;
  }

  /** The engine in use (tests and benches). */
  get current(): FraudEngine {
    return this.e;
  }

  /** Moves the state into a classic engine (once; `why`: the refusal). */
  private fallBack(err: unknown): void {
    if (!this.fused || !isUnsupported(err)) throw err;
    const state = this.e.snapshot();
    const classic = createFraudEngine(this.rules, this.opts);
    classic.restore(state);
    if (this.sweepHook !== null) classic.beforeSweep?.(this.sweepHook);
    this.e = classic;
    this.fused = false;
    this.onFallback?.(`${(err as Error).message}: this lane's state moved to the classic engine`);
  }

  private guard<T>(call: () => T): T {
    if (!this.fused) return call();
    try {
      return call();
    } catch (err) {
      this.fallBack(err);
      return call();
    }
  }

  process(cdr: CdrRecord, account: AccountProfile): ProcessResult {
    if (!this.fused) return this.e.process(cdr, account);
    try {
      return this.e.process(cdr, account);
    } catch (err) {
      this.fallBack(err);
      return this.e.process(cdr, account);
    }
  }

  evaluateSetup(account: AccountProfile, call: SetupCall, opts?: { commit?: boolean }): RuleHit[] {
    return this.guard(() => this.e.evaluateSetup!(account, call, opts));
  }

  snapshot(): Uint8Array {
    return this.guard(() => this.e.snapshot());
  }

  restore(state: Uint8Array): void {
    this.guard(() => this.e.restore(state));
  }

  dirtyAccounts(): string[] {
    return this.guard(() => this.e.dirtyAccounts());
  }

  dirtyCount(): number {
    return this.guard(() => this.e.dirtyCount());
  }

  snapshotAccount(accountId: string): Uint8Array | null {
    return this.guard(() => this.e.snapshotAccount(accountId));
  }

  snapshotShared(): Uint8Array {
    return this.guard(() => this.e.snapshotShared());
  }

  restoreParts(shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>, dedupe?: Iterable<Uint8Array>): void {
    // The iterables may be one-shot: a refused restore is retried from arrays.
    const parts = [...accounts];
    const segments = dedupe === undefined ? undefined : [...dedupe];
    this.guard(() => this.e.restoreParts(shared, parts, segments));
  }

  dedupeSegment(): DedupeSegment {
    return this.guard(() => this.e.dedupeSegment());
  }

  dedupeStored(): void {
    this.guard(() => this.e.dedupeStored());
  }

  markClean(): void {
    this.guard(() => this.e.markClean());
  }

  setRules(rules: readonly FraudRule[]): void {
    this.guard(() => this.e.setRules(rules));
    this.rules = rules;
  }

  size(): number {
    return this.e.size();
  }

  /**
   * The spill view of the engine in use, stable across the move (the memory budget keeps it for the lane's life): each
   * call goes to the current engine's, and a refused load moves the lane first, as any refused call does.
   */
  readonly spill: SpillableEngine = {
    bytes: () => this.e.spill!.bytes(),
    rules: () => this.e.spill!.rules(),
    shared: () => this.e.spill!.shared(),
    sameRules: (shared) => this.e.spill!.sameRules(shared),
    forEachAccount: (fn) => this.e.spill!.forEachAccount(fn),
    forget: (id) => this.e.spill!.forget(id),
    load: (id, part, pruneBefore, steps) => this.guard(() => this.e.spill!.load(id, part, pruneBefore, steps)),
    carry: (id, part, steps) => this.e.spill!.carry(id, part, steps),
    dropStored: (id) => this.e.spill!.dropStored(id),
    lastSweep: () => this.e.spill!.lastSweep(),
  };

  beforeSweep(fn: (() => void) | null): void {
    this.sweepHook = fn;
    this.e.beforeSweep?.(fn);
  }
}
