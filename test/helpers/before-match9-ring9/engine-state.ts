// Frozen copy of src/rules/engine-state.ts as it was on main (8107d1c) before branches match9 and ring9 (imports of unchanged modules from src).
// The fraud engine's whole state, kept apart from the logic so that it snapshots as one value: the accounts by id with
// their interned numbers (account-table.ts), the event logs of all accounts per window length (window-state.ts) and
// their live calls per concurrent_calls rule (concurrency-state.ts), both in arenas indexed by account number,
// per-account level states, the dedupe
// horizon, the partition's latest event time, and the periodic sweep that forgets idle accounts and expired dedupe
// keys (so memory stays bounded by the active accounts). Also what an incremental checkpoint needs: the accounts
// changed or forgotten since the last one (`dirty`), the dedupe keys added since the last one (`pending`: the
// horizon is stored as segments, dedupe-segments.ts) and the threshold of the last dedupe sweep. Pure.
import { AccountTable } from '../../../src/rules/account-table.js';
import { LIVE_MAX_MS, LiveCalls } from '../../../src/rules/concurrency-state.js';
import { encodeSegment, forEachPair, type DedupeSegment } from '../../../src/rules/dedupe-segments.js';
import { DedupeTable } from '../../../src/rules/dedupe-table.js';
import { DirtyAccounts } from '../../../src/rules/dirty-accounts.js';
import { regionOrder } from '../../../src/rules/region-order.js';
import { RingIds } from './ring-ids.js';

export { RING_SEP, ringList, ringText } from './ring-ids.js';
import { RingTimes } from '../../../src/rules/ring-times.js';
import { RowLists } from '../../../src/rules/row-lists.js';
import { RS, WindowPlan } from '../../../src/rules/rule-state.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { GroupLogs } from '../../../src/rules/window-state.js';

/** How far an account may lag the partition's latest event before its old events count as late (see fraud-engine.ts). */
export const GLOBAL_SKEW_MS = 3_600_000;
const SWEEP_EVERY_MS = 15 * 60_000;
export const RING = 8;
const DAY = 86_400_000;

/**
 * A view of one account's state in the engine's columns (made on the spot by `EngineState.accounts.get`, for the
 * code and tests that read an account as a whole; the engine's hot path reads the columns by number). Arrays read
 * through it are copies; setting one writes it back.
 */
export class AccountState {
  constructor(
    private readonly st: EngineState,
    /** The account's number in EngineState.accounts (account-table.ts). */
    readonly ix: number,
  ) {}

  /** Latest event time seen for the account. */
  get maxT(): number { return this.st.maxT[this.ix]!; }
  set maxT(t: number) { this.st.maxT[this.ix] = t; }
  /** Whether a start event of this account was accepted: only then can an end record's start have counted. */
  get sp(): boolean { return this.st.sp[this.ix] === 1; }
  set sp(x: boolean) { this.st.sp[this.ix] = x ? 1 : 0; }
  /**
   * Level states (baseline, cooldowns), only of rules that reached a level or keep a baseline: RS numbers each,
   * rule index first, sorted by rule index (EngineState.rs).
   */
  get rs(): number[] | null { return this.st.rs.toArray(this.ix); }
  /** Hour-of-week profiles per rule index (`by: hour_of_week` baselines only). */
  get rw(): (number[] | undefined)[] | null { return this.st.rw.get(this.ix) ?? null; }
  /** Evidence ring: the ids as one string (EngineState.ringIds), (time, mask) pairs, the entry written next. */
  get ringIds(): string | null { return this.st.ringIds.text(this.ix); }
  set ringIds(x: string | null) { this.st.ringIds.setText(this.ix, x); }
  get ringTm(): number[] | null { return this.st.ringTm.toArray(this.ix); }
  set ringTm(x: number[] | null) { this.st.ringTm.load(this.ix, x); }
  get ringNext(): number { return this.st.ringNext[this.ix]!; }
  set ringNext(x: number) { this.st.ringNext[this.ix] = x; }
  /** `callbacks`: inbound calls that rang (unanswered or short), as (caller key, startedAt, answered ms) triples. */
  get rg(): number[] | null { return this.st.rg.get(this.ix) ?? null; }
}

/** Measures a rule can decide at a call's start event (docs/rules.md, decisions at call set-up). */
const SETUP_MEASURES = new Set(['calls', 'callbacks', 'distinct_callees', 'distinct_callers', 'calls_to_one_callee', 'range_scan']);

/** Whether a windowed rule counts a call at its start event (when one arrives) rather than at its end record. */
export function decidesAtSetup(rule: FraudRule): boolean {
  return SETUP_MEASURES.has(rule.measure) && rule.windowMs !== null && !rule.match.dispositions;
}

/** What a rule's state depends on: a changed rule with the same id starts afresh. */
export function ruleFingerprint(r: FraudRule): string {
  return JSON.stringify([r.match, r.measure, r.windowMs, r.rangeDigits, r.baseline]);
}

export class EngineState {
  /** By id, each with its interned number (a Map to the rest of the code); releasing one frees its arena rows. */
  readonly accounts: AccountTable<AccountState> = new AccountTable<AccountState>(
    (ix) => this.release(ix),
    (capacity) => this.grow(capacity),
    (ix) => new AccountState(this, ix),
    (ix, id) => this.dirty.added(ix, id),
  );
  /** Accounts changed, created or forgotten since the last markClean() (by number; forgotten ones by id). */
  readonly dirty = new DirtyAccounts(this.accounts);
  /**
   * Per account number (columns grown with the table): latest event time seen; 1 when a start event was accepted
   * (only then can an end record's start have counted); the evidence ring's entry written next.
   */
  maxT = new Float64Array(0);
  sp: Uint8Array = new Uint8Array(0);
  ringNext: Uint8Array = new Uint8Array(0);
  /**
   * The evidence ring (the last few matched CDRs, for evidence samples): up to RING entries, `ringNext` next (fewer
   * while it fills; parts written before held RING, '' unused). The ids are one text per account (ring-ids.ts, as
   * bytes), each entry's id followed by RING_SEP (ringList splits them); the (event time, mask of rule indices < 30)
   * pairs are rows of `ringTm`.
   */
  readonly ringIds = new RingIds();
  /** Packed pairs (ring-times.ts); a list starts at 4: a ring keeps its last RING matched CDRs, so it fills. */
  readonly ringTm = new RingTimes();
  /**
   * Per account number, the dedupe (key, event time) pairs of a stored part written before the horizon was stored
   * as segments (those parts carried their account's keys): kept, pruned at each sweep, so the part re-encodes as it
   * was and its keys stay stored until they expire (engine-snapshot.ts). Only restored parts of that format have one.
   */
  readonly legacyDd = new Map<number, number[]>();
  /**
   * The (key, event time) pairs the table took since the last segment was handed out (takeSegment), pruned at
   * each sweep; null until the engine's horizon is stored at all (no state write yet and no restore from the
   * store, or the horizon stored must be replaced: after a rule change), so an engine that never writes its state
   * (replay, benches) keeps no such list.
   */
  pending: number[] | null = null;
  /**
   * The lists handed out in segments whose write has not committed yet (segmentStored): a write's transaction may
   * be run again (a lost race), and then its segment must hold them again.
   */
  unstored: number[][] = [];

  /** Level states, only of rules that reached a level or keep a baseline: RS numbers a row, rule index first, sorted. */
  readonly rs = new RowLists(RS);
  /** Hour-of-week profiles per rule index by account number (`by: hour_of_week` baselines only; rare). */
  readonly rw = new Map<number, (number[] | undefined)[]>();
  /** `callbacks`: per account number, inbound calls that rang, as (caller key, startedAt, answered ms) triples. */
  readonly rg = new Map<number, number[]>();
  /**
   * hash(id, phase) -> event time. Its entries span at most the dedupe horizon (a sweep drops those before
   * globalLateBefore, and no older event is taken) and a sweep's interval: the table's slots take 10 bytes while
   * that is well under a day and a half (dedupe-table.ts), as with every window up to a day.
   */
  readonly dedupe: DedupeTable;
  globalMax = Number.NEGATIVE_INFINITY;
  nextSweep = Number.NEGATIVE_INFINITY;
  /**
   * The threshold of the last dedupe sweep (or -Infinity after a rule change, when every account is rewritten):
   * every live dedupe entry has a time >= it, so stored account parts not rewritten since a sweep restore exactly
   * by dropping their entries below it.
   */
  sweptBefore = Number.NEGATIVE_INFINITY;
  readonly maxWindowMs: number;
  /** An account idle this long (behind the partition's latest event) is forgotten. */
  readonly idleMs: number;
  readonly plan: WindowPlan;
  /** Per window group (WindowPlan.groups): every account's event log, by account number. */
  readonly windows: GroupLogs[];
  /** Per rule index: decides at set-up (decidesAtSetup). */
  readonly atSetup: boolean[];
  /** How long rings are kept (0: no `callbacks` rule), and the longest `shortCall` of those rules. */
  readonly ringKeepMs: number;
  readonly maxShortCallMs: number;
  /** Per rule index: its slot in `live` (concurrent_calls rules), or -1; and the rule of each slot. */
  readonly concSlot: number[];
  readonly concRules: number[] = [];
  /** Per concurrent_calls rule (its slot): every account's live calls, by account number. */
  readonly live: LiveCalls[];
  private readonly index = new Map<string, number>();

  constructor(readonly rules: readonly FraudRule[], readonly latenessMs: number) {
    this.maxWindowMs = Math.max(0, ...rules.map((r) => r.windowMs ?? 0));
    const maxCooldown = Math.max(0, ...rules.map((r) => r.cooldownMs ?? r.windowMs ?? 3_600_000));
    // An hour-of-week profile is worth keeping through a week without traffic (a line used only on Mondays).
    const weekly = rules.some((r) => r.baseline?.by === 'hour_of_week') ? 8 * DAY : 0;
    this.idleMs = Math.max(2 * DAY, weekly, 2 * this.maxWindowMs + latenessMs + GLOBAL_SKEW_MS + Math.max(maxCooldown, LIVE_MAX_MS));
    this.dedupe = new DedupeTable(1024, latenessMs + this.maxWindowMs + GLOBAL_SKEW_MS + SWEEP_EVERY_MS);
    this.plan = new WindowPlan(rules);
    this.windows = this.plan.groups.map((g) => new GroupLogs(g));
    this.atSetup = rules.map(decidesAtSetup);
    const callbacks = rules.filter((r) => r.measure === 'callbacks');
    // A call-back is judged at its end record, up to a window after it started: keep rings two windows and a long call.
    this.ringKeepMs = callbacks.length === 0 ? 0 : 2 * Math.max(...callbacks.map((r) => r.windowMs!)) + LIVE_MAX_MS;
    this.maxShortCallMs = Math.max(0, ...callbacks.map((r) => r.shortCallMs ?? 10_000));
    rules.forEach((r, i) => this.index.set(r.id, i));
    this.concSlot = rules.map((r, i) => (r.measure === 'concurrent_calls' ? this.concRules.push(i) - 1 : -1));
    this.live = this.concRules.map(() => new LiveCalls());
  }

  /** The live calls of concurrent_calls rule `r` (all accounts'). */
  concurrency(r: number): LiveCalls {
    return this.live[this.concSlot[r]!]!;
  }

  /**
   * Drops a clean account from memory, for spilling: its stored part stays the truth (restore it with
   * engine-snapshot.ts restoreAccount). Refuses (false) an account changed since the last checkpoint, whose part is
   * not stored yet. Its dedupe keys stay in the engine-wide table, so duplicates are still caught.
   */
  forget(id: string): boolean {
    if (this.dirty.has(id)) return false;
    return this.accounts.delete(id);
  }

  /** What an account leaves in the columns and arenas when it is dropped or replaced. */
  private release(ix: number): void {
    this.dirty.released(ix);
    for (const w of this.windows) w.free(ix);
    for (const c of this.live) c.free(ix);
    this.maxT[ix] = Number.NEGATIVE_INFINITY;
    this.sp[ix] = 0;
    this.ringNext[ix] = 0;
    this.ringIds.free(ix);
    this.ringTm.free(ix);
    this.legacyDd.delete(ix);
    this.rs.free(ix);
    this.rw.delete(ix);
    this.rg.delete(ix);
  }

  /** Account numbers up to `capacity` may be used: the columns and the arenas' per-account arrays grow to it. */
  private grow(capacity: number): void {
    for (const w of this.windows) w.grow(capacity);
    for (const c of this.live) c.grow(capacity);
    const maxT = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    maxT.set(this.maxT);
    this.maxT = maxT;
    this.sp = grown(this.sp, capacity);
    this.ringNext = grown(this.ringNext, capacity);
    this.dirty.grow(capacity);
    this.ringIds.grow(capacity);
    this.ringTm.grow(capacity);
    this.rs.grow(capacity);
  }

  indexOf(ruleId: string): number {
    return this.index.get(ruleId)!;
  }

  globalLateBefore(): number {
    return this.globalMax - this.latenessMs - this.maxWindowMs - GLOBAL_SKEW_MS;
  }

  /**
   * Adds a matched CDR to the account's evidence ring: it grows one entry at a time (exact size) to RING, then wraps.
   * An id holding RING_SEP (never a validated one) is kept as '' (no sample).
   */
  remember(ix: number, id: string, t: number, mask: number): void {
    const j = this.ringNext[ix]!;
    const tm = this.ringTm;
    const n = tm.length(ix);
    // the (time, mask) pair first (branch `keep6`): a store, so the ids' region is read while its row is fetched
    // (the two stores are apart; the order of their writes changes nothing)
    if (j >= n) {
      tm.set(ix, n, t, mask);
      // a filling ring: ids that must move take room for the entries the ring still lacks, so they move once
      this.ringIds.append(ix, id, RING - 1 - n);
    } else {
      tm.set(ix, j, t, mask);
      this.ringIds.replace(ix, j, id);
    }
    this.ringNext[ix] = (j + 1) % RING;
  }

  /** The table took `key` at `time`: the next segment stores it. */
  keyAdded(key: number, time: number): void {
    if (this.pending !== null) this.pending.push(key, time);
  }

  /**
   * The dedupe keys a state write must store: those added since the last segment that was stored, or, until one
   * was stored by an engine not restored from the store, the whole table. Call segmentStored() after the write's
   * COMMIT; a write that fails for good discards the engine (the lane reloads its checkpoint, partition-checkpoint.ts).
   */
  takeSegment(): DedupeSegment {
    if (this.pending === null) {
      this.unstored = [this.dedupe.entries()];
      this.replaceStored = true;
    } else if (this.pending.length > 0) this.unstored.push(this.pending);
    this.pending = [];
    // the whole table replaces every stored segment: after a rule change the stored threshold is -Infinity, and
    // older segments would restore keys the table has swept
    return encodeSegment(this.unstored.length === 1 ? this.unstored[0]! : this.unstored.flat(), this.replaceStored ? Number.POSITIVE_INFINITY : this.sweptBefore);
  }

  /** The segment last handed out is durable. */
  segmentStored(): void {
    this.unstored = [];
    this.replaceStored = false;
  }

  /** The segment handed out holds the whole table (see takeSegment). */
  private replaceStored = false;

  /**
   * Gives the account the dedupe (key, time) pairs of a stored part of the format before segments (already
   * pruned); with `fill`, the table takes the keys it lacks. The pairs are kept as they are, so the part
   * re-encodes as it was.
   */
  loadLegacyDedupe(ix: number, pairs: number[], fill: boolean): void {
    if (fill) for (let i = 0; i < pairs.length; i += 2) if (!this.dedupe.has(pairs[i]!)) this.dedupe.add(pairs[i]!, pairs[i + 1]!);
    if (pairs.length > 0) this.legacyDd.set(ix, pairs);
    else this.legacyDd.delete(ix);
  }

  /** A stored segment's pairs at or after `before` into the table, where it lacks them. */
  loadSegment(bytes: Uint8Array, before: number): void {
    const table = this.dedupe;
    forEachPair(bytes, (key, t) => {
      if (t >= before && !table.has(key)) table.add(key, t);
    });
  }

  /** Moves the partition's clock; every SWEEP_EVERY_MS of event time, forgets what can no longer matter. */
  advance(t: number): void {
    if (t <= this.globalMax) return;
    this.globalMax = t;
    if (t < this.nextSweep) return;
    if (this.nextSweep !== Number.NEGATIVE_INFINITY) this.sweep();
    this.nextSweep = t + SWEEP_EVERY_MS;
  }

  /**
   * Called first by each sweep, which changes accounts in place (prunes dedupe keys, forgets idle accounts): a
   * background state write still encoding its change set (src/ingest/partition-checkpoint.ts) encodes the rest first.
   */
  beforeSweep: (() => void) | null = null;

  sweep(): void {
    this.beforeSweep?.();
    const lateBefore = this.globalLateBefore();
    const idleBefore = this.globalMax - this.idleMs;
    this.accounts.forEachNumber((ix) => {
      if (this.maxT[ix]! < idleBefore) {
        // marked first: releasing a dirty number keeps its id as forgotten
        this.dirty.add(ix);
        this.accounts.deleteAt(ix);
      }
    });
    for (const [ix, pairs] of this.legacyDd) {
      pruneDedupe(pairs, lateBefore);
      if (pairs.length === 0) this.legacyDd.delete(ix);
    }
    if (this.pending !== null) pruneDedupe(this.pending, lateBefore);
    for (const pairs of this.unstored) pruneDedupe(pairs, lateBefore);
    this.dedupe.sweep(lateBefore);
    this.sweptBefore = lateBefore;
    // lists grown class by class leave holes of the small classes: compact the arenas in place where they add up
    // (and give the compaction's scratch back)
    for (const w of this.windows) w.compact();
    for (const c of this.live) c.compact();
    this.ringTm.compact();
    this.ringIds.compact();
    this.rs.compact();
    regionOrder.drop();
  }
}

/** Drops the (key, time) pairs older than `before`, in place, keeping order. */
export function pruneDedupe(dd: number[], before: number): void {
  let w = 0;
  for (let i = 0; i < dd.length; i += 2) {
    if (dd[i + 1]! < before) continue;
    dd[w++] = dd[i]!;
    dd[w++] = dd[i + 1]!;
  }
  dd.length = w;
}

function grown(a: Uint8Array, capacity: number): Uint8Array {
  const b = new Uint8Array(capacity);
  b.set(a);
  return b;
}

