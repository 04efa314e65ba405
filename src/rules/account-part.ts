// One account's stored part (engine-snapshot.ts) as a plain JS value, `PlainAccount`, free of any engine's memory
// layout: what the part means, field by field, so that an engine of another layout (the fused engine, branch
// fuse10) writes and reads the same bytes without EngineState's columns and arenas. Owns the part's byte codec (a
// binary part: a JSON header and raw float64 arrays; parts written before the binary encoding are JSON), its
// reading into the plain form (`decodeAccountPart`: every older variant the restore accepts, normalised as the
// classic engine normalises it on restore) and its writing (`encodeAccountPart`), and the classic engine's side of
// it (`plainOf`, `loadPlain`, which engine-snapshot.ts's encodeAccount and its restores from the store go through;
// its restoreAccount of one account stays direct, ~4% faster, and gives the same state).
// Exact: for a part P the classic engine writes, encodeAccountPart(decodeAccountPart(P)) is P byte for byte and
// decodeAccountPart(P) deep-equals plainOf of the engine that wrote it; for an older part, decodeAccountPart gives
// what plainOf gives after the classic engine restored it (test/unit/rules/account-part.test.ts). A part holding a
// value of the wrong type where a number belongs (never written by any build) is outside this promise. Pure.
import type { ConcurrencySnapshot } from './concurrency-state.js';
import { pruneDedupe, type EngineState } from './engine-state.js';
import { JsonBytes } from './json-bytes.js';
import { RING_SEP } from './ring-ids.js';
import { addRecord, HOURS_PER_WEEK, RS, RuleState, type RuleStateSnapshot, type WindowPlan } from './rule-state.js';
import { heldBy } from './window-columns.js';

/**
 * One account's stored state, as the part's format specifies it. Every array is the value's own unless said (see
 * plainOf and loadPlain for the arrays shared with an engine).
 */
export interface PlainAccount {
  /** The latest event time (ms) seen for the account: an end record's end, a start event's start. */
  maxT: number;
  /**
   * Whether a start event of the account was accepted (only then can an end record's start have counted; the
   * start-seen dedupe probe runs only for such accounts). Absent from parts written before the flag: false.
   */
  startSeen: boolean;
  /**
   * The evidence ring's ids by entry (the last matched CDRs, for evidence samples): null, no ring; [], a ring of no
   * entries (read from old parts; held apart from none). An id holding RING_SEP is '' (no sample). Parts written when
   * a ring always held RING entries have '' for the unused ones. May disagree with `ringPairs` in count.
   */
  ringIds: string[] | null;
  /**
   * The ring's entries as (event time, mask of rule indices < 30) pairs, flat, entry j at 2j: empty, none. An odd
   * last number (never written) is dropped, as the classic restore drops it.
   */
  ringPairs: number[];
  /** The ring entry written next (0-255: a byte; the engine's rings hold RING = 8 entries, so 0-7). */
  ringNext: number;
  /**
   * Level states of the rules that reached a level or keep a baseline, sorted by rule index (one each). Rules are
   * numbered by their index in the rule set the part was written under (the shared part lists it).
   */
  levels: PlainLevel[];
  /** Live calls of `concurrent_calls` rules, one per rule whose state the account opened (even when empty), by rule index. */
  live: PlainLive[];
  /**
   * The live rows of the account's window logs, one entry per window group (WindowPlan.groups: windowed rules
   * grouped by window length, at most 30 rules a group) that holds rows, by group index.
   */
  windows: PlainWindow[];
  /**
   * The account's dedupe (key, event time) pairs, flat: empty since the horizon is stored as segments, except in a
   * part written before them, whose pairs are kept (pruned below the sweep threshold) so it re-encodes as it was.
   */
  dedupe: number[];
  /**
   * `callbacks` rings: inbound calls that rang (unanswered or short), as (caller key, startedAt, answered ms)
   * triples, flat; empty, none. Absent from parts written before `callbacks` rules.
   */
  callbacks: number[];
}

/** One rule's level state (rule-state.ts RuleState). */
export interface PlainLevel {
  /** The rule's index. */
  rule: number;
  /** Baseline: the EWMA of the measure's peak per period; for `hour_of_week`, unused (0). */
  baseline: number;
  /** The current period's index (floor(time / period); -1: none yet). */
  period: number;
  /** The peak value in the current period. */
  peak: number;
  /** Event times of the last warn and suspend hits (null: none). */
  warnedAt: number | null;
  suspendedAt: number | null;
  /**
   * `by: hour_of_week` baselines: the average peak per local hour of the week (HOURS_PER_WEEK = 168 numbers, -1: an
   * hour not seen yet), else null. A stored profile of fewer hours reads the rest as -1; one of more, its first 168.
   */
  weekly: number[] | null;
  /** With `weekly`: the hour-of-week slot of the current period (absent in a part: 0); without, 0. */
  weeklySlot: number;
}

/** One `concurrent_calls` rule's state of the account (concurrency-state.ts). */
export interface PlainLive {
  rule: number;
  /** Calls set up and not ended, in arrival order: the hash of each call's id, and its start time (same length). */
  callIds: number[];
  callStarts: number[];
  /** End records with no start seen, as [start, end] intervals in the order held (sorted by end as the engine adds them). */
  intervalStarts: number[];
  intervalEnds: number[];
}

/** One window group's live rows of the account (window-parts.ts). */
export interface PlainWindow {
  /** The group's index in WindowPlan.groups of the part's rule set. */
  group: number;
  /**
   * The rows, flat, in stored order (time order; equal times in arrival order), each `stored.stride` numbers of the
   * group (Group.stored, window-columns.ts): the event time; one column per source (Group.cols, in order: cost in
   * micro-units, seconds, callee key, caller key, a range key of some digits), 0 where no rule of the row reads the
   * source; then, in a group of more than one rule, the row's mask (bit s: the group's rule of slot s counted it).
   * A source sharing the engine's kept column with another (read by rules that never match one CDR) holds the value
   * only for the source a rule of the row's mask reads: parts written before sharing held both, and read as 0 there.
   */
  rows: number[];
}

/** What reading a part needs besides its bytes. */
export interface PartContext {
  /** The window layout of the rule set the part was written under (its groups' strides, columns and sharing). */
  readonly plan: WindowPlan;
  /**
   * The sweep threshold of the shared part (`sb`), or a spilled part's threshold (engine-spill.ts): dedupe pairs
   * older than it are dropped, as a restore drops them. Absent: kept all.
   */
  readonly pruneBefore?: number;
}

/**
 * One account's part as a tuple, as the format lays it out (a JSON part is this tuple as JSON; a full snapshot's
 * account row is its id then this): `AccountRow` prefixes the id.
 */
export type AccountPart = [
  maxT: number, ids: string[] | null, tm: number[] | null, next: number,
  rules: [number, RuleStateSnapshot][], conc: [number, ConcurrencySnapshot][], logs: [number, number[]][],
  /** The account's dedupe (key, time) pairs: empty since segments, except in a part restored from before them. */
  dd: number[],
  /** `callbacks` rings; absent in parts written before them (and in later parts with none, unless `sp`). */
  rg?: number[],
  /** 1 when a start event of the account was accepted. */
  sp?: number,
];

// ---- the plain form and the tuple -------------------------------------------------------------------------------

/**
 * The plain form of a part's tuple, normalised as a classic restore normalises it. Takes over the tuple's arrays.
 * `forLoad`: its window rows and ring ids are left as stored, for loadPlain alone, which keeps of each row only what
 * the normalising keeps (window-parts.ts keptRows) and an id holding RING_SEP as '' (ring-ids.ts): a pass saved.
 */
export function plainOfTuple(part: AccountPart, ctx: PartContext, forLoad = false): PlainAccount {
  const [maxT, ids, tm, next, rules, conc, logs, dd, rg, sp] = part;
  if (ctx.pruneBefore !== undefined) pruneDedupe(dd, ctx.pruneBefore);
  let ringPairs: number[] = [];
  if (tm !== null && tm.length >= 2) {
    ringPairs = tm;
    if ((tm.length & 1) === 1) tm.length--;
  }
  let ringIds = ids;
  // (for loadPlain alone: RingIds.setList keeps an id holding RING_SEP as '' itself)
  if (ids !== null && !forLoad) {
    for (let j = 0; j < ids.length; j++) {
      if (ids[j]!.includes(RING_SEP)) {
        ringIds = ids.map((id) => (id.includes(RING_SEP) ? '' : id));
        break;
      }
    }
  }
  return {
    maxT: +maxT,
    startSeen: sp === 1,
    ringIds,
    ringPairs,
    ringNext: next & 0xff,
    levels: levelsOf(rules),
    live: liveOf(conc),
    windows: windowsOf(logs, ctx.plan, !forLoad),
    dedupe: dd,
    callbacks: rg && rg.length > 0 ? rg : [],
  };
}

/** The tuple a part of the plain form lays out (sharing its arrays). */
export function tupleOfPlain(p: PlainAccount): AccountPart {
  const rules: [number, RuleStateSnapshot][] = new Array(p.levels.length);
  for (let i = 0; i < p.levels.length; i++) rules[i] = [p.levels[i]!.rule, snapshotOf(p.levels[i]!)];
  const conc: [number, ConcurrencySnapshot][] = new Array(p.live.length);
  for (let i = 0; i < p.live.length; i++) {
    const c = p.live[i]!;
    conc[i] = [c.rule, [c.callIds, c.callStarts, c.intervalStarts, c.intervalEnds]];
  }
  const logs: [number, number[]][] = [];
  for (const w of p.windows) if (w.rows.length > 0) logs.push([w.group, w.rows]);
  const part: AccountPart = [p.maxT, p.ringIds, p.ringPairs.length > 0 ? p.ringPairs : null, p.ringNext, rules, conc, logs, p.dedupe];
  if (p.callbacks.length > 0 || p.startSeen) part.push(p.callbacks);
  if (p.startSeen) part.push(1);
  return part;
}

/**
 * Level states as a restore files them: each inserted before the first of an equal or greater rule index (so a
 * sorted list stays as it is), fields as a RuleState's Float64Array holds them (the cooldown times NaN for null).
 */
function levelsOf(rules: [number, RuleStateSnapshot][]): PlainLevel[] {
  const out: PlainLevel[] = [];
  for (const [r, s] of rules) {
    const rule = +r;
    const cw = s[3] == null ? Number.NaN : +s[3];
    const cs = s[4] == null ? Number.NaN : +s[4];
    let weekly: number[] | null = null;
    let weeklySlot = 0;
    if (s[5]) {
      weekly = new Array<number>(HOURS_PER_WEEK).fill(-1);
      for (let k = 0; k < Math.min(HOURS_PER_WEEK, s[5].length); k++) weekly[k] = s[5][k]!;
      weeklySlot = s[6] ?? 0;
    }
    const level: PlainLevel = {
      rule, baseline: +s[0], period: +s[1], peak: +s[2],
      warnedAt: Number.isNaN(cw) ? null : cw, suspendedAt: Number.isNaN(cs) ? null : cs, weekly, weeklySlot,
    };
    if (out.length === 0 || out[out.length - 1]!.rule < rule) out.push(level);
    else {
      let i = 0;
      while (i < out.length && out[i]!.rule < rule) i++;
      out.splice(i, 0, level);
    }
  }
  return out;
}

/** Live calls by rule index (a rule listed twice: the later, as a restore replaces the state). */
function liveOf(conc: [number, ConcurrencySnapshot][]): PlainLive[] {
  const out: PlainLive[] = [];
  for (let k = 0; k < conc.length; k++) {
    const [r, s] = conc[k]!;
    const live: PlainLive = { rule: +r, callIds: s[0], callStarts: s[1], intervalStarts: s[2], intervalEnds: s[3] };
    if (out.length === 0 || out[out.length - 1]!.rule < live.rule) out.push(live);
    else {
      let i = 0;
      while (out[i]!.rule < live.rule) i++;
      if (out[i]!.rule === live.rule) out[i] = live;
      else out.splice(i, 0, live);
    }
  }
  return out;
}

/** Window rows by group index, normalised (a group listed twice: the later that holds rows). */
function windowsOf(logs: [number, number[]][], plan: WindowPlan, normalise: boolean): PlainWindow[] {
  const out: PlainWindow[] = [];
  for (let k = 0; k < logs.length; k++) {
    const [g, rows] = logs[k]!;
    if (rows.length === 0) continue;
    if (normalise) normaliseRows(plan, g, rows);
    const w: PlainWindow = { group: g, rows };
    if (out.length === 0 || out[out.length - 1]!.group < g) out.push(w);
    else {
      let i = 0;
      while (out[i]!.group < g) i++;
      if (out[i]!.group === g) out[i] = w;
      else out.splice(i, 0, w);
    }
  }
  return out;
}

/**
 * A group's stored rows as the classic engine keeps them (in place): where a kept column is shared by several
 * sources, only the source a rule of the row's mask reads keeps its value (heldBy), the others are 0. Rows the
 * engine wrote are unchanged; rows of parts written before sharing lose the values no rule of theirs reads.
 */
function normaliseRows(plan: WindowPlan, g: number, rows: number[]): void {
  const cols = plan.groups[g]?.stored;
  if (cols === undefined || cols.of.length === cols.at.length) return;
  for (let o = 0; o < rows.length; o += cols.stride) {
    const mask = cols.maskCol < 0 ? 1 : rows[o + cols.maskCol]!;
    for (let c = 1; c <= cols.at.length; c++) {
      if (cols.of[cols.at[c - 1]! - 1]!.length > 1 && heldBy(cols, cols.at[c - 1]!, mask) !== c) rows[o + c] = 0;
    }
  }
}

// ---- the bytes --------------------------------------------------------------------------------------------------

/** First byte of a binary account part; a JSON part starts with '['. */
const PART_BINARY = 1;

/** Binary header: [maxT, ring ids, ring next, level states, live calls, ring times length, [group, rows length][], dedupe length, rings length?, sp?]. */
type PartHeader = [number, string[] | null, number, AccountPart[4], AccountPart[5], number, [number, number][], number, number?, number?];

/** Writes the headers' JSON (the bytes JSON.stringify then UTF-8 give, in a fraction of the time). */
const headWriter = new JsonBytes();
const fromUtf8 = new TextDecoder();

/** An account part's bytes (binary) from its tuple, as it is (no normalising). */
export function encodePartTuple(part: AccountPart): Uint8Array {
  const [maxT, ids, tm, next, rules, conc, logs, dd, rg, sp] = part;
  const header: PartHeader = [maxT, ids, next, rules, conc, tm ? tm.length : -1, logs.map(([g, rows]) => [g, rows.length]), dd.length];
  if (rg) header.push(rg.length);
  if (sp) header.push(sp);
  return writePart(header, tm, logs.map(([, rows]) => rows), dd, rg);
}

/**
 * Where parts are cut from: a part is a view of a shared slab, not an ArrayBuffer of its own. A fresh ArrayBuffer of
 * ~1 KB costs ~2-2.6 µs on this machine (zeroed memory from the C heap, counted as external memory), a view of a
 * slab ~0.1 µs; a state write encodes one part per changed account. A part lives until its state write commits (the
 * repositories copy the bytes into their statement), so a kept part keeps at most one slab alive. A part larger than
 * an eighth of a slab gets its own buffer. Parts start 8-aligned, so their float64s are read and written in place.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabF64 = new Float64Array(slab.buffer);
let slabUsed = 0;

/** `n` zeroed bytes at an 8-aligned offset of `slab` (a fresh slab when this one is full), or null when `n` is large. */
function slabPart(n: number): Uint8Array | null {
  if (n > SLAB_BYTES / 8) return null;
  let at = align8(slabUsed);
  if (at + n > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabF64 = new Float64Array(slab.buffer);
    at = 0;
  }
  slabUsed = at + n;
  return slab.subarray(at, at + n);
}

/** A binary part: its header, then the ring times, the rows of each log, the dedupe pairs and the rings as float64s. */
function writePart(header: PartHeader, tm: readonly number[] | null, logs: readonly (readonly number[])[], dd: readonly number[], rg: readonly number[] | undefined): Uint8Array {
  const head = headWriter.reset();
  head.array(header);
  let numbers = (tm ? tm.length : 0) + dd.length + (rg ? rg.length : 0);
  for (let i = 0; i < logs.length; i++) numbers += logs[i]!.length;
  const at = align8(5 + head.length);
  const size = at + numbers * 8;
  const cut = LITTLE_ENDIAN ? slabPart(size) : null;
  const out = cut ?? new Uint8Array(size);
  const hl = head.length;
  out[0] = PART_BINARY;
  out[1] = hl & 0xff;
  out[2] = (hl >>> 8) & 0xff;
  out[3] = (hl >>> 16) & 0xff;
  out[4] = hl >>> 24;
  out.set(head.bytes(), 5);
  // the float64s: in place in the slab, else through a view of the part's own buffer
  const f = cut ? slabF64 : new Float64Array(out.buffer, at, numbers);
  let k = cut ? (out.byteOffset + at) / 8 : 0;
  if (tm) (f.set(tm, k), (k += tm.length));
  for (let i = 0; i < logs.length; i++) (f.set(logs[i]!, k), (k += logs[i]!.length));
  f.set(dd, k);
  if (rg) f.set(rg, k + dd.length);
  if (!LITTLE_ENDIAN) {
    const view = new DataView(out.buffer);
    for (let i = 0; i < numbers; i++) view.setFloat64(at + i * 8, f[i]!, true);
  }
  return out;
}

/** An account part's tuple, binary or (written before the binary encoding) JSON, as it is (no normalising). */
export function decodePartTuple(bytes: Uint8Array): AccountPart {
  if (bytes[0] !== PART_BINARY) return JSON.parse(fromUtf8.decode(bytes)) as AccountPart;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(1, true);
  const [maxT, ids, next, rules, conc, tmLength, logShape, ddLength, rgLength, sp] = JSON.parse(fromUtf8.decode(bytes.subarray(5, 5 + headLength))) as PartHeader;
  let at = align8(5 + headLength);
  const take = (n: number): number[] => {
    const a = new Array<number>(n);
    for (let i = 0; i < n; i++) a[i] = view.getFloat64(at + i * 8, true);
    at += n * 8;
    return a;
  };
  const tm = tmLength >= 0 ? take(tmLength) : null;
  const logs: [number, number[]][] = logShape.map(([g, n]) => [g, take(n)]);
  const part: AccountPart = [maxT, ids, tm, next, rules, conc, logs, take(ddLength)];
  if (rgLength !== undefined) part.push(take(rgLength));
  if (sp) part.push(sp);
  return part;
}

/** An account part (any format a restore accepts) in the plain form, as the classic engine holds it restored. */
export function decodeAccountPart(bytes: Uint8Array, ctx: PartContext): PlainAccount {
  return plainOfTuple(decodePartTuple(bytes), ctx);
}

/**
 * The part's bytes (binary, the current format) of an account in the plain form. Checks that each group's rows
 * are whole rows of its stride in `ctx.plan`.
 */
export function encodeAccountPart(p: PlainAccount, ctx: PartContext): Uint8Array {
  // the header and arrays tupleOfPlain then encodePartTuple would write, without the tuple
  const rules: [number, RuleStateSnapshot][] = new Array(p.levels.length);
  for (let i = 0; i < p.levels.length; i++) rules[i] = [p.levels[i]!.rule, snapshotOf(p.levels[i]!)];
  const conc: [number, ConcurrencySnapshot][] = new Array(p.live.length);
  for (let i = 0; i < p.live.length; i++) {
    const c = p.live[i]!;
    conc[i] = [c.rule, [c.callIds, c.callStarts, c.intervalStarts, c.intervalEnds]];
  }
  const shape: [number, number][] = [];
  const logs: number[][] = [];
  for (const w of p.windows) {
    if (w.rows.length === 0) continue;
    const grp = ctx.plan.groups[w.group];
    if (grp === undefined || w.rows.length % grp.stored.stride !== 0) throw new Error(`account part: rows of window group ${w.group} are not whole rows of the plan's`);
    shape.push([w.group, w.rows.length]);
    logs.push(w.rows);
  }
  const tm = p.ringPairs.length > 0 ? p.ringPairs : null;
  const header: PartHeader = [p.maxT, p.ringIds, p.ringNext, rules, conc, tm ? tm.length : -1, shape, p.dedupe.length];
  const rg = p.callbacks.length > 0 || p.startSeen ? p.callbacks : undefined;
  if (rg) header.push(rg.length);
  if (p.startSeen) header.push(1);
  return writePart(header, tm, logs, p.dedupe, rg);
}

/** A level state as the format's tuple. */
function snapshotOf(l: PlainLevel): RuleStateSnapshot {
  const s: RuleStateSnapshot = [l.baseline, l.period, l.peak, l.warnedAt, l.suspendedAt];
  if (l.weekly !== null) s.push(l.weekly, l.weeklySlot);
  return s;
}

const align8 = (n: number) => (n + 7) & ~7;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- the classic engine's side ----------------------------------------------------------------------------------

/**
 * Account `ix`'s state in `st` in the plain form (what encodeAccount stores). The dedupe and `callbacks` arrays
 * are the engine's own (a sweep prunes the dedupe pairs in place): copy them to keep the value past the engine's
 * next step.
 */
export function plainOf(st: EngineState, ix: number): PlainAccount {
  const levels: PlainLevel[] = [];
  const at = st.rs.at(ix);
  if (at >= 0) {
    const d = st.rs.chunk(at);
    const B = st.rs.base(at);
    const rw = st.rw.get(ix);
    for (let i = 0; i < st.rs.length(ix); i++) {
      const o = B + RS * i;
      const r = d[o]!;
      const hw = rw?.[r] ?? null;
      const cw = d[o + 4]!;
      const cs = d[o + 5]!;
      levels.push({
        rule: r, baseline: d[o + 1]!, period: d[o + 2]!, peak: d[o + 3]!,
        warnedAt: Number.isNaN(cw) ? null : cw, suspendedAt: Number.isNaN(cs) ? null : cs,
        weekly: hw === null ? null : hw.slice(0, HOURS_PER_WEEK), weeklySlot: hw === null ? 0 : hw[HOURS_PER_WEEK]!,
      });
    }
  }
  const live: PlainLive[] = [];
  st.live.forEach((c, k) => {
    if (!c.opened(ix)) return;
    const [callIds, callStarts, intervalStarts, intervalEnds] = c.snapshot(ix);
    live.push({ rule: st.concRules[k]!, callIds, callStarts, intervalStarts, intervalEnds });
  });
  const windows: PlainWindow[] = [];
  st.windows.forEach((w, g) => w.length(ix) > 0 && windows.push({ group: g, rows: w.rows(ix) }));
  return {
    maxT: st.maxT[ix]!,
    startSeen: st.sp[ix] === 1,
    ringIds: st.ringIds.list(ix),
    ringPairs: st.ringTm.toArray(ix) ?? [],
    ringNext: st.ringNext[ix]!,
    levels,
    live,
    windows,
    dedupe: st.legacyDd.get(ix) ?? [],
    callbacks: st.rg.get(ix) ?? [],
  };
}

/**
 * Gives account `ix` (just filed: no state yet) the state of `p`, as a classic restore of its part under the same
 * rules does; `fillDedupe`: the dedupe table takes the keys of `p.dedupe` it lacks. The engine keeps `p`'s dedupe and
 * `callbacks` arrays as its own. Window rows not normalised (plainOfTuple's `forLoad`) load as normalised ones.
 */
export function loadPlain(st: EngineState, ix: number, p: PlainAccount, fillDedupe: boolean): void {
  st.maxT[ix] = p.maxT;
  st.sp[ix] = p.startSeen ? 1 : 0;
  if (p.dedupe.length > 0) st.loadLegacyDedupe(ix, p.dedupe, fillDedupe);
  st.ringIds.setList(ix, p.ringIds);
  st.ringTm.load(ix, p.ringPairs.length > 0 ? p.ringPairs : null);
  st.ringNext[ix] = p.ringNext;
  for (const l of p.levels) {
    const o = addRecord(st.rs, ix, l.rule);
    const view = new RuleState(st.rs.chunk(st.rs.at(ix)), o).load(snapshotOf(l));
    if (view.hw) {
      let rw = st.rw.get(ix);
      if (!rw) st.rw.set(ix, (rw = []));
      rw[l.rule] = view.hw;
    }
  }
  for (const c of p.live) st.concurrency(c.rule).restore(ix, [c.callIds, c.callStarts, c.intervalStarts, c.intervalEnds]);
  for (const w of p.windows) {
    st.windows[w.group]!.use();
    st.windows[w.group]!.load(ix, w.rows);
  }
  if (p.callbacks.length > 0) st.rg.set(ix, p.callbacks);
}
