// A fused evaluator of a fraud rule set, for the ceiling bench (bench/fused-ceiling.ts): the engine's decisions
// (src/rules/fraud-engine.ts) for outbound end records, with the per-CDR work of all rules done together. Per CDR:
// one id lookup, the late check, one dedupe probe, one match (the engine's CdrMatcher, read as a bit mask of rules);
// then ONE slot per account (a fixed run of doubles: latest time, its log's place, evidence ring times and masks,
// running sums, baselines) and ONE event log per account for every windowed and concurrency rule (rows of time,
// mask of the rules that counted it, cost, start, callee and range keys), fed once (evict, insert), with the window
// values of every rule it counts for taken in one backward scan of the log (nested windows drop out as it goes),
// the longest window's sums kept running, concurrency read off the same rows (an end record's interval is its
// row), levels judged with the engine's RuleState, the evidence ring's ids as the engine keeps them (RingIds).
// What it leaves out, and why, is said in bench/fused-ceiling.ts's header.
//
// Numeric kernel names: t the record's event time, wm the account's watermark (latest time - allowed lateness),
// tau = max(t, wm) the time it is judged at, w a window length; ix the account's number, so its slot's offset
// (ix * SL); m a bit mask of rule indices (rule r: bit r); B a log region's offset; `off` a time as an int32 offset
// from `base` (rows and ring entries keep times so).
import type { CdrRecord } from '../../src/events/types.js';
import { CdrMatcher } from '../../src/rules/cdr-matcher.js';
import { INTERVAL_KEEP_MS } from '../../src/rules/concurrency-state.js';
import { DedupeTable } from '../../src/rules/dedupe-table.js';
import { formatDuration } from '../../src/rules/durations.js';
import { GLOBAL_SKEW_MS, RING } from '../../src/rules/engine-state.js';
import { hash53 } from '../../src/rules/hash.js';
import { IdIndex } from '../../src/rules/id-index.js';
import { RingIds } from '../../src/rules/ring-ids.js';
import { newRecord, RS, RuleState } from '../../src/rules/rule-state.js';
import type { AccountProfile, FraudRule, ProcessResult, RuleHit } from '../../src/rules/types.js';
import { calleeKeys, keys } from './callee-keys.js';
import { RingBytes } from './ring-bytes.js';
import { ROW, RowLog } from './row-log.js';

const SWEEP_EVERY_MS = 15 * 60_000;
const MAX_SAMPLES = 5;
const NO_HITS: RuleHit[] = Object.freeze([]) as unknown as RuleHit[];
const NO_SAMPLES: string[] = [];
const ACCEPTED: ProcessResult = Object.freeze({ outcome: 'accepted', hits: NO_HITS });
const LATE: ProcessResult = Object.freeze({ outcome: 'late', hits: NO_HITS });
const DUPLICATE: ProcessResult = Object.freeze({ outcome: 'duplicate', hits: NO_HITS });

/** How a windowed rule's value comes out of its rows. */
const COUNT = 0;
const SUM = 1;
const DISTINCT = 2;
const MOST = 3;
const RANGE = 4;

// The slot of an account, in doubles: latest event time; the log's region and length (two int32s); the ring's next
// entry and its entries so far (two int32s); RING entries of (time offset, mask) int32 pairs; then the running sums,
// then the baselines (RS doubles each, rule-state.ts). S_RB: the ring's id cells (RingBytes: region, width).
const S_MAXT = 0;
const S_LOG = 1;
const S_RN = 2;
const S_RB = 3;
const S_RING = 4;
const S_SUM = S_RING + RING;

export class FusedEvaluator {
  /** Account id -> number: the engine's IdIndex (ids as bytes, no string per account; a Map cost ~0.4 us a CDR more). */
  private readonly ids = new IdIndex();
  private cap = 0;
  private top = 0;
  private readonly SL: number;
  private slot = new Float64Array(0);
  private meta = new Int32Array(0);
  private readonly log = new RowLog();
  private readonly ringIds = new RingIds();
  /**
   * Where the ring's ids are kept: `bytes` (default) fixed-width cells (ring-bytes.ts); `ringids` the engine's RingIds;
   * `refs` references to the records' own strings (an experiment: over the memory budget). RING_IDS chooses.
   */
  private readonly ringKind = process.env.RING_IDS ?? 'bytes';
  private readonly ringBytes = new RingBytes();
  private readonly refs: (string | undefined)[] | null = this.ringKind === 'refs' ? [] : null;
  /** Whether the sweep slides the log's holes out (`holey`, as the engine's stores) or only a sparse arena whole. */
  private readonly holeyCompaction = process.env.COMPACT === 'holey';
  private readonly dedupe: DedupeTable;
  private globalMax = Number.NEGATIVE_INFINITY;
  private nextSweep = Number.NEGATIVE_INFINITY;
  /** Times are kept as int32 offsets from this (set by the first record). */
  private base = Number.NaN;
  private readonly maxW: number;
  /** How long the log keeps a row: the longest window, or the concurrency rules' INTERVAL_KEEP_MS when longer. */
  private keepMs = 0;
  private readonly matcher: CdrMatcher;
  private readonly out: number[] = [];
  /**
   * `PREMATCH=1` (bench/fused-ceiling.ts): the match masks of the timed hour's records, made before it is timed, read
   * by the record's sequence number instead of calling the matcher: the ceiling with matching at no cost.
   */
  premasks: Int32Array | null = null;
  seq = 0;
  /** Per rule: kind (windowed ones), lowest level without a baseline, window as hits give it, its window index. */
  private readonly kind: number[];
  private readonly reach: number[];
  private readonly window: (string | null)[];
  private readonly winOf: number[];
  /** Per rule: the slot offset of its baseline's level state (-1: none), of its running sum (-1: none). */
  private readonly blAt: number[];
  private readonly sumAt: number[];
  /** The window lengths in use, shortest first, and the rules of each. */
  private readonly winW: number[] = [];
  private readonly winMask: number[] = [];
  private readonly lo: Int32Array;
  private windowless = 0;
  private windowed = 0;
  private concMask = 0;
  private durationMask = 0;
  private costMask = 0;
  private sumMask = 0;
  private keyMask = 0;
  private rangeDigits = -1;
  /** Rules with a running sum (window = the log's longest), and the scanned windowed rules. */
  private running = 0;
  private scanned = 0;
  /** Rules that count only what this evaluator never takes (inbound rules; callbacks: rings of inbound calls). */
  private never = 0;
  private callerMask = 0;
  /** Level states of rules without a baseline, made at their first level: key ix * 32 + rule. */
  private readonly levels = new Map<number, Float64Array>();
  private readonly view = new RuleState();
  private readonly values = new Float64Array(32);
  private readonly counts = new Float64Array(32);
  private readonly row = new Float64Array(ROW);
  private readonly row32 = new Int32Array(this.row.buffer);
  private keys = new Float64Array(64);
  private grps = new Float64Array(64);
  private first = new Uint8Array(64);

  constructor(private readonly rules: readonly FraudRule[], private readonly latenessMs: number, defaultTimezone: string) {
    if (rules.length > 30) throw new Error('fused evaluator: at most 30 rules');
    this.matcher = new CdrMatcher(rules, defaultTimezone);
    this.maxW = Math.max(0, ...rules.map((r) => r.windowMs ?? 0));
    this.dedupe = new DedupeTable(1024, latenessMs + this.maxW + GLOBAL_SKEW_MS + SWEEP_EVERY_MS);
    this.kind = rules.map(() => -1);
    this.reach = rules.map((r) => (r.warn !== null && r.warn < r.suspend ? r.warn : r.suspend));
    this.window = rules.map((r) => (r.windowMs === null ? null : formatDuration(r.windowMs)));
    this.winOf = rules.map(() => -1);
    this.sumAt = rules.map(() => -1);
    this.blAt = rules.map(() => -1);
    const lengths = [...new Set(rules.filter((r) => r.match.direction !== 'inbound' && r.windowMs !== null).map((r) => r.windowMs!))].sort((a, b) => a - b);
    for (const w of lengths) {
      this.winW.push(w);
      this.winMask.push(0);
    }
    this.lo = new Int32Array(lengths.length);
    let at = S_SUM;
    rules.forEach((rule, r) => {
      const bit = 1 << r;
      if (rule.baseline?.by === 'hour_of_week') throw new Error(`fused evaluator: ${rule.id}: hour-of-week baselines left out`);
      if (rule.measure === 'callbacks') this.never |= bit;
      if (rule.measure === 'distinct_callers') this.callerMask |= bit;
      // (the matcher judges an outbound record against outbound rules only, and this evaluator takes no other)
      if (rule.match.direction === 'inbound') {
        this.never |= bit;
        return;
      }
      if (rule.windowMs === null) {
        this.windowless |= bit;
        if (rule.measure === 'concurrent_calls') this.concMask |= bit;
        else if (rule.measure === 'call_duration') this.durationMask |= bit;
        else if (rule.measure === 'call_cost') this.costMask |= bit;
        else throw new Error(`fused evaluator: ${rule.id}: ${rule.measure} left out`);
        return;
      }
      const kind = { calls: COUNT, callbacks: COUNT, cost: SUM, distinct_callees: DISTINCT, calls_to_one_callee: MOST, range_scan: RANGE }[rule.measure as string];
      if (kind === undefined) throw new Error(`fused evaluator: ${rule.id}: ${rule.measure} left out`);
      this.kind[r] = kind;
      this.windowed |= bit;
      const k = this.winW.indexOf(rule.windowMs);
      this.winOf[r] = k;
      this.winMask[k]! |= bit;
      if (kind === SUM) {
        this.sumMask |= bit;
        if (rule.windowMs === this.maxW) {
          this.running |= bit;
          this.sumAt[r] = at++;
        }
      } else if (kind !== COUNT) this.keyMask |= bit;
      if (kind === RANGE) {
        if (this.rangeDigits >= 0 && this.rangeDigits !== rule.rangeDigits) throw new Error('fused evaluator: one rangeDigits for all range_scan rules');
        this.rangeDigits = rule.rangeDigits;
      }
    });
    this.scanned = this.windowed & ~this.running;
    this.keepMs = Math.max(this.maxW, this.concMask !== 0 ? INTERVAL_KEEP_MS : 0);
    rules.forEach((rule, r) => {
      if (rule.baseline && (this.never & (1 << r)) === 0) {
        this.blAt[r] = at;
        at += RS;
      }
    });
    this.SL = at;
  }

  size(): number {
    return this.top;
  }

  /** Array-buffer bytes per structure, for the memory breakdown. */
  breakdown(): Record<string, number> {
    return {
      [`account slots (${8 * this.SL} B each)`]: this.slot.byteLength,
      'event logs (rows of 32 B, RowArena)': this.log.bytes(),
      [`ring ids (${this.ringKind})`]: this.ringKind === 'bytes' ? this.ringBytes.bytes() : this.ringIds.lists.arena.bytes(),
      'dedupe table': this.dedupe.bytes(),
      'account ids (IdIndex)': this.ids.bytes(),
    };
  }

  /** The rules `cdr` matches, as a bit mask (CdrMatcher). */
  maskOf(cdr: CdrRecord, account: AccountProfile): number {
    const n = this.matcher.match(cdr, account, this.out);
    let m = 0;
    for (let i = 0; i < n; i++) m |= 1 << this.out[i]!;
    return m;
  }

  process(cdr: CdrRecord, account: AccountProfile): ProcessResult {
    if (cdr.phase !== 'end' || cdr.direction !== 'outbound') throw new Error('fused evaluator: outbound end records only');
    const seq = this.seq++;
    const t = cdr.endedAt ?? (cdr.answeredAt ?? cdr.startedAt) + (cdr.durationSec ?? 0) * 1000;
    let ix = this.ids.find(cdr.accountId);
    const slot = this.slot;
    const maxT = ix >= 0 && slot[ix * this.SL + S_MAXT]! > t ? slot[ix * this.SL + S_MAXT]! : t;
    const wm = maxT - this.latenessMs;
    if (t < wm - this.maxW || t < this.globalMax - this.latenessMs - this.maxW - GLOBAL_SKEW_MS) return LATE;
    if (!this.dedupe.addIfAbsent(hash53(cdr.id, 0), t)) return DUPLICATE;
    if (ix < 0) ix = this.add(cdr.accountId, t);
    const so = ix * this.SL;
    this.slot[so + S_MAXT] = maxT;
    this.advance(t);

    let m = 0;
    if (this.premasks !== null) m = this.premasks[seq]!;
    else m = this.maskOf(cdr, account);
    m &= ~this.never;
    if (cdr.caller === null) m &= ~this.callerMask;
    if (m === 0) return ACCEPTED;
    let counted = t >= wm ? m & this.windowless : 0;
    for (let k = this.winW.length - 1; k >= 0 && t >= wm - this.winW[k]!; k--) counted |= m & this.winMask[k]!;
    if (counted === 0) return ACCEPTED;
    const tau = t > wm ? t : wm;
    const values = this.values;
    if ((counted & (this.windowed | this.concMask)) !== 0) this.feed(so, cdr, counted, t, wm, tau);
    if ((counted & this.durationMask) !== 0) {
      const sec = cdr.durationSec ?? (cdr.endedAt !== null && cdr.answeredAt !== null ? Math.max(0, (cdr.endedAt - cdr.answeredAt) / 1000) : 0);
      for (let c = counted & this.durationMask; c !== 0; c &= c - 1) values[31 - Math.clz32(c & -c)] = sec / 60;
    }
    for (let c = counted & this.costMask; c !== 0; c &= c - 1) values[31 - Math.clz32(c & -c)] = cdr.costMicros ?? 0;
    let hits = NO_HITS;
    let hitRules = 0;
    for (let c = counted; c !== 0; c &= c - 1) {
      const r = 31 - Math.clz32(c & -c);
      const hit = this.judge(r, values[r]!, so, ix, tau, cdr.accountId);
      if (hit === null) continue;
      if (hits === NO_HITS) hits = [];
      hits.push(hit);
      hitRules |= 1 << r;
    }
    this.remember(so, ix, cdr.id, t, counted);
    if (hits === NO_HITS) return ACCEPTED;
    let k = 0;
    for (let c = hitRules; c !== 0; c &= c - 1) hits[k++]!.sampleCdrIds = this.samples(so, ix, 31 - Math.clz32(c & -c), cdr.id, tau);
    return { outcome: 'accepted', hits };
  }

  /**
   * Adds the record's row to the account's log (evicting rows past the longest window) and writes the value of
   * every windowed and concurrency rule it counts for into `values`.
   */
  private feed(so: number, cdr: CdrRecord, counted: number, t: number, wm: number, tau: number): void {
    const L = this.log;
    const meta = this.meta;
    const mo = 2 * (so + S_LOG);
    const base = this.base;
    const slot = this.slot;
    let n = L.length(meta, mo);
    if (n > 0) {
      const before = wm - this.keepMs - base;
      const w = L.arena.words(meta[mo]!);
      const B = L.arena.base(meta[mo]!);
      let h = 0;
      while (h < n && w[2 * (B + h * ROW)]! < before) h++;
      if (h > 0) {
        if (this.running !== 0) {
          for (let i = 0; i < h; i++) {
            for (let c = w[2 * (B + i * ROW) + 1]! & this.running; c !== 0; c &= c - 1) slot[so + this.sumAt[31 - Math.clz32(c & -c)]!]! -= w[2 * (B + i * ROW) + 2]!;
          }
        }
        L.drop(meta, mo, h);
      }
    }
    const rm = counted & (this.windowed | this.concMask);
    const cost = cdr.costMicros ?? 0;
    const off = t - base;
    const startOff = cdr.startedAt - base;
    if ((off | 0) !== off || (startOff | 0) !== startOff || (cost | 0) !== cost) throw new Error('fused evaluator: a time or cost outside the int32 rows');
    const row32 = this.row32;
    row32[0] = off;
    row32[1] = rm;
    row32[2] = cost;
    row32[3] = startOff;
    if ((rm & this.keyMask) !== 0) {
      if (this.rangeDigits >= 0) {
        calleeKeys(cdr.callee, this.rangeDigits);
        this.row[2] = keys.calleeKey;
        this.row[3] = keys.rangeKey;
      } else this.row[2] = hash53(cdr.callee);
    }
    L.insert(meta, mo, this.row, off);
    if (L.moved) {
      L.moved = false;
      if (L.arena.sparse()) L.compact(meta, 2 * this.SL, 2 * S_LOG, this.top, true);
    }
    for (let c = rm & this.running; c !== 0; c &= c - 1) slot[so + this.sumAt[31 - Math.clz32(c & -c)]!]! += cost;

    const at = meta[mo]!;
    const w = L.arena.words(at);
    const B = L.arena.base(at);
    n = L.length(meta, mo);
    const tauOff = tau - base;
    let hi = n;
    while (hi > 0 && w[2 * (B + (hi - 1) * ROW)]! > tauOff) hi--;
    const values = this.values;
    const counts = this.counts;
    // one backward scan from tau: every scanned rule's count (or sum) over its window, windows dropping out shortest
    // first as the rows pass their start
    let active = rm & this.scanned;
    if (active !== 0) {
      for (let c = active; c !== 0; c &= c - 1) counts[31 - Math.clz32(c & -c)] = 0;
      const lo = this.lo;
      lo.fill(0);
      const sums = this.sumMask;
      let k = 0;
      for (let i = hi - 1; i >= 0; i--) {
        const at = 2 * (B + i * ROW);
        const ti = w[at]!;
        while (k < lo.length && ti < tauOff - this.winW[k]!) {
          lo[k] = i + 1;
          active &= ~this.winMask[k]!;
          k++;
        }
        let b = w[at + 1]! & active;
        if (b === 0) {
          if (active === 0) break;
          continue;
        }
        if ((b & sums) !== 0) {
          const x = w[at + 2]!;
          for (let c = b & sums; c !== 0; c &= c - 1) counts[31 - Math.clz32(c & -c)]! += x;
          b &= ~sums;
        }
        for (; b !== 0; b &= b - 1) counts[31 - Math.clz32(b & -b)]!++;
      }
      for (let c = rm & this.scanned; c !== 0; c &= c - 1) {
        const r = 31 - Math.clz32(c & -c);
        const count = counts[r]!;
        // a key measure is at most its row count: below the lowest level (and no baseline) it decides nothing
        values[r] = this.kind[r]! <= SUM || (count < this.reach[r]! && this.blAt[r] === -1) ? count : this.keyMeasure(L.arena.chunk(at), w, B, r, lo[this.winOf[r]!]!, hi);
      }
    }
    for (let c = rm & this.running; c !== 0; c &= c - 1) {
      const r = 31 - Math.clz32(c & -c);
      const bit = 1 << r;
      let v = slot[so + this.sumAt[r]!]!;
      const from = tauOff - this.maxW;
      for (let i = 0; i < n && w[2 * (B + i * ROW)]! < from; i++) if ((w[2 * (B + i * ROW) + 1]! & bit) !== 0) v -= w[2 * (B + i * ROW) + 2]!;
      for (let i = hi; i < n; i++) if ((w[2 * (B + i * ROW) + 1]! & bit) !== 0) v -= w[2 * (B + i * ROW) + 2]!;
      values[r] = v;
    }
    for (let c = rm & this.concMask; c !== 0; c &= c - 1) {
      const r = 31 - Math.clz32(c & -c);
      values[r] = this.concurrency(w, B, n, 1 << r, startOff, off, wm - INTERVAL_KEEP_MS - base);
    }
  }

  /**
   * concurrent_calls at an end record with no start seen, as LiveCalls.interval: the intervals are the rule's rows
   * (start, end = the row's time) that end at or after `floor` (the engine evicts the others at this record); the
   * value is the most of them holding one instant of [s, e] (at s, or at a start inside it).
   */
  private concurrency(w: Int32Array, B: number, n: number, bit: number, s: number, e: number, floor: number): number {
    const lim = s > floor ? s : floor;
    let best = 0;
    let q = n - 1;
    for (; q >= 0; q--) {
      const at = 2 * (B + q * ROW);
      if (w[at]! < lim) break;
      if ((w[at + 1]! & bit) !== 0 && w[at + 3]! <= s) best++;
    }
    q++;
    for (let j = n - 1; j >= q; j--) {
      const at = 2 * (B + j * ROW);
      const x = w[at + 3]!;
      if ((w[at + 1]! & bit) === 0 || !(x > s && x <= e)) continue;
      let count = 0;
      for (let i = n - 1; i >= q; i--) {
        const ai = 2 * (B + i * ROW);
        if ((w[ai + 1]! & bit) !== 0 && w[ai + 3]! <= x && w[ai]! >= x) count++;
      }
      if (count > best) best = count;
    }
    return best;
  }

  /** Distinct callees, most calls to one callee, or most callees of one range, of rule r's rows in [lo, hi). */
  private keyMeasure(d: Float64Array, w: Int32Array, B: number, r: number, lo: number, hi: number): number {
    if (hi - lo > this.keys.length) {
      this.keys = new Float64Array(2 * (hi - lo));
      this.grps = new Float64Array(2 * (hi - lo));
      this.first = new Uint8Array(2 * (hi - lo));
    }
    const { keys, grps, first } = this;
    const kind = this.kind[r]!;
    let n = 0;
    for (let i = lo; i < hi; i++) {
      if ((w[2 * (B + i * ROW) + 1]! & (1 << r)) === 0) continue;
      keys[n] = d[B + i * ROW + 2]!;
      grps[n] = d[B + i * ROW + 3]!;
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

  /** The level rule r's value reaches at tau, after cooldowns (RuleState.level), as a hit; or null. */
  private judge(r: number, value: number, so: number, ix: number, tau: number, accountId: string): RuleHit | null {
    const rule = this.rules[r]!;
    const view = this.view;
    if (this.blAt[r] !== -1) {
      view.d = this.slot;
      view.o = so + this.blAt[r]!;
    } else {
      if (value < this.reach[r]!) return null;
      let d = this.levels.get(ix * 32 + r);
      if (d === undefined) this.levels.set(ix * 32 + r, (d = new Float64Array(newRecord(r))));
      view.d = d;
      view.o = 0;
    }
    const lvl = view.level(rule, value, tau);
    if (lvl === null) return null;
    return {
      accountId, ruleId: rule.id, level: lvl.level, mode: rule.mode, reason: 'fraud', measure: rule.measure, value,
      threshold: lvl.threshold, window: this.window[r]!, at: tau, sampleCdrIds: NO_SAMPLES, releaseAfterMs: rule.releaseAfterMs,
    };
  }

  /** The evidence ring: the account's last RING counted records (ids in RingIds, times and masks in the slot). */
  private remember(so: number, ix: number, id: string, t: number, mask: number): void {
    const m32 = this.meta;
    const j = m32[2 * (so + S_RN)]!;
    const n = m32[2 * (so + S_RN) + 1]!;
    const off = t - this.base;
    if ((off | 0) !== off) throw new Error('fused evaluator: a time outside the int32 ring');
    m32[2 * (so + S_RING + j)] = off;
    m32[2 * (so + S_RING + j) + 1] = mask;
    if (this.ringKind === 'bytes') {
      this.ringBytes.write(m32, 2 * (so + S_RB), ix, j, id);
      if (j >= n) m32[2 * (so + S_RN) + 1] = n + 1;
      if (this.ringBytes.moved) {
        this.ringBytes.moved = false;
        this.ringBytes.compact(this.meta, 2 * this.SL, 2 * S_RB, this.top);
      }
    } else if (this.refs !== null) {
      this.refs[ix * RING + j] = id;
      if (j >= n) m32[2 * (so + S_RN) + 1] = n + 1;
    } else if (j >= n) {
      this.ringIds.append(ix, id, RING - 1 - n);
      m32[2 * (so + S_RN) + 1] = n + 1;
    } else this.ringIds.replace(ix, j, id);
    m32[2 * (so + S_RN)] = (j + 1) % RING;
  }

  private samples(so: number, ix: number, r: number, current: string, tau: number): string[] {
    const from = tau - (this.rules[r]!.windowMs ?? 0) - this.base;
    const to = tau - this.base;
    const out = [current];
    const m32 = this.meta;
    const count = m32[2 * (so + S_RN) + 1]!;
    const ids =
      this.ringKind === 'bytes'
        ? Array.from({ length: count }, (_, j) => this.ringBytes.read(m32, 2 * (so + S_RB), ix, j))
        : this.refs !== null
          ? this.refs.slice(ix * RING, ix * RING + count)
          : this.ringIds.list(ix);
    if (ids === null) return out;
    const next = m32[2 * (so + S_RN)]!;
    for (let k = 0; k < RING && out.length < MAX_SAMPLES; k++) {
      const j = (next - 1 - k + RING * 2) % RING;
      const id = ids[j];
      if (id === undefined || id === '' || id === current || out.includes(id)) continue;
      const tj = m32[2 * (so + S_RING + j)]!;
      if ((m32[2 * (so + S_RING + j) + 1]! & (1 << r)) !== 0 && tj >= from && tj <= to) out.push(id);
    }
    return out;
  }

  private add(id: string, t: number): number {
    if (Number.isNaN(this.base)) this.base = t - 2 ** 30;
    const ix = this.top++;
    if (ix >= this.cap) this.grow(Math.max(1024, Math.ceil(this.cap * 1.0625)));
    this.ids.insert(id, ix);
    const so = ix * this.SL;
    this.slot[so + S_MAXT] = Number.NEGATIVE_INFINITY;
    this.meta[2 * (so + S_LOG)] = -1;
    this.meta[2 * (so + S_RB)] = -1;
    for (let r = 0; r < this.rules.length; r++) if (this.blAt[r] !== -1) this.slot.set(FRESH[r]!, so + this.blAt[r]!);
    return ix;
  }

  private grow(capacity: number): void {
    const slot = new Float64Array(capacity * this.SL);
    slot.set(this.slot);
    this.slot = slot;
    this.meta = new Int32Array(slot.buffer);
    this.ringIds.grow(capacity);
    if (this.refs !== null) for (let i = this.refs.length; i < capacity * RING; i++) this.refs.push(undefined);
    this.ids.grow(capacity);
    this.cap = capacity;
  }

  private advance(t: number): void {
    if (t <= this.globalMax) return;
    this.globalMax = t;
    if (t < this.nextSweep) return;
    if (this.nextSweep !== Number.NEGATIVE_INFINITY) {
      this.dedupe.sweep(this.globalMax - this.latenessMs - this.maxW - GLOBAL_SKEW_MS);
      if (this.holeyCompaction) this.log.compact(this.meta, 2 * this.SL, 2 * S_LOG, this.top);
      if (this.ringKind === 'bytes') this.ringBytes.compact(this.meta, 2 * this.SL, 2 * S_RB, this.top);
      else this.ringIds.compact();
    }
    this.nextSweep = t + SWEEP_EVERY_MS;
  }
}

const FRESH = Array.from({ length: 32 }, (_, r) => newRecord(r));
