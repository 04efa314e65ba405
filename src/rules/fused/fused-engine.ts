// The fused fraud engine's decision core (issue 17): the classic engine's decisions (src/rules/fraud-engine.ts, the
// reference: its header says what they are) with the per-CDR work of all rules done together. Per CDR: one account
// lookup, the late check, one dedupe probe, one match (CdrMatcher); then ONE event log per account for every windowed
// rule and every concurrent_calls rule (rows: time and mask of the rules that counted the row as int32s, start time
// and cost as int32s, then the key and value columns the rule set reads: seconds, callee, caller, range keys), fed
// once per CDR (head evicted, row inserted), every counted rule's window value taken in ONE backward scan from tau
// (windows drop out shortest first) while the windows are small, and from a cursor record per rule (running count,
// sum and key index over a time range, kept up to date as rows come and go) once a window holds more than FusedLimits.scanRows
// rows, so a busy account costs no O(rows in window) per CDR. concurrent_calls reads its intervals off the same rows
// (an end record with no start seen is its row). Level states (RuleState via RowLists), the evidence ring (RingTimes,
// RingIds), callbacks rings, live calls: as the classic engine keeps them.
// Stored state is the classic engine's bytes (snapshots, account parts, shared part, dedupe segments), with the
// classic engine's dirty tracking; rule changes go through the classic engine's (see "stored state" below; proven by
// test/unit/rules/fused-store-oracle.test.ts), and the memory budget's spill (`spill`: engine-spill.ts's view, a
// spilled account read back from its part; test/unit/ingest/engine-memory.test.ts runs both engines under a budget).
// Unsupported (throws `fused engine: ... not built yet` before changing anything): more than 30 rules; an event time
// (or a call's start, or a restored time) that is not a whole millisecond (a record with a fractional durationSec and
// no endedAt) or lies more than ~12 days below the partition clock's base, or above it with state older than ~37 days
// held (the sweep moves the base as the clock goes, a record past the offsets' room moves it up to the record, a
// restore sets it from the stored clock).
// A cost past an int32 of micro-units moves every row's cost to a double column, once (wideCost). Pure (no I/O, no
// clock).
import type { CdrRecord } from '../../events/types.js';
import { durationSec, eventTime } from '../call-counting.js';
import { CdrMatcher } from '../cdr-matcher.js';
import { INTERVAL_KEEP_MS, LIVE_MAX_MS } from '../concurrency-state.js';
import type { DedupeSegment } from '../dedupe-segments.js';
import { DedupeTable } from '../dedupe-table.js';
import { DirtyAccounts } from '../dirty-accounts.js';
import { decodeAccountPart as plainOfPart, encodeAccountPart, plainOf, type PlainAccount, type PlainLevel, type PlainLive, type PlainWindow } from '../account-part.js';
import { decodeParts, decodeSnapshot, encodeShared, encodeSnapshotOf, withRules } from '../engine-snapshot.js';
import type { EngineState } from '../engine-state.js';
import { grownInPlace, resizableBytes } from '../row-arena.js';
import { carryPart, sameRulesOf, sweepMarkOf, type SpillableEngine } from '../engine-spill.js';
import { arenaBytes, type StateBytes } from '../account-bytes.js';
import { heldBy } from '../window-columns.js';
import { formatDuration } from '../durations.js';
import { decidesAtSetup, GLOBAL_SKEW_MS, RING } from '../engine-state.js';
import type { FraudEngineOptions } from '../fraud-engine.js';
import { hash53, hashPrefix } from '../hash.js';
import { AccountTable } from '../account-table.js';
import { regionOrder } from '../region-order.js';
import { RingIds } from '../ring-ids.js';
import { RowLists } from '../row-lists.js';
import { RuleErrors, messageOf } from '../rule-errors.js';
import { addRecord, findRecord, HOURS_PER_WEEK, newRecord, recordMask, RS, RuleState, WindowPlan, type RuleStateSnapshot } from '../rule-state.js';
import { DEFAULT_SHORT_CALL_MS } from '../rule-map.js';
import { append3, cut } from '../tight-array.js';
import type { AccountProfile, FraudEngine, FraudRule, ProcessResult, RuleHit, SetupCall } from '../types.js';
import { KeyIndex } from '../window-keys.js';
import { calleeKeys, keys } from './callee-keys.js';
import { FusedLog } from './fused-log.js';
import { StoreMarks } from './fused-store.js';

const SWEEP_EVERY_MS = 15 * 60_000;
const DAY = 86_400_000;
const MAX_SAMPLES = 5;
const NO_HITS: RuleHit[] = Object.freeze([]) as unknown as RuleHit[];
const NO_SAMPLES: string[] = [];
const ACCEPTED: ProcessResult = Object.freeze({ outcome: 'accepted', hits: NO_HITS });
const LATE: ProcessResult = Object.freeze({ outcome: 'late', hits: NO_HITS });
const DUPLICATE: ProcessResult = Object.freeze({ outcome: 'duplicate', hits: NO_HITS });
const MONEY = new Set(['cost', 'call_cost']);

/** How a windowed rule's value comes out of its rows. */
const COUNT = 0;
const SUM = 1;
const DISTINCT = 2;
const MOST = 3;
const RANGE = 4;

/**
 * `scanRows`: windows of at most this many rows (of any rule) are scanned; a rule whose window holds more keeps a
 * cursor record. `offsetSpan`: time offsets (rows, cursor bounds) are int32s from `base`, set this far below the first
 * record's time and moved up by a sweep once the clock passes it by half as much again. Overridable by tests only,
 * to drive every path (cursors early, the base moved often).
 */
export class FusedLimits {
  static scanRows = 24;
  static offsetSpan = 2 ** 30;
}
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

// The account slot's fields (doubles; `W_` int32s of them): latest event time, log (three int32s), flags, ring entries,
// level states of baseline rules.
const S_MAXT = 0;
const W_LOG = 2;
const W_FL = 5;
const S_RING = 3;
const S_BL = S_RING + RING;
const FL_BLOCKS = 1;
const FL_LIVE = 2;
const FL_SP = 4;
const RN_SHIFT = 8;
const RC_SHIFT = 16;
const FRESH_LEVEL = newRecord(-1);

/** A cursor record (per rule, in its window length's block of the account): time range [A, Z] (offsets), count, sum. */
const F = 4;
const CA = 0;
const CZ = 1;
const CN = 2;
const CS = 3;

/** How often the less common paths ran (for the oracle test's coverage checks; a few increments, off the common path). */
export const fusedPaths = { cursorMoved: 0, cursorBuilt: 0, keyScan: 0, interval: 0, liveEnded: 0, setupDry: 0, forgotten: 0, rebased: 0, pinned: 0, cursorDropped: 0, wideCost: 0 };

/**
 * Whether the fused engine stores state (snapshots, parts, dedupe segments, dirty tracking, rule changes). While it is
 * false the daemon and replay, which store state, run the classic engine (engine-choice.ts: engineCannotHold).
 */
export const FUSED_STORES_STATE = true;

/**
 * The longest rule window the fused engine takes (a longer one: the classic engine runs, engine-choice.ts). Rows,
 * ring entries and intervals older than three of these before the partition clock can never count again, under any
 * rules it takes: the base of the int32 offsets may then move past them (they are pinned to the lowest offset).
 */
export const FUSED_MAX_WINDOW_MS = 7 * 86_400_000;

/**
 * The checks of stored times against an offsets' base, before a load: `fits`, an int32 offset or older than `dead`
 * (it can never count again: loaded pinned to the lowest offset, as rebase pins it); `fitsStart`, a call's start, which
 * may lie any way below the room (compared only with instants that fit: see rebase).
 */
function storedTimes(base: number, dead: number): { fits: (t: number) => void; fitsStart: (t: number) => void } {
  const refuse = () => notBuilt('a stored event time more than 12 days from the partition clock, or not whole milliseconds,');
  return {
    fits(t) {
      const off = t - base;
      if (!(Number.isInteger(off) && off <= INT32_MAX && (off >= INT32_MIN || t < dead))) throw refuse();
    },
    fitsStart(t) {
      const off = t - base;
      if (!(Number.isInteger(off) && off <= INT32_MAX)) throw refuse();
    },
  };
}

/** An offset checked by storedTimes: below the room, the lowest offset (never let wrap round as an int32). */
function pinned(off: number): number {
  if (off >= INT32_MIN) return off;
  fusedPaths.pinned++;
  return INT32_MIN;
}

/** Throws for a rule set the fused engine does not take (engine-choice.ts says so before building one). */
function refuseRules(rules: readonly FraudRule[]): void {
  if (rules.length > 30) throw notBuilt('a rule set of more than 30 rules');
  if (rules.some((r) => (r.windowMs ?? 0) > FUSED_MAX_WINDOW_MS)) throw notBuilt('a rule window longer than 7 days');
}

function notBuilt(what: string): Error {
  return new Error(`fused engine: ${what} not built yet`);
}

function bitIndex(c: number): number {
  return 31 - Math.clz32(c & -c);
}

/** Per window length (shortest first): its rules and each account's cursor block (-1: none). */
interface Win {
  w: number;
  mask: number;
  /** Rule index of each slot. */
  rules: number[];
  blockOf: Int32Array;
  pool: Float64Array;
  top: number;
  free: number[];
  /** Per block, per slot: the key index of a cursored key measure. */
  keys: ((KeyIndex | null)[] | null)[];
}

export type FusedEngine = FraudEngine & { errors: RuleErrors; evaluateSetup: NonNullable<FraudEngine['evaluateSetup']>; bytes(): Record<string, number> };

export function createFusedEngine(rules: readonly FraudRule[], opts: FraudEngineOptions): FusedEngine {
  return new Fused(rules, opts);
}

class Fused implements FraudEngine {
  readonly errors: RuleErrors;
  private matcher: CdrMatcher;
  private readonly matched: number[] = [];
  private accounts!: AccountTable<number>;
  /** Accounts changed, created or forgotten since the last markClean(), as the classic engine's (EngineState.dirty). */
  private dirty!: DirtyAccounts;
  private cap = 0;
  /**
   * ONE slot per account number, SL doubles (`sw`: the same as int32s): the latest event time; the log's region,
   * length and head (FusedLog); flags (bit 0: cursor blocks, 1: live calls, 2: a start event accepted), the ring's next entry
   * (bits 8-15) and its entries so far (16-23); RING evidence ring entries of (time offset, mask) int32 pairs; then
   * the level state (RS doubles, rule-state.ts) of each rule with a baseline (`blAt`). Level states of the other rules
   * are kept only once a rule reaches a level (`rs`, as the classic engine's).
   */
  private slot = new Float64Array(0);
  private sw = new Int32Array(0);
  private SL!: number;
  private blAt!: number[];
  private ringIds = new RingIds();
  private rs = new RowLists(RS);
  private rw = new Map<number, (number[] | undefined)[]>();
  /** `callbacks`: per account number, inbound calls that rang, as (caller key, startedAt, answered ms) triples. */
  private rg = new Map<number, number[]>();
  /** Live calls (start events of concurrent_calls rules): per account number, (rule, id key, start) triples. */
  private live = new Map<number, number[]>();
  private log!: FusedLog;
  private dedupe!: DedupeTable;
  private globalMax = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;
  private base = Number.NaN;
  private maxW!: number;
  private idleMs!: number;
  private keepMs!: number;
  private ringKeepMs!: number;
  private maxShortCallMs!: number;
  private dry = false;
  private sweepHook: (() => void) | null = null;
  /** What storing the state the classic engine's way needs besides the state (fused-store.ts). */
  private store!: StoreMarks;
  /** The classic engine's window layout of the rule set (stored parts hold rows by its groups), made when first needed. */
  private plan: WindowPlan | null = null;

  // the rule set, by rule index
  private kind!: number[];
  private reach!: number[];
  private window!: (string | null)[];
  private winOf!: number[];
  private slotOf!: number[];
  private atSetup!: boolean[];
  private wins: Win[] = [];
  private index = new Map<string, number>();
  private windowed = 0;
  private concMask = 0;
  private callbackMask = 0;
  private callerMask = 0;
  private baselineMask = 0;
  private sumMask = 0;
  private calleeKeyMask = 0;
  private callerKeyMask = 0;
  private rangeMask = 0;
  // the row's columns (doubles): 0 time|mask, 1 start|cost (int32 pairs), then these (-1: none)
  private S!: number;
  /** The cost's own column once a cost past an int32 (or not whole) came (wideCost); until then the int32 at word 3. */
  private cCost = -1;
  private cSec!: number;
  private cCallee!: number;
  private cCaller!: number;
  /** Per rule: its value column (SUM: cost 1 (the int32), seconds; key measures: callee or caller) and range column. */
  private valCol!: number[];
  private grpCol!: number[];
  private rangeDigits: number[] = [];
  private rangeCol: number[] = [];
  private isCost!: boolean[];

  // per-CDR scratch
  private row!: Float64Array;
  private row32!: Int32Array;
  private readonly values = new Float64Array(32);
  private lo!: Int32Array;
  private done!: Uint8Array;
  private calleeKey = Number.NaN;
  private readonly view = new RuleState();
  private records = -1;
  private scanKeys = new Float64Array(64);
  private scanGrps = new Float64Array(64);
  private scanFirst = new Uint8Array(64);

  private rules!: readonly FraudRule[];

  constructor(rules: readonly FraudRule[], private readonly opts: FraudEngineOptions) {
    refuseRules(rules);
    this.errors = opts.errors ?? new RuleErrors();
    this.matcher = new CdrMatcher(rules, opts.defaultTimezone);
    this.init(rules);
  }

  /** Takes rule set `rules` (at most 30 rules; the matcher is the caller's), with no state: as a new engine. */
  private init(rules: readonly FraudRule[]): void {
    this.rules = rules;
    const opts = this.opts;
    this.wins = [];
    this.index = new Map();
    this.windowed = this.concMask = this.callbackMask = this.callerMask = this.baselineMask = 0;
    this.sumMask = this.calleeKeyMask = this.callerKeyMask = this.rangeMask = 0;
    this.cCost = -1;
    this.rangeDigits = [];
    this.rangeCol = [];
    const L = opts.allowedLatenessMs;
    this.maxW = Math.max(0, ...rules.map((r) => r.windowMs ?? 0));
    const maxCooldown = Math.max(0, ...rules.map((r) => r.cooldownMs ?? r.windowMs ?? 3_600_000));
    const weekly = rules.some((r) => r.baseline?.by === 'hour_of_week') ? 8 * DAY : 0;
    this.idleMs = Math.max(2 * DAY, weekly, 2 * this.maxW + L + GLOBAL_SKEW_MS + Math.max(maxCooldown, LIVE_MAX_MS));
    const callbacks = rules.filter((r) => r.measure === 'callbacks');
    this.ringKeepMs = callbacks.length === 0 ? 0 : 2 * Math.max(...callbacks.map((r) => r.windowMs!)) + LIVE_MAX_MS;
    this.maxShortCallMs = Math.max(0, ...callbacks.map((r) => r.shortCallMs ?? 10_000));
    this.atSetup = rules.map(decidesAtSetup);
    rules.forEach((r, i) => this.index.set(r.id, i));
    this.kind = rules.map(() => -1);
    this.reach = rules.map((r) => (r.warn !== null && r.warn < r.suspend ? r.warn : r.suspend));
    this.window = rules.map((r) => (r.windowMs === null ? null : formatDuration(r.windowMs)));
    this.winOf = rules.map(() => -1);
    this.slotOf = rules.map(() => -1);
    this.valCol = rules.map(() => -1);
    this.grpCol = rules.map(() => -1);
    this.isCost = rules.map(() => false);
    const kinds: Record<string, number> = { calls: COUNT, callbacks: COUNT, cost: SUM, minutes: SUM, distinct_callees: DISTINCT, distinct_callers: DISTINCT, calls_to_one_callee: MOST, range_scan: RANGE };
    const lengths = [...new Set(rules.filter((r) => r.windowMs !== null && kinds[r.measure] !== undefined).map((r) => r.windowMs!))].sort((a, b) => a - b);
    for (const w of lengths) this.wins.push({ w, mask: 0, rules: [], blockOf: new Int32Array(0), pool: new Float64Array(0), top: 0, free: [], keys: [] });
    let S = 2;
    let cSec = -1;
    let cCallee = -1;
    let cCaller = -1;
    rules.forEach((rule, r) => {
      const bit = 1 << r;
      if (rule.measure === 'callbacks') this.callbackMask |= bit;
      if (rule.measure === 'distinct_callers') this.callerMask |= bit;
      if (rule.baseline !== null) this.baselineMask |= bit;
      if (rule.measure === 'concurrent_calls') this.concMask |= bit;
      const kind = kinds[rule.measure];
      if (kind === undefined || rule.windowMs === null) return;
      this.kind[r] = kind;
      this.windowed |= bit;
      const k = lengths.indexOf(rule.windowMs);
      this.winOf[r] = k;
      this.slotOf[r] = this.wins[k]!.rules.push(r) - 1;
      this.wins[k]!.mask |= bit;
      if (rule.measure === 'cost') {
        this.sumMask |= bit;
        this.isCost[r] = true;
        this.valCol[r] = 1;
      } else if (rule.measure === 'minutes') {
        this.sumMask |= bit;
        if (cSec < 0) cSec = S++;
        this.valCol[r] = cSec;
      } else if (rule.measure === 'distinct_callers') {
        this.callerKeyMask |= bit;
      } else if (kind >= DISTINCT) {
        this.calleeKeyMask |= bit;
      }
      if (kind === RANGE) {
        let i = this.rangeDigits.indexOf(rule.rangeDigits);
        if (i < 0) {
          i = this.rangeDigits.push(rule.rangeDigits) - 1;
          this.rangeCol.push(S++);
        }
        this.grpCol[r] = this.rangeCol[i]!;
      }
    });
    // callers and callees share a column when no rule of either reads a record of the other's direction (a row then
    // holds the one its rules read), as the classic engine's logs share columns (window-columns.ts)
    const dirs = (m: number) => new Set(rules.filter((_, r) => (m & (1 << r)) !== 0).map((x) => x.match.direction));
    if (this.calleeKeyMask !== 0) cCallee = S++;
    if (this.callerKeyMask !== 0) {
      const shared = cCallee >= 0 && ![...dirs(this.callerKeyMask)].some((d) => dirs(this.calleeKeyMask).has(d));
      cCaller = shared ? cCallee : S++;
    }
    rules.forEach((_, r) => {
      if ((this.calleeKeyMask & (1 << r)) !== 0) this.valCol[r] = cCallee;
      if ((this.callerKeyMask & (1 << r)) !== 0) this.valCol[r] = cCaller;
    });
    for (let r = 0; r < rules.length; r++) if (this.kind[r] === RANGE) this.rangeMask |= 1 << r;
    this.S = S;
    this.cSec = cSec;
    this.cCallee = cCallee;
    this.cCaller = cCaller;
    this.keepMs = Math.max(0, ...lengths, this.concMask !== 0 ? INTERVAL_KEEP_MS : 0);
    let at = S_BL;
    this.blAt = rules.map((r) => (r.baseline !== null ? ((at += RS), at - RS) : -1));
    this.SL = at;
    this.row = new Float64Array(S);
    this.row32 = new Int32Array(this.row.buffer);
    this.lo = new Int32Array(lengths.length);
    this.done = new Uint8Array(lengths.length);
    this.plan = null;
    this.clearState();
  }

  /**
   * No state (no accounts, an empty dedupe table, the clock not started), the rule set kept; the log keeps its row
   * layout (a wide cost column stays).
   */
  private clearState(): void {
    this.accounts = new AccountTable<number>(
      (ix) => this.release(ix),
      (capacity) => this.grow(capacity),
      (ix) => ix,
      (ix, id) => {
        this.fresh(ix);
        this.dirty.added(ix, id);
      },
    );
    this.dirty = new DirtyAccounts(this.accounts);
    this.cap = 0;
    this.slot = new Float64Array(0);
    this.sw = new Int32Array(0);
    this.ringIds = new RingIds();
    this.rs = new RowLists(RS);
    this.rw = new Map();
    this.rg = new Map();
    this.live = new Map();
    this.log = new FusedLog(this.S);
    for (const win of this.wins) {
      win.blockOf = new Int32Array(0);
      win.pool = new Float64Array(0);
      win.top = 0;
      win.free = [];
      win.keys = [];
    }
    this.dedupe = new DedupeTable(1024, this.opts.allowedLatenessMs + this.maxW + GLOBAL_SKEW_MS + SWEEP_EVERY_MS);
    this.globalMax = Number.NEGATIVE_INFINITY;
    this.nextSweep = Number.NEGATIVE_INFINITY;
    this.base = Number.NaN;
    this.store = new StoreMarks();
  }

  size(): number {
    return this.accounts.size;
  }

  /**
   * Bytes this engine holds in resizable ArrayBuffers (the account slots: row-arena.ts grownInPlace), which Node's
   * `process.memoryUsage().arrayBuffers` leaves out: the benches add them to it. stateBytes() counts them.
   */
  uncountedBytes(): number {
    return resizableBytes(this.slot);
  }

  /** Array-buffer bytes by structure (for the benches' memory breakdown). */
  bytes(): Record<string, number> {
    let cursors = 0;
    for (const x of this.wins) cursors += x.pool.byteLength + x.blockOf.byteLength;
    return {
      'event logs': this.log.bytes(),
      'cursor blocks': cursors,
      'level states reached (no baseline)': this.rs.arena.bytes(),
      'ring ids': this.ringIds.arena.bytes(),
      'dedupe table': this.dedupe.bytes(),
      [`account slots (${8 * this.SL} B each)`]: this.slot.byteLength,
    };
  }

  process(cdr: CdrRecord, account: AccountProfile): ProcessResult {
    const t = eventTime(cdr);
    let ix = this.accounts.indexOf(cdr.accountId);
    const slot = this.slot;
    const maxT = ix >= 0 && slot[ix * this.SL + S_MAXT]! > t ? slot[ix * this.SL + S_MAXT]! : t;
    const wm = maxT - this.opts.allowedLatenessMs;
    if (t < wm - this.maxW || t < this.globalMax - this.opts.allowedLatenessMs - this.maxW - GLOBAL_SKEW_MS) return LATE;
    this.fits(cdr, t);
    const start = cdr.phase === 'start';
    const key = hash53(cdr.id, start ? 1 : 0);
    if (this.dry ? this.dedupe.has(key) : !this.dedupe.addIfAbsent(key, t)) return DUPLICATE;
    if (ix < 0) ix = this.accounts.add(cdr.accountId);
    this.slot[ix * this.SL + S_MAXT] = maxT;
    if (start) this.sw[2 * ix * this.SL + W_FL]! |= FL_SP;
    if (!this.dry) {
      this.store.keyAdded(key, t);
      this.dirty.add(ix);
      this.advance(t); // may sweep: after maxT, so the account itself is not idle
    }

    this.calleeKey = Number.NaN;
    if (this.ringKeepMs > 0 && cdr.direction === 'inbound' && !start && cdr.caller !== null) this.recordRing(ix, cdr, wm);
    const matched = this.matcher.match(cdr, account, this.matched);
    if (matched === 0) return ACCEPTED;
    const n = this.countingRules(ix, cdr, matched);
    if (n === 0) return ACCEPTED;
    const tau = t > wm ? t : wm;
    const ids = this.matched;
    // the rules the record counts for (windowed: t >= wm - w; windowless: t >= wm), and of them the log's
    let counted = 0;
    for (let i = 0; i < n; i++) {
      const r = ids[i]!;
      const w = this.rules[r]!.windowMs;
      if (w !== null ? t >= wm - w : t >= wm) counted |= 1 << r;
    }
    if (counted === 0) return ACCEPTED;
    const values = this.values;
    /** Rules that count but give no evidence (a live call ended), and rules whose window work failed. */
    let none = 0;
    let failed = 0;
    let rowMask = counted & this.windowed;
    const conc = counted & this.concMask;
    if (conc !== 0) none = this.concurrencyFirst(ix, cdr, t, wm, conc);
    // end-only records of concurrent_calls rules are intervals: rows of the log
    if (!start) rowMask |= conc & ~none;
    if (rowMask !== 0) {
      try {
        this.feed(ix, cdr, t, wm, tau, rowMask);
      } catch (err) {
        failed = rowMask;
        for (let i = 0; i < n; i++) if ((rowMask & (1 << ids[i]!)) !== 0) this.ruleFailed(ids[i]!, cdr, t, err);
      }
    }
    if (!start && (conc & ~none & ~failed) !== 0) {
      for (let c = conc & ~none & ~failed; c !== 0; c &= c - 1) values[bitIndex(c)] = this.interval(ix, bitIndex(c), cdr.startedAt, t, wm);
    }

    let hits = NO_HITS;
    let mask = 0;
    this.records = -2;
    for (let i = 0; i < n; i++) {
      const r = ids[i]!;
      const bit = 1 << r;
      if ((counted & bit) === 0 || (none & bit) !== 0 || (failed & bit) !== 0) continue;
      try {
        const rule = this.rules[r]!;
        let value: number;
        if ((this.windowed | this.concMask) & bit) value = values[r]!;
        else if (rule.measure === 'call_duration') value = durationSec(cdr) / 60;
        else value = cdr.costMicros ?? 0;
        const hit = this.judge(cdr, value, tau, r, ix, account);
        mask |= bit;
        if (hit === null) continue;
        if (hits === NO_HITS) hits = [];
        hits.push(hit);
      } catch (err) {
        this.ruleFailed(r, cdr, t, err);
      }
    }
    if (mask !== 0) this.remember(ix, cdr.id, t, mask);
    if (hits === NO_HITS) return ACCEPTED;
    for (let k = 0; k < hits.length; k++) {
      const hit = hits[k]!;
      const r = this.index.get(hit.ruleId)!;
      try {
        hit.sampleCdrIds = this.samples(ix, r, cdr.id, tau);
      } catch (err) {
        hit.sampleCdrIds = [cdr.id];
        this.ruleFailed(r, cdr, t, err);
      }
    }
    return { outcome: 'accepted', hits };
  }

  /** Throws, before anything changes, on a record the int32 rows cannot hold (see the header). */
  private fits(cdr: CdrRecord, t: number): void {
    if (Number.isNaN(this.base)) this.base = t - FusedLimits.offsetSpan;
    // what is dead once this record is in may be pinned: a record let in (not a dry set-up, not a duplicate) moves
    // the partition clock to t before anything can count again
    if (t - this.base > INT32_MAX) {
      const letIn = !this.dry && !this.dedupe.has(hash53(cdr.id, cdr.phase === 'start' ? 1 : 0));
      this.makeRoom(t, letIn ? Math.max(this.globalMax, t) : this.globalMax);
    }
    const off = t - this.base;
    if (!(off >= INT32_MIN && off <= INT32_MAX && Number.isInteger(off))) throw notBuilt('an event time more than 12 days from the partition clock\'s base, or not whole milliseconds,');
    if (this.concMask !== 0) {
      const s = cdr.startedAt - this.base;
      if (!(s >= INT32_MIN && s <= INT32_MAX && Number.isInteger(s))) throw notBuilt('a call start more than 12 days from the partition clock\'s base, or not whole milliseconds,');
    }
    if (this.sumMask !== 0) {
      const c = cdr.costMicros ?? 0;
      if ((c | 0) !== c && this.cCost < 0) this.wideCost();
    }
  }

  /**
   * Which of the matched rules (`matched` of them in `this.matched`) the record counts for, as countingRules
   * (call-counting.ts): compacts the list, returns how many.
   */
  private countingRules(ix: number, cdr: CdrRecord, matched: number): number {
    const ids = this.matched;
    const start = cdr.phase === 'start';
    let startSeen: boolean | null = null;
    let endSeen: boolean | null = null;
    let n = 0;
    for (let i = 0; i < matched; i++) {
      const r = ids[i]!;
      const bit = 1 << r;
      if (start) {
        if (!this.atSetup[r] && (this.concMask & bit) === 0) continue;
        if (this.atSetup[r] && (endSeen ??= this.dedupe.has(hash53(cdr.id, 0)))) continue;
      } else if (this.atSetup[r] && (this.sw[2 * ix * this.SL + W_FL]! & FL_SP) !== 0) {
        startSeen ??= this.dedupe.has(hash53(cdr.id, 1));
        if (startSeen) continue;
      }
      if ((this.callbackMask & bit) !== 0 && !this.isCallback(ix, cdr, this.rules[r]!)) continue;
      if ((this.callerMask & bit) !== 0 && cdr.caller === null) continue;
      ids[n++] = r;
    }
    return n;
  }

  private callee(cdr: CdrRecord): number {
    if (Number.isNaN(this.calleeKey)) this.calleeKey = hash53(cdr.callee);
    return this.calleeKey;
  }

  private isCallback(ix: number, cdr: CdrRecord, rule: FraudRule): boolean {
    const rg = this.rg.get(ix);
    if (cdr.direction !== 'outbound' || !rg) return false;
    const key = this.callee(cdr);
    const from = cdr.startedAt - rule.windowMs!;
    const shortMs = rule.shortCallMs ?? DEFAULT_SHORT_CALL_MS;
    for (let j = rg.length - 3; j >= 0; j -= 3) {
      if (rg[j] === key && rg[j + 1]! >= from && rg[j + 1]! <= cdr.startedAt && rg[j + 2]! <= shortMs) return true;
    }
    return false;
  }

  private recordRing(ix: number, cdr: CdrRecord, wm: number): void {
    const answered = cdr.disposition === 'answered' || (cdr.disposition === null && (cdr.durationSec ?? 0) > 0);
    const answeredMs = answered ? durationSec(cdr) * 1000 : 0;
    if (answeredMs > this.maxShortCallMs) return;
    let rg = this.rg.get(ix) ?? null;
    const before = wm - this.ringKeepMs;
    let drop = 0;
    while (rg && drop < rg.length && rg[drop + 1]! < before) drop += 3;
    if (drop > 0) rg = cut(rg!, 0, drop);
    this.rg.set(ix, append3(rg, hash53(cdr.caller!), cdr.startedAt, answeredMs));
  }

  // ---- concurrent_calls

  /**
   * The concurrency rules `conc` the record counts for, before the log is fed: each evicts its live calls started
   * before wm - LIVE_MAX_MS; a start event adds a live call and takes its value (calls in progress at its start); an
   * end record ends a live call of its id (then the rule has no evidence: returned in the mask). An end record with
   * no live call is an interval: a row of the log, its value taken after the feed (interval).
   */
  private concurrencyFirst(ix: number, cdr: CdrRecord, t: number, wm: number, conc: number): number {
    let none = 0;
    let live = (this.sw[2 * ix * this.SL + W_FL]! & FL_LIVE) === 0 ? undefined : this.live.get(ix);
    const start = cdr.phase === 'start';
    for (let c = conc; c !== 0; c &= c - 1) {
      const r = bitIndex(c);
      if (live !== undefined) {
        const before = wm - LIVE_MAX_MS;
        for (let i = live.length - 3; i >= 0; i -= 3) if (live[i] === r && live[i + 2]! < before) live.splice(i, 3);
        if (live.length === 0) {
          this.live.delete(ix);
          this.sw[2 * ix * this.SL + W_FL]! &= ~FL_LIVE;
          live = undefined;
        }
      }
      if (start) {
        if (live === undefined) {
          this.live.set(ix, (live = []));
          this.sw[2 * ix * this.SL + W_FL]! |= FL_LIVE;
        }
        live.push(r, hash53(cdr.id, 1), t);
        this.values[r] = this.countAt(ix, r, t, wm);
      } else if (live !== undefined) {
        const id = hash53(cdr.id, 1);
        for (let i = 0; i < live.length; i += 3) {
          if (live[i] === r && live[i + 1] === id) {
            live.splice(i, 3);
            fusedPaths.liveEnded++;
            none |= 1 << r;
            break;
          }
        }
        if (live.length === 0) {
          this.live.delete(ix);
          this.sw[2 * ix * this.SL + W_FL]! &= ~FL_LIVE;
          live = undefined;
        }
      }
    }
    return none;
  }

  /** Calls of rule r in progress at instant x: its intervals (rows ending at or after wm - INTERVAL_KEEP_MS) holding x, and its live calls started by x. */
  private countAt(ix: number, r: number, x: number, wm: number): number {
    let count = 0;
    const n = this.log.length(2 * ix * this.SL + W_LOG);
    if (n > 0) {
      const at = this.log.at(2 * ix * this.SL + W_LOG);
      const w = this.log.arena.words(at);
      const B = this.log.rowBase(2 * ix * this.SL + W_LOG);
      const S = this.log.S;
      const bit = 1 << r;
      const floor = Math.max(x, wm - INTERVAL_KEEP_MS) - this.base;
      const xo = x - this.base;
      for (let i = n - 1; i >= 0; i--) {
        const o = 2 * (B + i * S);
        if (w[o]! < floor) break;
        if ((w[o + 1]! & bit) !== 0 && w[o + 2]! <= xo) count++;
      }
    }
    const live = (this.sw[2 * ix * this.SL + W_FL]! & FL_LIVE) === 0 ? undefined : this.live.get(ix);
    if (live !== undefined) for (let i = 0; i < live.length; i += 3) if (live[i] === r && live[i + 2]! <= x) count++;
    return count;
  }

  /** An end-only record's value for rule r (its row is in the log): the most calls in progress at an instant of [s, e]. */
  private interval(ix: number, r: number, s: number, e: number, wm: number): number {
    fusedPaths.interval++;
    let best = this.countAt(ix, r, s, wm);
    const n = this.log.length(2 * ix * this.SL + W_LOG);
    const at = this.log.at(2 * ix * this.SL + W_LOG);
    const w = this.log.arena.words(at);
    const B = this.log.rowBase(2 * ix * this.SL + W_LOG);
    const S = this.log.S;
    const bit = 1 << r;
    const floor = Math.max(s, wm - INTERVAL_KEEP_MS) - this.base;
    const so = s - this.base;
    const eo = e - this.base;
    for (let i = n - 1; i >= 0; i--) {
      const o = 2 * (B + i * S);
      if (w[o]! < floor) break;
      const x = w[o + 2]!;
      if ((w[o + 1]! & bit) !== 0 && x > so && x <= eo) {
        const c = this.countAt(ix, r, x + this.base, wm);
        if (c > best) best = c;
      }
    }
    const live = (this.sw[2 * ix * this.SL + W_FL]! & FL_LIVE) === 0 ? undefined : this.live.get(ix);
    if (live !== undefined) {
      for (let i = 0; i < live.length; i += 3) {
        const x = live[i + 2]!;
        if (live[i] === r && x > s && x <= e) {
          const c = this.countAt(ix, r, x, wm);
          if (c > best) best = c;
        }
      }
    }
    return best;
  }

  // ---- the log and the windows

  /**
   * Evicts the log's rows before wm - keepMs, inserts the record's row (rules `rowMask`), and writes the value of
   * every windowed rule of `rowMask` into `values`.
   */
  private feed(ix: number, cdr: CdrRecord, t: number, wm: number, tau: number, rowMask: number): void {
    const L = this.log;
    const S = this.S;
    const base = this.base;
    const lo0 = 2 * ix * this.SL + W_LOG;
    let n = L.length(lo0);
    if (n > 0) {
      const before = wm - this.keepMs - base;
      const at = L.at(lo0);
      const w = L.arena.words(at);
      const B = L.rowBase(lo0);
      let h = 0;
      while (h < n && w[2 * (B + h * S)]! < before) h++;
      if (h > 0) {
        if (this.hasBlocks(ix)) for (let i = 0; i < h; i++) this.cursorsTake(ix, L.arena.chunk(at), w, B + i * S, -1);
        L.drop(lo0, h);
      }
    }
    const off = t - base;
    const row = this.row;
    const row32 = this.row32;
    row32[0] = off;
    row32[1] = rowMask;
    row32[2] = cdr.startedAt - base;
    if (this.cCost < 0) row32[3] = cdr.costMicros ?? 0;
    else {
      row32[3] = 0;
      row[this.cCost] = cdr.costMicros ?? 0;
    }
    if (this.cSec >= 0) row[this.cSec] = durationSec(cdr);
    // keys only for rows of rules that read them (a column shared by callers and callees holds its rules')
    if ((rowMask & this.rangeMask) !== 0) {
      if (Number.isNaN(this.calleeKey)) {
        calleeKeys(cdr.callee, this.rangeDigits[0]!);
        this.calleeKey = keys.calleeKey;
        row[this.rangeCol[0]!] = keys.rangeKey;
      } else row[this.rangeCol[0]!] = hashPrefix(cdr.callee, this.rangeDigits[0]!);
      for (let k = 1; k < this.rangeCol.length; k++) row[this.rangeCol[k]!] = hashPrefix(cdr.callee, this.rangeDigits[k]!);
    }
    if ((rowMask & this.calleeKeyMask) !== 0) row[this.cCallee] = this.callee(cdr);
    if ((rowMask & this.callerKeyMask) !== 0) row[this.cCaller] = hash53(cdr.caller ?? '');
    const p = L.insert(lo0, row, off);
    if (L.moved) {
      L.moved = false;
      if (L.arena.sparse()) L.compact(this.cap, true);
    }
    const at = L.at(lo0);
    const d = L.arena.chunk(at);
    const w = L.arena.words(at);
    const B = L.rowBase(lo0);
    if (this.hasBlocks(ix)) this.cursorsTake(ix, d, w, B + p * S, 0);
    const rm = rowMask & this.windowed;
    if (rm === 0) return;
    n = L.length(lo0);
    const tauOff = tau - base;
    let hi = n;
    if (w[2 * (B + (hi - 1) * S)]! > tauOff) hi = this.upper(w, B, n, tauOff);
    // one backward scan from tau: every counted rule's count (or sum) over its window, windows dropping out shortest
    // first as the rows pass their start; at most FusedLimits.scanRows rows
    const values = this.values;
    const wins = this.wins;
    const lo = this.lo;
    const done = this.done;
    done.fill(0);
    // rules with a cursor record take their value from it (the scan would not reach their window's start: a steady
    // day's 24 h rule kept the scan going to its limit at every record)
    const cursored = this.hasBlocks(ix) ? this.cursoredRules(ix, rm) : 0;
    let active = rm & ~cursored;
    for (let c = active; c !== 0; c &= c - 1) values[bitIndex(c)] = 0;
    let k = 0;
    while (k < wins.length && (wins[k]!.mask & active) === 0) k++;
    let i = hi - 1;
    const stop = Math.max(0, hi - FusedLimits.scanRows);
    const sums = this.sumMask;
    for (; i >= stop && active !== 0; i--) {
      const o = 2 * (B + i * S);
      const ti = w[o]!;
      while (k < wins.length && ti < tauOff - wins[k]!.w) {
        lo[k] = i + 1;
        done[k] = 1;
        active &= ~wins[k]!.mask;
        k++;
      }
      let b = w[o + 1]! & active;
      if (b === 0) continue;
      if ((b & sums) !== 0) {
        for (let c = b & sums; c !== 0; c &= c - 1) {
          const r = bitIndex(c);
          values[r]! += this.valCol[r] === 1 ? w[o + 3]! : d[B + i * S + this.valCol[r]!]!;
        }
        b &= ~sums;
      }
      for (; b !== 0; b &= b - 1) values[bitIndex(b)]!++;
    }
    if (i < 0) {
      // every row scanned: the windows not closed start at the log's head
      for (; k < wins.length; k++) {
        lo[k] = 0;
        done[k] = 1;
      }
    }
    for (let c = rm; c !== 0; c &= c - 1) {
      const r = bitIndex(c);
      const kw = this.winOf[r]!;
      const win = wins[kw]!;
      if (done[kw] === 1 && (cursored & (1 << r)) === 0) {
        const kind = this.kind[r]!;
        if (kind === SUM && this.valCol[r] !== 1) {
          // seconds (not whole numbers when a record has no duration): summed oldest first, as the classic engine's
          // scan adds them, so that a scanned window's float sum is its sum to the last bit
          let x = 0;
          for (let q = lo[kw]!; q < hi; q++) if ((w[2 * (B + q * S) + 1]! & (1 << r)) !== 0) x += d[B + q * S + this.valCol[r]!]!;
          values[r] = x;
        }
        if (kind <= SUM) continue;
        // a key measure is at most its row count: below the lowest level (and no baseline) it decides nothing
        if (values[r]! < this.reach[r]! && (this.baselineMask & (1 << r)) === 0) continue;
        fusedPaths.keyScan++;
        values[r] = this.keyMeasure(d, w, B, r, lo[kw]!, hi);
      } else {
        values[r] = this.cursorValue(ix, d, w, B, n, r, tauOff - win.w, tauOff);
      }
    }
    for (let c = rm & this.sumMask; c !== 0; c &= c - 1) {
      const r = bitIndex(c);
      if (this.rules[r]!.measure === 'minutes') values[r] = values[r]! / 60;
    }
  }

  /**
   * A cost the int32 word cannot hold came: from now on the cost has a column of its own (a double), in every
   * account's rows: the logs move to an arena of one more double a row (once; they never move back). Changes no
   * value: cursor records keep their sums, cost rules read the new column.
   */
  private wideCost(): void {
    fusedPaths.wideCost++;
    const old = this.log;
    const S = this.S;
    const T = S + 1;
    const next = new FusedLog(T);
    next.bind(this.sw, 2 * this.SL, W_LOG);
    for (let ix = 0; ix < this.cap; ix++) {
      const o = 2 * ix * this.SL + W_LOG;
      const rows = old.rows(o);
      this.sw[o] = -1;
      this.sw[o + 1] = 0;
      this.sw[o + 2] = 0;
      if (rows === null) continue;
      const n = rows.length / S;
      const wide = new Float64Array(n * T);
      const w32 = new Int32Array(rows.buffer);
      const v32 = new Int32Array(wide.buffer);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < S; k++) wide[i * T + k] = rows[i * S + k]!;
        wide[i * T + S] = w32[2 * i * S + 3]!;
        v32[2 * i * T + 3] = 0;
      }
      next.load(o, wide);
    }
    this.log = next;
    this.S = T;
    this.cCost = S;
    for (let r = 0; r < this.rules.length; r++) if (this.valCol[r] === 1) this.valCol[r] = S;
    this.row = new Float64Array(T);
    this.row32 = new Int32Array(this.row.buffer);
  }

  /** The first row at or after `from` whose time offset is > x (rows [from, n)); n when none. */
  private upper(w: Int32Array, B: number, n: number, x: number, from = 0): number {
    const S = this.S;
    let a = from;
    let z = n;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (w[2 * (B + mid * S)]! <= x) a = mid + 1;
      else z = mid;
    }
    return a;
  }

  /** The first row whose time offset is >= x; n when none. */
  private lower(w: Int32Array, B: number, n: number, x: number): number {
    const S = this.S;
    let a = 0;
    let z = n;
    while (a < z) {
      const mid = (a + z) >>> 1;
      if (w[2 * (B + mid * S)]! < x) a = mid + 1;
      else z = mid;
    }
    return a;
  }

  /** Distinct keys, most rows of one key, or most keys of one range, of rule r's rows in [lo, hi) (scanKeys). */
  private keyMeasure(d: Float64Array, w: Int32Array, B: number, r: number, lo: number, hi: number): number {
    if (hi - lo > this.scanKeys.length) {
      this.scanKeys = new Float64Array(2 * (hi - lo));
      this.scanGrps = new Float64Array(2 * (hi - lo));
      this.scanFirst = new Uint8Array(2 * (hi - lo));
    }
    const keys = this.scanKeys;
    const grps = this.scanGrps;
    const first = this.scanFirst;
    const kind = this.kind[r]!;
    const S = this.S;
    const vc = this.valCol[r]!;
    const gc = this.grpCol[r]!;
    const bit = 1 << r;
    let n = 0;
    for (let i = lo; i < hi; i++) {
      if ((w[2 * (B + i * S) + 1]! & bit) === 0) continue;
      keys[n] = d[B + i * S + vc]!;
      if (kind === RANGE) grps[n] = d[B + i * S + gc]!;
      n++;
    }
    let distinct = 0;
    for (let i = 0; i < n; i++) {
      let j = 0;
      while (j < i && keys[j] !== keys[i]) j++;
      first[i] = j === i ? 1 : 0;
      distinct += first[i]!;
    }
    if (kind === DISTINCT) return distinct;
    let best = 0;
    for (let i = 0; i < n; i++) {
      if (first[i] === 0) continue;
      let c = 0;
      if (kind === RANGE) {
        for (let j = 0; j < n; j++) if (first[j] === 1 && grps[j] === grps[i]) c++;
      } else for (let j = i; j < n; j++) if (keys[j] === keys[i]) c++;
      if (c > best) best = c;
    }
    return best;
  }

  // ---- cursor records (busy windows)

  private hasBlocks(ix: number): boolean {
    if ((this.sw[2 * ix * this.SL + W_FL]! & FL_BLOCKS) === 0) return false;
    const wins = this.wins;
    for (let k = 0; k < wins.length; k++) {
      const b = wins[k]!.blockOf;
      if (b.length > ix && b[ix]! >= 0) return true;
    }
    this.sw[2 * ix * this.SL + W_FL]! &= ~FL_BLOCKS;
    return false;
  }

  /**
   * A row (at double `q`) comes into the log (delta 0: add) or leaves it (-1: remove): every
   * cursor record of the account whose rule counted the row and whose time range holds it takes it.
   */
  private cursorsTake(ix: number, d: Float64Array, w: Int32Array, q: number, delta: 0 | -1): void {
    const wins = this.wins;
    const off = w[2 * q]!;
    const mask = w[2 * q + 1]!;
    for (let k = 0; k < wins.length; k++) {
      const win = wins[k]!;
      if (win.blockOf.length <= ix || (win.mask & mask) === 0) continue;
      const blk = win.blockOf[ix]!;
      if (blk < 0) continue;
      const P = win.pool;
      for (let s = 0; s < win.rules.length; s++) {
        const r = win.rules[s]!;
        if ((mask & (1 << r)) === 0) continue;
        const c = (blk * win.rules.length + s) * F;
        if (Number.isNaN(P[c + CA]!) || off < P[c + CA]! || off > P[c + CZ]!) continue;
        this.take(win, blk, s, r, d, w, q, delta === 0 ? 1 : -1);
      }
    }
  }

  /** Adds (+1) or removes (-1) the row at double `q` of `d` (`w` its words) in the cursor record of slot s. */
  private take(win: Win, blk: number, s: number, r: number, d: Float64Array, w: Int32Array, q: number, delta: 1 | -1): void {
    const P = win.pool;
    const c = (blk * win.rules.length + s) * F;
    P[c + CN]! += delta;
    const kind = this.kind[r]!;
    if (kind === SUM) {
      const v = this.valCol[r] === 1 ? w[2 * q + 3]! : d[q + this.valCol[r]!]!;
      P[c + CS]! += delta * v;
      return;
    }
    if (kind === COUNT) return;
    const x = win.keys[blk]![s]!;
    const key = d[q + this.valCol[r]!]!;
    const before = x.counts.get(key) ?? 0;
    const after = before + delta;
    if (after === 0) x.counts.delete(key);
    else x.counts.set(key, after);
    if (kind === MOST) x.bump(before, after);
    else if (kind === RANGE && (before === 0 || after === 0)) {
      const groups = (x.groups ??= new Map());
      const g = d[q + this.grpCol[r]!]!;
      const size = groups.get(g) ?? 0;
      if (size + delta === 0) groups.delete(g);
      else groups.set(g, size + delta);
      x.bump(size, size + delta);
    }
  }

  /** Rule r's value over [A, Z] (offsets) from its cursor record (made when missing), moved there. */
  private cursorValue(ix: number, d: Float64Array, w: Int32Array, B: number, n: number, r: number, A: number, Z: number): number {
    const win = this.wins[this.winOf[r]!]!;
    const s = this.slotOf[r]!;
    const S = this.S;
    if (win.blockOf.length <= ix) {
      const b = new Int32Array(this.cap).fill(-1);
      b.set(win.blockOf);
      win.blockOf = b;
    }
    let blk = win.blockOf[ix]!;
    if (blk < 0) {
      blk = win.free.length > 0 ? win.free.pop()! : win.top++;
      const R = win.rules.length;
      if ((blk + 1) * R * F > win.pool.length) {
        const next = new Float64Array(Math.max(64 * R * F, 2 * win.pool.length));
        next.set(win.pool);
        win.pool = next;
      }
      for (let q = 0; q < R; q++) win.pool[(blk * R + q) * F + CA] = Number.NaN;
      win.keys[blk] = null;
      win.blockOf[ix] = blk;
      this.sw[2 * ix * this.SL + W_FL]! |= FL_BLOCKS;
    }
    const P = win.pool;
    const c = (blk * win.rules.length + s) * F;
    const kind = this.kind[r]!;
    const lo = this.lower(w, B, n, A);
    const hi = this.upper(w, B, n, Z, lo);
    const bit = 1 << r;
    const a0 = P[c + CA]!;
    const z0 = P[c + CZ]!;
    if (Number.isNaN(a0) || A > z0 || Z < a0) {
      fusedPaths.cursorBuilt++;
      // a fresh record, or a range apart from the old one: built from the rows
      P[c + CN] = 0;
      P[c + CS] = 0;
      if (kind >= DISTINCT) {
        const keys = (win.keys[blk] ??= win.rules.map(() => null));
        keys[s] = new KeyIndex();
      }
      for (let i = lo; i < hi; i++) if ((w[2 * (B + i * S) + 1]! & bit) !== 0) this.take(win, blk, s, r, d, w, B + i * S, 1);
    } else {
      fusedPaths.cursorMoved++;
      const oldLo = this.lower(w, B, n, a0);
      const oldHi = this.upper(w, B, n, z0, oldLo);
      for (let i = lo; i < oldLo; i++) if ((w[2 * (B + i * S) + 1]! & bit) !== 0) this.take(win, blk, s, r, d, w, B + i * S, 1);
      for (let i = oldLo; i < lo; i++) if ((w[2 * (B + i * S) + 1]! & bit) !== 0) this.take(win, blk, s, r, d, w, B + i * S, -1);
      for (let i = oldHi; i < hi; i++) if ((w[2 * (B + i * S) + 1]! & bit) !== 0) this.take(win, blk, s, r, d, w, B + i * S, 1);
      for (let i = hi; i < oldHi; i++) if ((w[2 * (B + i * S) + 1]! & bit) !== 0) this.take(win, blk, s, r, d, w, B + i * S, -1);
    }
    P[c + CA] = A;
    P[c + CZ] = Z;
    let value: number;
    if (kind === COUNT) value = P[c + CN]!;
    else if (kind === SUM) value = P[c + CS]!;
    else {
      const x = win.keys[blk]![s]!;
      value = kind === DISTINCT ? x.counts.size : x.max;
    }
    // a window that fits the scan again is scanned from the next record on
    if (hi - lo <= FusedLimits.scanRows >> 1) this.dropCursor(ix, win, s);
    return value;
  }

  /** Of the rules `rm`, those with a cursor record on account `ix`. */
  private cursoredRules(ix: number, rm: number): number {
    let m = 0;
    for (const win of this.wins) {
      if ((win.mask & rm) === 0 || win.blockOf.length <= ix) continue;
      const blk = win.blockOf[ix]!;
      if (blk < 0) continue;
      for (let q = 0; q < win.rules.length; q++) if (!Number.isNaN(win.pool[(blk * win.rules.length + q) * F + CA]!)) m |= 1 << win.rules[q]!;
    }
    return m & rm;
  }

  /** Drops account `ix`'s cursor records with a bound below offset `low` (a cache of its rows: rebuilt when asked). */
  private dropCursorsBelow(ix: number, low: number): void {
    for (const win of this.wins) {
      const R = win.rules.length;
      for (let s = 0; s < R; s++) {
        const blk = win.blockOf.length > ix ? win.blockOf[ix]! : -1;
        if (blk < 0) break;
        const c = (blk * R + s) * F;
        if (Number.isNaN(win.pool[c + CA]!) || (win.pool[c + CA]! >= low && win.pool[c + CZ]! >= low)) continue;
        fusedPaths.cursorDropped++;
        this.dropCursor(ix, win, s);
      }
    }
  }

  /** Drops slot s's cursor record; the block goes when it holds none. */
  private dropCursor(ix: number, win: Win, s: number): void {
    const blk = win.blockOf[ix]!;
    const R = win.rules.length;
    const P = win.pool;
    P[(blk * R + s) * F + CA] = Number.NaN;
    if (win.keys[blk]) win.keys[blk]![s] = null;
    for (let q = 0; q < R; q++) if (!Number.isNaN(P[(blk * R + q) * F + CA]!)) return;
    this.freeBlock(ix, win);
  }

  private freeBlock(ix: number, win: Win): void {
    const blk = win.blockOf[ix]!;
    for (let q = 0; q < win.rules.length; q++) win.pool[(blk * win.rules.length + q) * F + CA] = Number.NaN;
    win.keys[blk] = null;
    win.free.push(blk);
    win.blockOf[ix] = -1;
  }

  // ---- levels, ring, samples

  /** One rule's judgement of a value it counts (RuleState.level): the hit, or null. */
  private judge(cdr: CdrRecord, value: number, tau: number, r: number, ix: number, account: AccountProfile): RuleHit | null {
    const rule = this.rules[r]!;
    const state = this.view;
    if (this.blAt[r]! >= 0) {
      // a baseline's level state: in the slot from the account's first record (as fresh as the classic engine's,
      // made at the rule's first count)
      state.d = this.slot;
      state.o = ix * this.SL + this.blAt[r]!;
    } else {
      // without a baseline a value below the lowest level reaches nothing, with a level state or without (RuleState.level
      // then returns null and changes nothing): no state read
      if (value < this.reach[r]!) return null;
      // others only once a level is reached: most rules of most accounts have none, known from the mask
      if (this.records === -2) this.records = recordMask(this.rs, ix);
      const none = this.records !== -1 && (this.records & (1 << r)) === 0;
      let o = none ? -1 : findRecord(this.rs, ix, r);
      if (o < 0) {
        if (value < this.reach[r]!) return null;
        o = addRecord(this.rs, ix, r);
        if (this.records !== -1) this.records |= 1 << r;
      }
      state.d = this.rs.chunk(this.rs.at(ix));
      state.o = o;
    }
    const weekly = rule.baseline?.by === 'hour_of_week';
    state.hw = weekly ? (this.rw.get(ix)?.[r] ?? null) : null;
    let lvl: ReturnType<RuleState['level']>;
    try {
      lvl = state.level(rule, value, tau, weekly ? this.hourOfWeek(tau, account) : 0);
    } finally {
      if (state.hw) {
        let rw = this.rw.get(ix);
        if (!rw) this.rw.set(ix, (rw = []));
        rw[r] = state.hw;
      }
    }
    if (!lvl) return null;
    if (MONEY.has(rule.measure) && !(Number.isSafeInteger(value) && Number.isSafeInteger(lvl.threshold))) {
      throw new Error(`rule ${rule.id} produced a money figure that is not whole micro-units (value ${value}, level ${lvl.threshold})`);
    }
    return {
      accountId: cdr.accountId, ruleId: rule.id, level: lvl.level, mode: rule.mode, reason: 'fraud',
      measure: rule.measure, value, threshold: lvl.threshold, window: this.window[r]!, at: tau,
      sampleCdrIds: NO_SAMPLES, releaseAfterMs: rule.releaseAfterMs,
    };
  }

  private hourOfWeek(at: number, account: AccountProfile): number {
    const local = this.matcher.local;
    local.at(at, account.timezone);
    return local.weekday * 24 + Math.floor(local.minuteOfDay / 60);
  }

  private ruleFailed(r: number, cdr: CdrRecord, t: number, err: unknown): void {
    const rule = this.rules[r];
    this.errors.record({ ruleId: rule?.id ?? `#${r}`, accountId: cdr.accountId, cdrId: cdr.id, phase: cdr.phase, at: t, message: messageOf(err), error: err });
  }

  private remember(ix: number, id: string, t: number, mask: number): void {
    const sw = this.sw;
    const o = 2 * ix * this.SL;
    const fl = sw[o + W_FL]!;
    const j = (fl >>> RN_SHIFT) & 0xff;
    const n = (fl >>> RC_SHIFT) & 0xff;
    sw[o + 2 * (S_RING + j)] = t - this.base;
    sw[o + 2 * (S_RING + j) + 1] = mask;
    if (j >= n) this.ringIds.append(ix, id, RING - 1 - n);
    else this.ringIds.replace(ix, j, id);
    sw[o + W_FL] = (fl & 0xff) | (((j + 1) % RING) << RN_SHIFT) | ((j >= n ? n + 1 : n) << RC_SHIFT);
  }

  private samples(ix: number, r: number, current: string, tau: number): string[] {
    const rule = this.rules[r]!;
    const from = tau - (rule.windowMs ?? 0);
    const out = [current];
    const ids = this.ringIds;
    const sw = this.sw;
    const o = 2 * ix * this.SL;
    const fl = sw[o + W_FL]!;
    const n = r < 30 ? (fl >>> RC_SHIFT) & 0xff : 0;
    const next = (fl >>> RN_SHIFT) & 0xff;
    const fromOff = from - this.base;
    const tauOff = tau - this.base;
    for (let k = 0; k < RING && out.length < MAX_SAMPLES; k++) {
      const j = (next - 1 - k + RING * 2) % RING;
      const tj = sw[o + 2 * (S_RING + j)]!;
      if (j >= n || (sw[o + 2 * (S_RING + j) + 1]! & (1 << r)) === 0 || tj < fromOff || tj > tauOff) continue;
      const id = ids.entry(ix, j);
      if (id !== '' && id !== current && !out.includes(id)) out.push(id);
    }
    return out;
  }

  // ---- set-up decisions

  evaluateSetup(account: AccountProfile, call: SetupCall, opts: { commit?: boolean } = {}): RuleHit[] {
    const cdr: CdrRecord = {
      id: call.id ?? `\u0001setup:${call.at}:${call.callee}`, accountId: account.id, direction: 'outbound', caller: call.caller ?? null,
      callee: call.callee, startedAt: call.at, answeredAt: null, endedAt: null, durationSec: null, disposition: null,
      costMicros: null, currency: null, phase: 'start',
    };
    if (opts.commit) return this.process(cdr, account).hits;
    // the base moves before the account is copied, as the copy holds offsets from it (a dry set-up pins nothing that
    // only its own record would make dead: it does not move the partition clock)
    this.makeRoom(call.at, this.globalMax);
    const ix = this.accounts.indexOf(account.id);
    const saved = ix >= 0 ? this.save(ix) : null;
    fusedPaths.setupDry++;
    this.dry = true;
    try {
      return this.process(cdr, account).hits;
    } finally {
      this.dry = false;
      const now = this.accounts.indexOf(account.id);
      if (saved === null) {
        if (now >= 0) this.accounts.deleteAt(now);
      } else this.load(now, saved);
    }
  }

  /** A copy of what account `ix` holds (for a set-up judged without commit). */
  private save(ix: number): Saved {
    return {
      slot: this.slot.slice(ix * this.SL, (ix + 1) * this.SL), ringIds: this.ringIds.list(ix), rs: this.rs.toArray(ix),
      rw: this.rw.get(ix)?.map((x) => x?.slice()) ?? null, rg: this.rg.get(ix)?.slice() ?? null,
      live: this.live.get(ix)?.slice() ?? null, log: this.log.rows(2 * ix * this.SL + W_LOG),
    };
  }

  /** Puts account `ix` back as `save` copied it; its cursor records are dropped (the next query rebuilds them). */
  private load(ix: number, s: Saved): void {
    this.dropBlocks(ix);
    this.log.free(2 * ix * this.SL + W_LOG);
    this.slot.set(s.slot, ix * this.SL);
    // (the log's fields are made again by its load; cursor blocks are derived: dropped, the next query makes them)
    this.sw[2 * ix * this.SL + W_LOG] = -1;
    this.sw[2 * ix * this.SL + W_LOG + 1] = 0;
    this.sw[2 * ix * this.SL + W_LOG + 2] = 0;
    this.sw[2 * ix * this.SL + W_FL]! &= ~FL_BLOCKS;
    this.ringIds.free(ix);
    this.ringIds.setList(ix, s.ringIds);
    this.rs.free(ix);
    this.rs.load(ix, s.rs);
    if (s.rw) this.rw.set(ix, s.rw);
    else this.rw.delete(ix);
    if (s.rg) this.rg.set(ix, s.rg);
    else this.rg.delete(ix);
    if (s.live) this.live.set(ix, s.live);
    else this.live.delete(ix);
    this.log.load(2 * ix * this.SL + W_LOG, s.log);
  }

  // ---- accounts, sweeps

  private dropBlocks(ix: number): void {
    for (const win of this.wins) if (win.blockOf.length > ix && win.blockOf[ix]! >= 0) this.freeBlock(ix, win);
  }

  private release(ix: number): void {
    this.dirty.released(ix);
    this.store.legacyDd.delete(ix);
    this.log.free(2 * ix * this.SL + W_LOG);
    this.dropBlocks(ix);
    this.ringIds.free(ix);
    this.rs.free(ix);
    this.rw.delete(ix);
    this.rg.delete(ix);
    this.live.delete(ix);
    this.fresh(ix);
  }

  /** A fresh slot for account number `ix`: no time, no log, no flags, an empty ring, fresh baselines. */
  private fresh(ix: number): void {
    const so = ix * this.SL;
    this.slot.fill(0, so, so + this.SL);
    this.slot[so + S_MAXT] = Number.NEGATIVE_INFINITY;
    this.sw[2 * so + W_LOG] = -1;
    for (let r = 0; r < this.rules.length; r++) {
      const b = this.blAt[r]!;
      if (b < 0) continue;
      for (let k = 0; k < RS; k++) this.slot[so + b + k] = FRESH_LEVEL[k]!;
      this.slot[so + b] = r;
    }
  }

  private grow(capacity: number): void {
    const was = this.cap;
    this.cap = capacity;
    this.dirty.grow(capacity);
    // in place (row-arena.ts grownInPlace): a copy at each grow cost ~10 µs per new account at 1,000,000 accounts
    this.slot = grownInPlace(this.slot, capacity * this.SL, Float64Array);
    this.sw = new Int32Array(this.slot.buffer, 0, 2 * this.slot.length);
    // numbers not yet taken hold no log (region -1, not 0: the log's compaction visits every number below `cap`, and
    // a zeroed field named region 0, so that it slid other accounts' rows over a real one: found by the spill test)
    for (let ix = was; ix < capacity; ix++) this.sw[2 * ix * this.SL + W_LOG] = -1;
    this.log.bind(this.sw, 2 * this.SL, W_LOG);
    this.ringIds.grow(capacity);
    this.rs.grow(capacity);
    for (const win of this.wins) {
      if (win.blockOf.length === 0) continue;
      const b = new Int32Array(capacity).fill(-1);
      b.set(win.blockOf);
      win.blockOf = b;
    }
  }

  private advance(t: number): void {
    if (t <= this.globalMax) return;
    this.globalMax = t;
    if (t < this.nextSweep) return;
    if (this.nextSweep !== Number.NEGATIVE_INFINITY) this.sweep();
    this.nextSweep = t + SWEEP_EVERY_MS;
  }

  private sweep(): void {
    this.sweepHook?.();
    const lateBefore = this.globalMax - this.opts.allowedLatenessMs - this.maxW - GLOBAL_SKEW_MS;
    const idleBefore = this.globalMax - this.idleMs;
    this.accounts.forEachNumber((ix) => {
      if (this.slot[ix * this.SL + S_MAXT]! < idleBefore) {
        fusedPaths.forgotten++;
        // marked first: releasing a dirty number keeps its id as forgotten (EngineState.sweep)
        this.dirty.add(ix);
        this.accounts.deleteAt(ix);
      }
    });
    this.store.swept(lateBefore);
    this.dedupe.sweep(lateBefore);
    const span = FusedLimits.offsetSpan;
    // (when some offset would not fit, the base stays: a record past the room is refused by fits(), before any change)
    if (this.globalMax - this.base > span + span / 2) this.rebase(this.globalMax - span);
    this.log.compact(this.cap);
    this.ringIds.compact();
    this.rs.compact();
    regionOrder.drop();
  }

  /**
   * The clock jumped past the offsets' room (a partition quiet for ~12 days): the base moves up to `t` when every
   * offset held still fits below it or can never count again once the partition clock is at `gmax` (rebaseFits).
   * When it cannot, nothing changes (fits() then refuses the record).
   */
  private makeRoom(t: number, gmax: number): void {
    if (t - this.base > INT32_MAX && Number.isInteger(t)) this.rebase(t - FusedLimits.offsetSpan, gmax);
  }

  /**
   * The time below which no row, ring entry or interval can count again, once the partition clock is at `gmax`: a
   * record that is not late is at or after gmax - lateness - maxW - skew, its windows and samples reach back at most
   * a window and a call's start lies at most LIVE_MAX_MS before its end. Taken with the longest window this engine
   * takes (FUSED_MAX_WINDOW_MS), not the rules' own, so a rule change cannot bring a pinned entry back into reach.
   */
  private deadBefore(gmax: number): number {
    return gmax - this.opts.allowedLatenessMs - 3 * FUSED_MAX_WINDOW_MS - GLOBAL_SKEW_MS - LIVE_MAX_MS;
  }

  /**
   * Whether the base can move to `next`: every time offset held (rows, ring entries) stays an int32, or is older than
   * `deadBefore(gmax)` (it can never count again: rebase pins it to the lowest offset); a row's call start may be
   * pinned whatever its end (see rebase). Cursor records are never in the way:
   * one whose bounds would not fit is dropped (it is a cache of its rows; the next query rebuilds it from them).
   */
  private rebaseFits(next: number, gmax: number): boolean {
    const low = INT32_MIN + (next - this.base);
    const dead = this.deadBefore(gmax) - this.base;
    const L = this.log;
    const S = this.S;
    for (let ix = 0; ix < this.cap; ix++) {
      const o = 2 * ix * this.SL;
      const rc = (this.sw[o + W_FL]! >>> RC_SHIFT) & 0xff;
      for (let j = 0; j < rc; j++) {
        const tj = this.sw[o + 2 * (S_RING + j)]!;
        if (tj < low && !(tj < dead)) return false;
      }
      const n = L.length(o + W_LOG);
      if (n === 0) continue;
      const w = L.arena.words(L.at(o + W_LOG));
      const B = L.rowBase(o + W_LOG);
      for (let i = 0; i < n; i++) {
        const q = 2 * (B + i * S);
        if (w[q]! < low && !(w[q]! < dead)) return false;
      }
    }
    return true;
  }

  /**
   * Moves the base of the int32 time offsets to `next` (the clock passed half the room above it, or a record came past
   * it): every row, ring entry and cursor bound is rewritten. An offset that would not fit can never count again
   * (rebaseFits): a ring entry or row is pinned to INT32_MIN (still older than anything a window or sample reaches),
   * a cursor record dropped. When one would not fit and could still count (state older than the room below `next`
   * within a window: windows of weeks) nothing changes and it returns false.
   */
  private rebase(next: number, gmax: number = this.globalMax): boolean {
    if (!this.rebaseFits(next, gmax)) return false;
    fusedPaths.rebased++;
    const delta = next - this.base;
    const L = this.log;
    const S = this.S;
    for (let ix = 0; ix < this.cap; ix++) {
      const o = 2 * ix * this.SL;
      const rc = (this.sw[o + W_FL]! >>> RC_SHIFT) & 0xff;
      for (let j = 0; j < rc; j++) this.sw[o + 2 * (S_RING + j)] = pinned(this.sw[o + 2 * (S_RING + j)]! - delta);
      if (this.hasBlocks(ix)) this.dropCursorsBelow(ix, INT32_MIN + delta);
      const n = L.length(o + W_LOG);
      if (n === 0) continue;
      const at = L.at(o + W_LOG);
      const w = L.arena.words(at);
      const B = L.rowBase(o + W_LOG);
      // a dead row's time and start are pinned; a call's start below the room (a call of weeks) too, whatever its
      // end: it is only compared with instants that fit (a record's start passes fits()), all above it
      for (let i = 0; i < n; i++) {
        const q = 2 * (B + i * S);
        w[q] = pinned(w[q]! - delta);
        w[q + 2] = pinned(w[q + 2]! - delta);
      }
    }
    // (a cursor record not in use is NaN: a freed block's old bounds are skipped)
    for (const win of this.wins) {
      for (let q = 0; q < win.pool.length; q += F) {
        if (Number.isNaN(win.pool[q + CA]!)) continue;
        win.pool[q + CA]! -= delta;
        win.pool[q + CZ]! -= delta;
      }
    }
    this.base = next;
    return true;
  }

  beforeSweep(fn: (() => void) | null): void {
    this.sweepHook = fn;
  }

  // ---- the memory budget's side (engine-spill.ts): the classic engine's spill, on the fused layout
  //
  // A spilled account's part is the classic engine's bytes (as every part this engine writes), read back through the
  // plain form (account-part.ts decodeAccountPart, which gives what a classic restore of the part holds) into a fresh
  // slot, as a restore from the store files each account (loadPlain). Its dedupe keys stay in the engine-wide table
  // while it is out. A part carried through rule changes is carried the classic way (carryPart) and comes back dirty.

  readonly spill: SpillableEngine = {
    bytes: () => this.stateBytes(),
    rules: () => this.rules,
    shared: () => this.snapshotShared(),
    sameRules: (shared) => sameRulesOf(shared, this.rules),
    forEachAccount: (fn) => {
      for (const [id, ix] of this.accounts.numbers()) fn(id, this.slot[ix * this.SL + S_MAXT]!, !this.dirty.hasAt(ix));
    },
    forget: (id) => {
      if (this.dirty.has(id)) return false;
      return this.accounts.delete(id);
    },
    load: (id, part, pruneBefore, steps) => {
      this.loadPart(id, carryPart(id, part, steps, this.opts.allowedLatenessMs), pruneBefore);
      if (steps.length > 0) this.dirty.addId(id);
    },
    carry: (id, part, steps) => carryPart(id, part, steps, this.opts.allowedLatenessMs),
    dropStored: (id) => {
      if (!this.accounts.has(id)) this.dirty.addId(id);
    },
    lastSweep: () => sweepMarkOf(this.store.sweptBefore, this.opts.allowedLatenessMs, this.maxW, this.idleMs),
  };

  /**
   * Files account `id` with the state of its stored part `bytes` (under this rule set), its dedupe pairs pruned
   * below `pruneBefore` and added to the table where missing. Throws (before anything changes) for a time the rows
   * cannot hold, as a restore does.
   */
  private loadPart(id: string, bytes: Uint8Array, pruneBefore: number): void {
    const p = plainOfPart(bytes, { plan: this.windowPlan(), pruneBefore });
    if (Number.isNaN(this.base)) this.base = this.baseFor(p.maxT);
    this.checkPlain(p);
    for (let i = 0; i + 1 < p.dedupe.length; i += 2) this.dedupe.addIfAbsent(p.dedupe[i]!, p.dedupe[i + 1]!);
    this.loadPlain(this.accounts.add(id), p);
  }

  /** Throws (before anything changes) when the plain account `p` holds a time the rows cannot hold from this base. */
  private checkPlain(p: PlainAccount): void {
    const { fits, fitsStart } = storedTimes(this.base, this.deadBefore(this.globalMax));
    for (let j = 0; j + 1 < p.ringPairs.length; j += 2) fits(p.ringPairs[j]!);
    if (p.ringPairs.length > 2 * RING || p.ringNext >= RING) throw notBuilt('a stored evidence ring of more than 8 entries');
    const plan = this.windowPlan();
    for (const win of p.windows) {
      const stride = plan.groups[win.group]!.stored.stride;
      for (let k = 0; k < win.rows.length; k += stride) fits(win.rows[k]!);
    }
    for (const c of p.live) {
      for (const t of c.callStarts) fits(t);
      for (const t of c.intervalStarts) fitsStart(t);
      for (const t of c.intervalEnds) fits(t);
    }
  }

  /** What the state holds, as the memory budget counts it (account-bytes.ts engineBytes for the classic engine). Cheap. */
  private stateBytes(): StateBytes {
    let { used, holes } = arenaBytes([this.log.arena, this.rs.arena, this.ringIds.arena]);
    let perNumber = 8 * this.SL + 1;
    for (const win of this.wins) {
      if (win.blockOf.length === 0) continue;
      perNumber += 4;
      const inUse = win.top - win.free.length;
      used += 8 * F * win.rules.length * inUse;
      holes += win.pool.byteLength - 8 * F * win.rules.length * inUse;
    }
    const n = this.accounts.size;
    const numbers = Math.max(this.cap, n, 1);
    perNumber += this.accounts.bytes() / numbers;
    // JS heap per account as the classic engine's count has it (16 B; the rare Maps of hour-of-week profiles, call-back
    // rings and live calls aside): called after every batch, so a sum over the stores, never a pass over the accounts
    return { table: this.dedupe.bytes(), accounts: used + (perNumber + 16) * n, slack: holes + perNumber * (numbers - n) };
  }

  // ---- stored state: the classic engine's bytes (engine-snapshot.ts, account-part.ts)
  //
  // Parts and snapshots are written through the plain form (PlainAccount) and restored by decoding them the classic
  // way (decodeSnapshot, decodeParts: the classic engine's EngineState) and taking each account's plain form from it.
  // Exact for decisions, not always for bytes: the fused log keeps its rows for the longest window, the classic
  // engine per window length with cut-offs of its own, so a part holds, per window group, the rows an event the
  // engine would not call late can still count (time >= the account's watermark - the group's window: every later
  // query starts at tau - w >= wm - w), and per concurrent_calls rule the intervals ending at or after wm -
  // INTERVAL_KEEP_MS (the classic engine evicts the others before its next use of them); a classic part may hold
  // more. Also left out, as they decide nothing: a baseline rule's level state not yet counted (the fused engine
  // keeps one from the account's first record, the classic engine from the rule's first count: the same fresh
  // state), the live calls of a concurrent_calls rule with none (the classic engine lists an opened empty one), and
  // in a row a callee, caller or range key no rule of the fused row read (the fused row does not hold it; the classic
  // row may). Restored rows are one fused row per stored row (a record counted in two window groups comes back as
  // two rows: the same values).

  private windowPlan(): WindowPlan {
    return (this.plan ??= new WindowPlan(this.rules));
  }

  snapshot(): Uint8Array {
    const accounts: [string, PlainAccount][] = [];
    for (const [id, ix] of this.accounts.numbers()) accounts.push([id, this.plainOf(ix)]);
    return encodeSnapshotOf(this.shared(), accounts, this.dedupe.entries());
  }

  snapshotShared(): Uint8Array {
    return encodeShared(this.shared());
  }

  snapshotAccount(accountId: string): Uint8Array | null {
    const ix = this.accounts.indexOf(accountId);
    return ix >= 0 ? encodeAccountPart(this.plainOf(ix), { plan: this.windowPlan() }) : null;
  }

  private shared(): { globalMax: number; nextSweep: number; sweptBefore: number; rules: readonly FraudRule[] } {
    return { globalMax: this.globalMax, nextSweep: this.nextSweep, sweptBefore: this.store.sweptBefore, rules: this.rules };
  }

  restore(bytes: Uint8Array): void {
    this.adopt(decodeSnapshot(bytes, this.rules, this.opts.allowedLatenessMs));
  }

  restoreParts(shared: Uint8Array, accounts: Iterable<readonly [string, Uint8Array]>, dedupe: Iterable<Uint8Array> = []): void {
    this.adopt(decodeParts(shared, accounts, this.rules, this.opts.allowedLatenessMs, dedupe));
  }

  dirtyAccounts(): string[] {
    return this.dirty.ids();
  }

  dirtyCount(): number {
    return this.dirty.size;
  }

  markClean(): void {
    this.dirty.clear();
  }

  dedupeSegment(): DedupeSegment {
    return this.store.takeSegment(() => this.dedupe.entries());
  }

  dedupeStored(): void {
    this.store.segmentStored();
  }

  /**
   * A rule-file reload (rare): the state goes through the classic engine's rule change (engine-snapshot.ts withRules:
   * state moves by rule id where the fingerprint is unchanged, rings dropped, every account dirty, the next segment
   * replaces the stored ones), from this engine's snapshot, and comes back under the new rules.
   */
  setRules(rules: readonly FraudRule[]): void {
    refuseRules(rules);
    const st = decodeSnapshot(this.snapshot(), this.rules, this.opts.allowedLatenessMs);
    // the dirty set as it is (decodeSnapshot marks every account), which withRules carries over
    st.dirty.clear();
    for (const id of this.dirty.ids()) st.dirty.addId(id);
    const next = withRules(st, rules);
    this.check(next);
    this.matcher = new CdrMatcher(rules, this.opts.defaultTimezone, this.matcher.numbers, this.matcher.local);
    this.init(rules);
    this.takeState(next);
  }

  /** Replaces the whole state with a classic engine's restored state `st` (under this rule set). */
  private adopt(st: EngineState): void {
    this.check(st);
    this.clearState();
    this.takeState(st);
  }

  /**
   * The time base a state restored with partition clock `g` gets (as a record at g would set it; whole milliseconds,
   * so that a stored time that is not whole stays not whole as an offset, and is refused).
   */
  private baseFor(g: number): number {
    return Number.isFinite(g) ? Math.floor(g) - FusedLimits.offsetSpan : Number.NaN;
  }

  /** Throws (before anything changes) when `st` holds a time the fused rows cannot (see the header). */
  private check(st: EngineState): void {
    const { fits, fitsStart } = storedTimes(this.baseFor(st.globalMax), this.deadBefore(st.globalMax));
    for (const ix of st.accounts.numbersInOrder()) {
      const tm = st.ringTm.toArray(ix);
      if (tm) for (let j = 0; j + 1 < tm.length; j += 2) fits(tm[j]!);
      if ((tm?.length ?? 0) > 2 * RING || st.ringNext[ix]! >= RING) throw notBuilt('a stored evidence ring of more than 8 entries');
      st.windows.forEach((w, g) => {
        if (w.length(ix) === 0) return;
        const rows = w.rows(ix);
        const stride = st.plan.groups[g]!.stored.stride;
        for (let k = 0; k < rows.length; k += stride) fits(rows[k]!);
      });
      st.live.forEach((c) => {
        if (!c.opened(ix)) return;
        const [, , starts, ends] = c.snapshot(ix);
        for (const t of starts) fitsStart(t);
        for (const t of ends) fits(t);
      });
    }
  }

  /** Takes `st` (checked) into this engine, which holds nothing. */
  private takeState(st: EngineState): void {
    this.base = this.baseFor(st.globalMax);
    this.globalMax = st.globalMax;
    this.nextSweep = st.nextSweep;
    this.dedupe = st.dedupe;
    const store = this.store;
    store.pending = st.pending;
    store.unstored = st.unstored;
    store.sweptBefore = st.sweptBefore;
    for (const ix of st.accounts.numbersInOrder()) {
      const id = st.accounts.idOf(ix);
      const p = plainOf(st, ix);
      this.loadPlain(this.accounts.add(id), p);
    }
    this.dirty.clear();
    for (const id of st.dirty.ids()) this.dirty.addId(id);
  }

  /** Account `ix` (in use) in the plain form: what its stored part holds (see above). */
  private plainOf(ix: number): PlainAccount {
    const so = ix * this.SL;
    const o = 2 * so;
    const sw = this.sw;
    const fl = sw[o + W_FL]!;
    const maxT = this.slot[so + S_MAXT]!;
    const wm = maxT - this.opts.allowedLatenessMs;
    const base = this.base;
    const ringPairs: number[] = [];
    const rc = (fl >>> RC_SHIFT) & 0xff;
    for (let j = 0; j < rc; j++) ringPairs.push(sw[o + 2 * (S_RING + j)]! + base, sw[o + 2 * (S_RING + j) + 1]!);
    // level states, by rule index: reached ones (rs) and counted baselines (the slot's, when no longer fresh)
    const levels: PlainLevel[] = [];
    const rw = this.rw.get(ix);
    const level = (r: number, d: ArrayLike<number>, q: number) => {
      const hw = rw?.[r] ?? null;
      const cw = d[q + 4]!;
      const cs = d[q + 5]!;
      levels.push({
        rule: r, baseline: d[q + 1]!, period: d[q + 2]!, peak: d[q + 3]!,
        warnedAt: Number.isNaN(cw) ? null : cw, suspendedAt: Number.isNaN(cs) ? null : cs,
        weekly: hw === null ? null : hw.slice(0, HOURS_PER_WEEK), weeklySlot: hw === null ? 0 : hw[HOURS_PER_WEEK]!,
      });
    };
    const reached = this.rs.toArray(ix) ?? [];
    let k = 0;
    for (let r = 0; r < this.rules.length; r++) {
      const b = this.blAt[r]!;
      if (b >= 0) {
        const q = so + b;
        const d = this.slot;
        const fresh = d[q + 1] === FRESH_LEVEL[1] && d[q + 2] === FRESH_LEVEL[2] && d[q + 3] === FRESH_LEVEL[3] && Number.isNaN(d[q + 4]!) && Number.isNaN(d[q + 5]!) && !rw?.[r];
        if (!fresh) level(r, d, q);
      }
      while (k < reached.length && reached[k] === r) {
        level(r, reached, k);
        k += RS;
      }
    }
    const L = this.log;
    const n = L.length(o + W_LOG);
    const S = this.S;
    const at = n > 0 ? L.at(o + W_LOG) : -1;
    const d = n > 0 ? L.arena.chunk(at) : new Float64Array(0);
    const w = n > 0 ? L.arena.words(at) : new Int32Array(0);
    const B = n > 0 ? L.rowBase(o + W_LOG) : 0;
    // live calls and intervals of each concurrent_calls rule
    const live: PlainLive[] = [];
    const calls = (fl & FL_LIVE) === 0 ? undefined : this.live.get(ix);
    for (let r = 0; r < this.rules.length; r++) {
      if ((this.concMask & (1 << r)) === 0) continue;
      const c: PlainLive = { rule: r, callIds: [], callStarts: [], intervalStarts: [], intervalEnds: [] };
      if (calls) for (let i = 0; i < calls.length; i += 3) if (calls[i] === r) (c.callIds.push(calls[i + 1]!), c.callStarts.push(calls[i + 2]!));
      const floor = wm - INTERVAL_KEEP_MS - base;
      for (let i = 0; i < n; i++) {
        const q = 2 * (B + i * S);
        if ((w[q + 1]! & (1 << r)) === 0 || w[q]! < floor) continue;
        c.intervalStarts.push(w[q + 2]! + base);
        c.intervalEnds.push(w[q]! + base);
      }
      if (c.callIds.length > 0 || c.intervalEnds.length > 0) live.push(c);
    }
    // window rows, per classic group: those an event not late can still count
    const windows: PlainWindow[] = [];
    const plan = this.windowPlan();
    plan.groups.forEach((grp, g) => {
      let gm = 0;
      for (const r of grp.rules) gm |= 1 << r;
      const floor = wm - grp.windowMs - base;
      const cols = grp.stored;
      const rows: number[] = [];
      for (let i = 0; i < n; i++) {
        const q = B + i * S;
        const mask = w[2 * q + 1]!;
        if ((mask & gm) === 0 || w[2 * q]! < floor) continue;
        let slots = 0;
        for (let s = 0; s < grp.rules.length; s++) if ((mask & (1 << grp.rules[s]!)) !== 0) slots |= 1 << s;
        rows.push(w[2 * q]! + base);
        for (let c = 1; c <= grp.cols.length; c++) rows.push(heldBy(cols, cols.at[c - 1]!, cols.maskCol < 0 ? 1 : slots) === c ? this.storedSource(grp.cols[c - 1]!, mask, d, w, q) : 0);
        if (cols.maskCol >= 0) rows.push(slots);
      }
      if (rows.length > 0) windows.push({ group: g, rows });
    });
    return {
      maxT,
      startSeen: (fl & FL_SP) !== 0,
      ringIds: this.ringIds.list(ix),
      ringPairs,
      ringNext: (fl >>> RN_SHIFT) & 0xff,
      levels,
      live,
      windows,
      dedupe: this.store.legacyDd.get(ix) ?? [],
      callbacks: this.rg.get(ix) ?? [],
    };
  }

  /** The value of source `c` in the fused row at double `q` (rules `mask`): 0 for a key no rule of the row read. */
  private storedSource(c: WindowPlan['groups'][number]['cols'][number], mask: number, d: Float64Array, w: Int32Array, q: number): number {
    switch (c.src) {
      case 'cost':
        return this.cCost < 0 ? w[2 * q + 3]! : d[q + this.cCost]!;
      case 'seconds':
        return this.cSec < 0 ? 0 : d[q + this.cSec]!;
      case 'callee':
        return (mask & this.calleeKeyMask) !== 0 ? d[q + this.cCallee]! : 0;
      case 'caller':
        return (mask & this.callerKeyMask) !== 0 ? d[q + this.cCaller]! : 0;
      default: {
        const k = this.rangeDigits.indexOf((c as { digits: number }).digits);
        return k >= 0 && (mask & this.rangeMask) !== 0 ? d[q + this.rangeCol[k]!]! : 0;
      }
    }
  }

  /** Gives account `ix` (just filed: a fresh slot) the state of `p` (a classic engine's plain form, under this rule set). */
  private loadPlain(ix: number, p: PlainAccount): void {
    const plan = this.windowPlan();
    // a cost past an int32 in a stored row: the wide cost column first (as the record that brought it did)
    if (this.sumMask !== 0 && this.cCost < 0) {
      const wide = p.windows.some((win) => {
        const grp = plan.groups[win.group]!;
        const c = grp.cols.findIndex((x) => x.src === 'cost');
        for (let k = c + 1; c >= 0 && k < win.rows.length; k += grp.stored.stride) if ((win.rows[k]! | 0) !== win.rows[k]) return true;
        return false;
      });
      if (wide) this.wideCost();
    }
    const so = ix * this.SL;
    const o = 2 * so;
    const base = this.base;
    this.slot[so + S_MAXT] = p.maxT;
    let fl = p.startSeen ? FL_SP : 0;
    this.ringIds.setList(ix, p.ringIds);
    const rc = p.ringPairs.length >> 1;
    for (let j = 0; j < rc; j++) {
      this.sw[o + 2 * (S_RING + j)] = pinned(p.ringPairs[2 * j]! - base);
      this.sw[o + 2 * (S_RING + j) + 1] = p.ringPairs[2 * j + 1]!;
    }
    fl |= (p.ringNext << RN_SHIFT) | (rc << RC_SHIFT);
    for (const l of p.levels) {
      const s: RuleStateSnapshot = [l.baseline, l.period, l.peak, l.warnedAt, l.suspendedAt];
      if (l.weekly !== null) s.push(l.weekly, l.weeklySlot);
      const b = this.blAt[l.rule]!;
      const view = new RuleState();
      if (b >= 0) {
        view.d = this.slot;
        view.o = so + b;
      } else {
        view.o = addRecord(this.rs, ix, l.rule);
        view.d = this.rs.chunk(this.rs.at(ix));
      }
      view.load(s);
      if (view.hw) {
        let rw = this.rw.get(ix);
        if (!rw) this.rw.set(ix, (rw = []));
        rw[l.rule] = view.hw;
      }
    }
    // the log: each stored window row and each interval a row, in time order (stable)
    const S = this.S;
    // every row written once into one array (in stored order: group by group, then the intervals), then put in time
    // order, equal times in that order (a stable sort of row numbers; most parts are one sorted run already)
    let total = 0;
    for (const win of p.windows) total += win.rows.length / plan.groups[win.group]!.stored.stride;
    for (const c of p.live) total += c.intervalEnds.length;
    const all = new Float64Array(total * S);
    const a32 = new Int32Array(all.buffer);
    const times = new Float64Array(total);
    let n = 0;
    const fresh = (t: number, mask: number, start: number): number => {
      const q = n * S;
      a32[2 * q] = pinned(t - base);
      a32[2 * q + 1] = mask;
      a32[2 * q + 2] = pinned(start - base);
      times[n++] = t;
      return q;
    };
    for (const win of p.windows) {
      const grp = plan.groups[win.group]!;
      const cols = grp.stored;
      for (let q = 0; q < win.rows.length; q += cols.stride) {
        const slots = cols.maskCol < 0 ? 1 : win.rows[q + cols.maskCol]!;
        let mask = 0;
        for (let s = 0; s < grp.rules.length; s++) if ((slots & (1 << s)) !== 0) mask |= 1 << grp.rules[s]!;
        const at = fresh(win.rows[q]!, mask, base);
        for (let c = 1; c <= grp.cols.length; c++) {
          const src = grp.cols[c - 1]!;
          const v = win.rows[q + c]!;
          if (src.src === 'cost') {
            if (this.cCost < 0) a32[2 * at + 3] = v;
            else all[at + this.cCost] = v;
          } else if (src.src === 'seconds') {
            if (this.cSec >= 0) all[at + this.cSec] = v;
          } else if (src.src === 'callee') {
            if ((mask & this.calleeKeyMask) !== 0) all[at + this.cCallee] = v;
          } else if (src.src === 'caller') {
            if ((mask & this.callerKeyMask) !== 0) all[at + this.cCaller] = v;
          } else {
            const k = this.rangeDigits.indexOf((src as { digits: number }).digits);
            if (k >= 0) all[at + this.rangeCol[k]!] = v;
          }
        }
      }
    }
    const calls: number[] = [];
    for (const c of p.live) {
      for (let i = 0; i < c.callIds.length; i++) calls.push(c.rule, c.callIds[i]!, c.callStarts[i]!);
      for (let i = 0; i < c.intervalEnds.length; i++) fresh(c.intervalEnds[i]!, 1 << c.rule, c.intervalStarts[i]!);
    }
    if (calls.length > 0) {
      this.live.set(ix, calls);
      fl |= FL_LIVE;
    }
    this.sw[o + W_FL] = fl;
    if (n > 0) {
      let sorted = true;
      for (let i = 1; i < n && sorted; i++) if (times[i]! < times[i - 1]!) sorted = false;
      if (sorted) this.log.load(o + W_LOG, all);
      else {
        const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => times[x]! - times[y]! || x - y);
        const out = new Float64Array(n * S);
        for (let i = 0; i < n; i++) out.set(all.subarray(order[i]! * S, order[i]! * S + S), i * S);
        this.log.load(o + W_LOG, out);
      }
    }
    if (p.callbacks.length > 0) this.rg.set(ix, p.callbacks.slice());
    if (p.dedupe.length > 0) this.store.legacyDd.set(ix, p.dedupe);
  }
}

interface Saved {
  slot: Float64Array;
  ringIds: string[] | null;
  rs: number[] | null;
  rw: (number[] | undefined)[] | null;
  rg: number[] | null;
  live: number[] | null;
  log: Float64Array | null;
}
