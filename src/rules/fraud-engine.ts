// The fraud window engine (FraudEngine, src/rules/types.ts): pure, event time only, one instance per partition.
//
// Event time: a start event's `startedAt`; an end record's `endedAt` (else answeredAt/startedAt + durationSec).
// Watermark, per account: wm = (latest event time seen for the account) - allowedLateness. An event at time t is
//   - `late` when t < wm - W (W = the longest window of the rule set), or when t is older than the partition's
//     latest event time - allowedLateness - W - GLOBAL_SKEW_MS (so idle accounts can be forgotten safely);
//   - `duplicate` when its (id, phase) was accepted before (kept while it could still be accepted);
//   - else accepted. A windowed rule of window w counts it only if t >= wm - w, a windowless rule if t >= wm.
// Each accepted event is judged at tau = max(t, wm) over the closed window [tau - w, tau] of the events accepted so
// far, so a late-but-allowed event re-evaluates the earliest window that can still change. State older than
// wm - w is evicted. Start events feed concurrent_calls and the rules that decide at set-up (call-counting.ts: a call
// counts once, at its start or at its end); the other windowed rules count end records.
// Errors: anything one rule throws while judging one record is caught, recorded in `errors` (RuleErrors) with the
// rule, account and record, and that rule's hit is dropped; the record's other rules and later records go on.
import type { CdrRecord } from '../events/types.js';
import { countingRules, durationSec, eventTime, recordRing } from './call-counting.js';
import { applies, CdrMatcher } from './cdr-matcher.js';
import { formatDuration } from './durations.js';
import type { DedupeSegment } from './dedupe-segments.js';
import { decodeParts, decodeSnapshot, encodeAccount, encodeShared, encodeSnapshot, restoreAccount, withRules } from './engine-snapshot.js';
import { spillableState } from './engine-spill.js';
import { EngineState, RING, ruleFingerprint } from './engine-state.js';
import { hash53, hashPrefix } from './hash.js';
import { RuleErrors, messageOf } from './rule-errors.js';
import { addRecord, findRecord, recordMask, RuleState } from './rule-state.js';
import type { AccountProfile, FraudEngine, FraudRule, ProcessResult, RuleHit, SetupCall } from './types.js';
import { heldBy } from './window-columns.js';

export interface FraudEngineOptions {
  /** How far behind an account's latest event an event may arrive and still count fully (default 5 minutes). */
  allowedLatenessMs: number;
  /** For accounts without a time zone. */
  defaultTimezone: string;
  /** Where rule errors go; shared by a process's engines. Default: a log of this engine's own. */
  errors?: RuleErrors;
}

const NO_HITS: RuleHit[] = Object.freeze([]) as unknown as RuleHit[];
// Shared results for the common hitless outcomes, so the hot path allocates nothing for them. Callers must not
// mutate a result.
const ACCEPTED: ProcessResult = Object.freeze({ outcome: 'accepted', hits: NO_HITS });
const LATE: ProcessResult = Object.freeze({ outcome: 'late', hits: NO_HITS });
const DUPLICATE: ProcessResult = Object.freeze({ outcome: 'duplicate', hits: NO_HITS });
const MAX_SAMPLES = 5;
const NO_SAMPLES: string[] = [];

/** Sources of a row's kept columns (Engine.sources): none (0), cost, seconds, callee, caller; RANGE + digits a range. */
const NONE = 0;
const COST = 1;
const SECONDS = 2;
const CALLEE = 3;
const CALLER = 4;
const RANGE = 5;

const MONEY = new Set(['cost', 'call_cost']);

/** The lowest level a rule can reach without a baseline. */
function reachable(rule: FraudRule): number {
  return rule.warn !== null && rule.warn < rule.suspend ? rule.warn : rule.suspend;
}

export function createFraudEngine(
  rules: readonly FraudRule[],
  opts: FraudEngineOptions,
): FraudEngine & { state: EngineState; errors: RuleErrors; evaluateSetup: NonNullable<FraudEngine['evaluateSetup']> } {
  return new Engine(rules, opts);
}

class Engine implements FraudEngine {
  state: EngineState;
  readonly errors: RuleErrors;
  private matcher: CdrMatcher;
  private readonly matched: number[] = [];
  /** Per-CDR scratch, per window group: mask of its rules the CDR counts for, the row, the query bounds. */
  private gMask: Int32Array;
  private gRow: number[][];
  private gLo: Int32Array;
  private gHi: Int32Array;
  /** Per window group, by mask of its rules: `sources`. */
  private gSrc: Int16Array[][];
  /** hash53 of the current CDR's callee, computed at most once per CDR (NaN: not yet). */
  private calleeKey = Number.NaN;
  /** The record being processed, and its callee key as a function made once (no closure per record). */
  private current: CdrRecord | null = null;
  private readonly currentCallee = () => this.callee(this.current!);
  /** evaluateSetup without commit: the account's state is put back afterwards; nothing engine-wide changes. */
  private dry = false;
  /** What the window groups' touches read (kept, so that the reads are not dropped: feedWindows). */
  touched = 0;
  /** Bits of the window groups (index, capped at 30) that failed to take the current record. */
  private failedGroups = 0;
  /** Pointed at each level state in turn (EngineState.rs). */
  private readonly view = new RuleState();
  /** The current account's rules with a level state (recordMask; -1: search each), kept up to date by judge. */
  private records = -1;

  constructor(rules: readonly FraudRule[], private readonly opts: FraudEngineOptions) {
    this.errors = opts.errors ?? new RuleErrors();
    this.state = new EngineState(rules, opts.allowedLatenessMs);
    this.matcher = new CdrMatcher(rules, opts.defaultTimezone);
    [this.gMask, this.gRow, this.gLo, this.gHi] = this.scratch();
    this.gSrc = this.state.plan.groups.map(() => []);
  }

  private scratch(): [Int32Array, number[][], Int32Array, Int32Array] {
    const groups = this.state.plan.groups;
    return [new Int32Array(groups.length), groups.map((g) => new Array<number>(g.stride).fill(0)), new Int32Array(groups.length), new Int32Array(groups.length)];
  }

  process(cdr: CdrRecord, account: AccountProfile): ProcessResult {
    const st = this.state;
    const t = eventTime(cdr);
    let ix = st.accounts.indexOf(cdr.accountId);
    if (ix >= 0) this.touchWindows(ix);
    const maxT = ix >= 0 && st.maxT[ix]! > t ? st.maxT[ix]! : t;
    const wm = maxT - this.opts.allowedLatenessMs;
    if (t < wm - st.maxWindowMs || t < st.globalLateBefore()) return LATE;
    const key = hash53(cdr.id, cdr.phase === 'start' ? 1 : 0);
    if (this.dry ? st.dedupe.has(key) : !st.dedupe.addIfAbsent(key, t)) return DUPLICATE;
    if (ix < 0) ix = st.accounts.add(cdr.accountId);
    st.maxT[ix] = maxT;
    if (cdr.phase === 'start') st.sp[ix] = 1;
    if (!this.dry) {
      st.keyAdded(key, t);
      st.dirty.add(ix);
      st.advance(t); // may sweep: after maxT, so the account itself is not idle
    }

    this.calleeKey = Number.NaN;
    if (st.ringKeepMs > 0 && cdr.direction === 'inbound' && cdr.phase === 'end' && cdr.caller !== null) recordRing(st, ix, cdr, wm);
    const matched = this.matcher.match(cdr, account, this.matched);
    if (matched === 0) return ACCEPTED;
    this.current = cdr;
    const n = countingRules(st, ix, cdr, this.matched, matched, this.currentCallee);
    if (n === 0) return ACCEPTED;
    const tau = t > wm ? t : wm;
    this.failedGroups = 0;
    this.feedWindows(cdr, t, wm, tau, n, ix);
    let hits = NO_HITS;
    let mask = 0;
    this.records = recordMask(st.rs, ix);
    for (let i = 0; i < n; i++) {
      const r = this.matched[i]!;
      try {
        const hit = this.judge(cdr, t, wm, tau, r, ix, account);
        if (r < 30 && hit !== null) mask |= 1 << r;
        if (hit === null || hit === undefined) continue;
        if (hits === NO_HITS) hits = [];
        hits.push(hit);
      } catch (err) {
        this.ruleFailed(r, cdr, t, err);
      }
    }
    if (mask !== 0) st.remember(ix, cdr.id, t, mask);
    if (hits === NO_HITS) return ACCEPTED;
    for (let k = 0; k < hits.length; k++) {
      const hit = hits[k]!;
      try {
        hit.sampleCdrIds = this.samples(ix, st.indexOf(hit.ruleId), cdr.id, tau);
      } catch (err) {
        hit.sampleCdrIds = [cdr.id];
        this.ruleFailed(st.indexOf(hit.ruleId), cdr, t, err);
      }
    }
    return { outcome: 'accepted', hits };
  }

  /**
   * One rule's judgement of one record: null when the record does not count for it (no evidence), undefined when it
   * counts but reaches no level, else the hit (samples filled in later).
   */
  private judge(cdr: CdrRecord, t: number, wm: number, tau: number, r: number, ix: number, account: AccountProfile): RuleHit | null | undefined {
    const st = this.state;
    const rule = st.rules[r]!;
    if (this.failedGroup(r)) return null;
    // Level state is kept only once a rule first reaches a level, or from the start for baselines.
    // most rules of most accounts have none: known from the mask, without searching the list per rule
    const none = this.records !== -1 && r < 31 && (this.records & (1 << r)) === 0;
    // Without a baseline a value below the lowest level reaches nothing, whatever it is (measure: `below`): with no
    // level state judge returns before making one, and with one RuleState.level returns null and changes nothing.
    const value = this.measure(cdr, t, wm, rule, r, ix, rule.baseline === null ? reachable(rule) : 0);
    if (value < 0) return null;
    let o = none ? -1 : findRecord(st.rs, ix, r);
    if (o < 0) {
      if (rule.baseline === null && value < reachable(rule)) return undefined;
      o = addRecord(st.rs, ix, r);
      if (this.records !== -1 && r < 31) this.records |= 1 << r;
    }
    const state = this.view;
    state.d = st.rs.chunk(st.rs.at(ix));
    state.o = o;
    const weekly = rule.baseline?.by === 'hour_of_week';
    state.hw = weekly ? (st.rw.get(ix)?.[r] ?? null) : null;
    let lvl: ReturnType<RuleState['level']>;
    try {
      lvl = state.level(rule, value, tau, weekly ? this.hourOfWeek(tau, account) : 0);
    } finally {
      if (state.hw) {
        let rw = st.rw.get(ix);
        if (!rw) st.rw.set(ix, (rw = []));
        rw[r] = state.hw;
      }
    }
    if (!lvl) return undefined;
    // Money leaves the engine as integer micro-units: anything else would fail later, in the batch's transaction.
    if (MONEY.has(rule.measure) && !(Number.isSafeInteger(value) && Number.isSafeInteger(lvl.threshold))) {
      throw new Error(`rule ${rule.id} produced a money figure that is not whole micro-units (value ${value}, level ${lvl.threshold})`);
    }
    return {
      accountId: cdr.accountId, ruleId: rule.id, level: lvl.level, mode: rule.mode, reason: 'fraud',
      measure: rule.measure, value,
      threshold: lvl.threshold, window: rule.windowMs === null ? null : formatDuration(rule.windowMs), at: tau,
      sampleCdrIds: NO_SAMPLES, releaseAfterMs: rule.releaseAfterMs,
    };
  }

  /** Local hour of the week (0 = sunday 00:00) of `at` in the account's time zone. */
  private hourOfWeek(at: number, account: AccountProfile): number {
    const local = this.matcher.local;
    local.at(at, account.timezone);
    return local.weekday * 24 + Math.floor(local.minuteOfDay / 60);
  }

  private ruleFailed(r: number, cdr: CdrRecord, t: number, err: unknown): void {
    const rule = this.state.rules[r];
    this.errors.record({ ruleId: rule?.id ?? `#${r}`, accountId: cdr.accountId, cdrId: cdr.id, phase: cdr.phase, at: t, message: messageOf(err), error: err });
  }

  /** Whether the rule's window group failed to take this record (its bounds are then not valid). */
  private failedGroup(r: number): boolean {
    if (this.failedGroups === 0) return false;
    const g = this.state.plan.groupOf[r]!;
    return g >= 0 && (this.failedGroups & (1 << Math.min(g, 30))) !== 0;
  }

  /**
   * Reads the account's fields of every window group in use, then its rows there, first thing for a known account:
   * they are cache misses (each group's fields and rows lie apart) that then overlap with each other and with those of
   * the dedupe table, rather than each stall the record's feed of its group in turn (evict read them first until
   * branch `win5`: 15% of the 20 rules' profile, against ~7% for this).
   */
  private touchWindows(ix: number): void {
    const windows = this.state.windows;
    let x = 0;
    for (let g = 0; g < windows.length; g++) x += windows[g]!.touch(ix);
    for (let g = 0; g < windows.length; g++) x += windows[g]!.touchRows(ix);
    this.touched = x;
  }

  /**
   * Adds an end record to the window log of every group with a matched rule it still counts for (t >= wm - w),
   * once per group with the mask of those rules, and computes each such group's query bounds [tau - w, tau].
   */
  private feedWindows(cdr: CdrRecord, t: number, wm: number, tau: number, n: number, ix: number): void {
    const plan = this.state.plan;
    const gMask = this.gMask;
    for (let g = 0; g < gMask.length; g++) gMask[g] = 0;
    let any = false;
    for (let i = 0; i < n; i++) {
      const r = this.matched[i]!;
      const g = plan.groupOf[r]!;
      if (g < 0 || t < wm - plan.groups[g]!.windowMs) continue;
      gMask[g] = gMask[g]! | (1 << plan.slotOf[r]!);
      any = true;
    }
    if (!any) return;
    for (let g = 0; g < gMask.length; g++) {
      if (gMask[g] === 0) continue;
      try {
        this.feedGroup(cdr, t, wm, tau, g, ix);
      } catch (err) {
        this.failedGroups |= 1 << Math.min(g, 30);
        const spec = plan.groups[g]!;
        for (let s = 0; s < spec.rules.length; s++) if ((gMask[g]! & (1 << s)) !== 0) this.ruleFailed(spec.rules[s]!, cdr, t, err);
      }
    }
  }

  private feedGroup(cdr: CdrRecord, t: number, wm: number, tau: number, g: number, ix: number): void {
    const spec = this.state.plan.groups[g]!;
    const w = spec.windowMs;
    const logs = this.state.windows[g]!;
    logs.use();
    const row = this.gRow[g]!;
    const mask = this.gMask[g]!;
    row[0] = t;
    const src = this.gSrc[g]![mask] ?? this.sources(g, mask);
    for (let p = 1; p < src.length; p++) {
      const c = src[p]!;
      row[p] = c === NONE ? 0 : c === COST ? (cdr.costMicros ?? 0) : c === SECONDS ? durationSec(cdr) : c === CALLEE ? this.callee(cdr) : c === CALLER ? hash53(cdr.caller ?? '') : hashPrefix(cdr.callee, c - RANGE);
    }
    if (spec.maskCol >= 0) row[spec.maskCol] = mask;
    logs.feed(ix, row, wm - w, tau - w, tau);
    this.gLo[g] = logs.lo;
    this.gHi[g] = logs.hi;
  }

  /**
   * What each kept column of group `g` holds in a row of rules `mask` (a source code by column, 1..; cached by mask):
   * a shared column holds the source a rule of the row reads (no two can: window-columns.ts), else 0.
   */
  private sources(g: number, mask: number): Int16Array {
    const spec = this.state.plan.groups[g]!;
    const src = new Int16Array(1 + spec.stored.of.length);
    for (let p = 1; p < src.length; p++) {
      const k = heldBy(spec.stored, p, mask);
      const c = k < 0 ? null : spec.cols[k - 1]!;
      src[p] = c === null ? NONE : c.src === 'cost' ? COST : c.src === 'seconds' ? SECONDS : c.src === 'callee' ? CALLEE : c.src === 'caller' ? CALLER : RANGE + (c as { digits: number }).digits;
    }
    this.gSrc[g]![mask] = src;
    return src;
  }

  /**
   * Counts the CDR into the rule's state and returns the value to judge (minutes, micro-units, counts), or -1. A
   * value below `below` matters only as being below it: a count-type window measure (every kind but Sum: at most one
   * per row of [lo, hi), window-keys.ts) over fewer rows than that, answered by a scan (no cursor record; a scan keeps
   * no state), is not computed: the number of rows stands for it (branch `lazy6`).
   */
  private measure(cdr: CdrRecord, t: number, wm: number, rule: FraudRule, r: number, ix: number, below: number): number {
    const w = rule.windowMs;
    if (w !== null ? t < wm - w : t < wm) return -1;
    if (rule.measure === 'concurrent_calls') {
      const conc = this.state.concurrency(r);
      conc.open(ix);
      conc.evict(ix, wm);
      if (cdr.phase === 'start') return conc.start(ix, hash53(cdr.id, 1), t);
      // (an account with no live calls ends none: its id is not hashed)
      if (conc.hasLive(ix) && conc.end(ix, hash53(cdr.id, 1))) return -1;
      return conc.interval(ix, cdr.startedAt, t);
    }
    if (rule.measure === 'call_duration') return durationSec(cdr) / 60;
    if (rule.measure === 'call_cost') return cdr.costMicros ?? 0;
    const plan = this.state.plan;
    const g = plan.groupOf[r]!;
    const lo = this.gLo[g]!;
    const hi = this.gHi[g]!;
    const logs = this.state.windows[g]!;
    const s = plan.slotOf[r]!;
    if (hi - lo < below && logs.scanned(ix, s, lo, hi)) return hi - lo;
    const value = logs.query(ix, s, lo, hi);
    return rule.measure === 'minutes' ? value / 60 : value;
  }

  private callee(cdr: CdrRecord): number {
    if (Number.isNaN(this.calleeKey)) this.calleeKey = hash53(cdr.callee);
    return this.calleeKey;
  }

  private samples(ix: number, r: number, current: string, tau: number): string[] {
    const st = this.state;
    const rule = st.rules[r]!;
    const from = tau - (rule.windowMs ?? 0);
    const out = [current];
    const ids = st.ringIds;
    const n = r < 30 ? ids.size(ix) : -1;
    if (n < 0) return out;
    const tm = st.ringTm;
    const next = st.ringNext[ix]!;
    for (let k = 0; k < RING && out.length < MAX_SAMPLES; k++) {
      const j = (next - 1 - k + RING * 2) % RING;
      // no entry j (a ring restored with fewer ids than times), or not this rule's in its window: no id read off a cell
      if (j >= n || (tm.mask(ix, j) & (1 << r)) === 0 || tm.time(ix, j) < from || tm.time(ix, j) > tau) continue;
      const id = ids.entry(ix, j);
      // a call decided at set-up is remembered at its start and again at its end: one sample
      if (id !== '' && id !== current && !out.includes(id)) out.push(id);
    }
    return out;
  }

  evaluateSetup(account: AccountProfile, call: SetupCall, opts: { commit?: boolean } = {}): RuleHit[] {
    const cdr: CdrRecord = {
      id: call.id ?? `\u0001setup:${call.at}:${call.callee}`, accountId: account.id, direction: 'outbound', caller: call.caller ?? null,
      callee: call.callee, startedAt: call.at, answeredAt: null, endedAt: null, durationSec: null, disposition: null,
      costMicros: null, currency: null, phase: 'start',
    };
    if (opts.commit) return this.process(cdr, account).hits;
    const saved = encodeAccount(this.state, account.id);
    this.dry = true;
    try {
      return this.process(cdr, account).hits;
    } finally {
      this.dry = false;
      restoreAccount(this.state, account.id, saved);
    }
  }

  snapshot(): Uint8Array {
    return encodeSnapshot(this.state);
  }

  restore(bytes: Uint8Array): void {
    this.state = decodeSnapshot(bytes, this.state.rules, this.opts.allowedLatenessMs);
    this.state.beforeSweep = this.sweepHook;
  }

  dirtyAccounts(): string[] {
    return this.state.dirty.ids();
  }

  dirtyCount(): number {
    return this.state.dirty.size;
  }

  snapshotAccount(accountId: string): Uint8Array | null {
    return encodeAccount(this.state, accountId);
  }

  snapshotShared(): Uint8Array {
    return encodeShared(this.state);
  }

  restoreParts(shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>, dedupe: Iterable<Uint8Array> = []): void {
    this.state = decodeParts(shared, accounts, this.state.rules, this.opts.allowedLatenessMs, dedupe);
    this.state.beforeSweep = this.sweepHook;
  }

  markClean(): void {
    this.state.dirty.clear();
  }

  dedupeSegment(): DedupeSegment {
    return this.state.takeSegment();
  }

  dedupeStored(): void {
    this.state.segmentStored();
  }

  setRules(rules: readonly FraudRule[]): void {
    this.state = withRules(this.state, rules);
    this.state.beforeSweep = this.sweepHook;
    this.matcher = new CdrMatcher(rules, this.opts.defaultTimezone, this.matcher.numbers, this.matcher.local);
    [this.gMask, this.gRow, this.gLo, this.gHi] = this.scratch();
    this.gSrc = this.state.plan.groups.map(() => []);
  }

  size(): number {
    return this.state.accounts.size;
  }

  readonly spill = spillableState(() => this.state);

  /** The hook kept across state replacements (restore, rule changes). */
  private sweepHook: (() => void) | null = null;

  beforeSweep(fn: (() => void) | null): void {
    this.sweepHook = fn;
    this.state.beforeSweep = fn;
  }
}

export { applies, eventTime, ruleFingerprint };
