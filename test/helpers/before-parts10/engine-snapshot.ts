// Frozen copy of src/rules/engine-snapshot.ts as it was on main (1f1926f) before branch parts10 (imports of unchanged modules from src).
// Serialises the fraud engine's state for the ingestion checkpoint, in parts so a checkpoint can write only what
// changed: one SHARED part (version, the partition's latest event time,
// next sweep, last dedupe sweep threshold, the rule set as (id, fingerprint) pairs) and one part PER ACCOUNT (its
// latest event time, evidence ring, level states and live calls keyed by rule index, the live rows of its window
// logs keyed by group index, and a dedupe list that is empty since the horizon is stored as segments). The
// engine-wide dedupe table is rebuilt on restore from the stored dedupe segments (dedupe-segments.ts: the keys
// each state write added), then from the dedupe lists of parts written before segments (each account's own keys),
// all at or after the shared sweep threshold, so segments and parts not rewritten since a sweep still restore
// exactly. The full snapshot is the shared part with every account row and the table's entries (`dk`), so
// restoring from parts and from a full snapshot are the same code. A snapshot taken under other rules restores what still applies and drops the
// rest (log rows move to the new layout, keeping only the bits of unchanged rules). Log rows are stored with one
// column per source (window-columns.ts), whichever columns the engine's rows share: a source no rule of a row reads
// is 0 there, so parts written before sharing restore as they are and builds before it read these. Window cursors
// and aggregates are not stored: the next query rebuilds them, so a round trip is exact. Also used to carry state across
// setRules(). Version 2 (one engine-wide dedupe list) is rejected: its keys cannot be assigned to accounts.
// Encoding: the shared part and the full snapshot are UTF-8 JSON. An account part is binary (first byte
// PART_BINARY): a small JSON header (latest event time, ring ids, level states, live calls, the shape of the arrays)
// followed by the big number arrays (log rows, dedupe keys, ring times) as raw little-endian float64s, which encode
// and decode about ten times faster than JSON and round-trip every double exactly. JSON account parts (written
// before the binary encoding) are still read.
import type { ConcurrencySnapshot } from '../../../src/rules/concurrency-state.js';
import { EngineState, pruneDedupe, ruleFingerprint } from '../../../src/rules/engine-state.js';
import { addRecord, RS, RuleState, WindowPlan, type Group, type RuleStateSnapshot } from '../../../src/rules/rule-state.js';
import type { FraudRule } from '../../../src/rules/types.js';
import { JsonBytes } from '../../../src/rules/json-bytes.js';
import { keptRow } from '../../../src/rules/window-columns.js';

const VERSION = 3;

/** One account's part; `AccountRow` prefixes the id (full snapshot). */
export type AccountPart = [
  maxT: number, ids: string[] | null, tm: number[] | null, next: number,
  rules: [number, RuleStateSnapshot][], conc: [number, ConcurrencySnapshot][], logs: [number, number[]][],
  /** The account's dedupe (key, time) pairs: empty since segments, except in a part restored from before them. */
  dd: number[],
  /** `callbacks` rings; absent in parts written before them. */
  rg?: number[],
  /** 1 when a start event of the account was accepted. */
  sp?: number,
];
type AccountRow = [id: string, ...AccountPart];

interface SharedJson {
  v: number;
  g: number | null;
  ns: number | null;
  sb: number | null;
  rules: [string, string][];
}

interface SnapshotJson extends SharedJson {
  a: AccountRow[];
  /** The dedupe table's (key, time) pairs (absent in snapshots written before segments: the rows carried them). */
  dk?: number[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

function accountPart(ix: number, st: EngineState): AccountPart {
  const rules: [number, RuleStateSnapshot][] = [];
  const at = st.rs.at(ix);
  if (at >= 0) {
    const d = st.rs.chunk(at);
    const B = st.rs.base(at);
    const rw = st.rw.get(ix);
    for (let i = 0; i < st.rs.length(ix); i++) {
      const view = new RuleState(d, B + RS * i);
      const r = d[B + RS * i]!;
      view.hw = rw?.[r] ?? null;
      rules.push([r, view.snapshot()]);
    }
  }
  const conc: [number, ConcurrencySnapshot][] = [];
  st.live.forEach((c, k) => c.opened(ix) && conc.push([st.concRules[k]!, c.snapshot(ix)]));
  const logs: [number, number[]][] = [];
  st.windows.forEach((w, g) => w.length(ix) > 0 && logs.push([g, w.rows(ix)]));
  const rg = st.rg.get(ix);
  const sp = st.sp[ix] === 1;
  const part: AccountPart = [st.maxT[ix]!, st.ringIds.list(ix), st.ringTm.toArray(ix), st.ringNext[ix]!, rules, conc, logs, st.legacyDd.get(ix) ?? []];
  if ((rg && rg.length > 0) || sp) part.push(rg ?? []);
  if (sp) part.push(1);
  return part;
}

function sharedJson(st: EngineState): SharedJson {
  return {
    v: VERSION, g: finite(st.globalMax), ns: finite(st.nextSweep), sb: finite(st.sweptBefore),
    rules: st.rules.map((r) => [r.id, ruleFingerprint(r)]),
  };
}

function encodeState(st: EngineState): SnapshotJson {
  const a: AccountRow[] = [];
  for (const [id, ix] of st.accounts.numbers()) a.push([id, ...accountPart(ix, st)]);
  return { ...sharedJson(st), a, dk: st.dedupe.entries() };
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function encodeSnapshot(st: EngineState): Uint8Array {
  return utf8.encode(JSON.stringify(encodeState(st)));
}

/** The engine-wide part of the state (small: no per-account data). */
export function encodeShared(st: EngineState): Uint8Array {
  return utf8.encode(JSON.stringify(sharedJson(st)));
}

/** One account's part, or null when the engine holds no state for it (never seen, or forgotten). */
export function encodeAccount(st: EngineState, id: string): Uint8Array | null {
  const ix = st.accounts.indexOf(id);
  return ix >= 0 ? encodeAccountPart(accountPart(ix, st)) : null;
}

/**
 * Puts back one account's state as `encodeAccount` took it under the same rules (null: the engine held none), for
 * a dry run of the engine on that account (FraudEngine.evaluateSetup); with `pruneBefore` (a spilled account's
 * stored part, engine-spill.ts), the dedupe keys of a part written before segments older than that are dropped and
 * the table takes those it lacks (since segments a spilled account's keys stay in the table).
 */
export function restoreAccount(st: EngineState, id: string, bytes: Uint8Array | null, pruneBefore?: number): void {
  if (bytes === null) return void st.accounts.delete(id);
  const [maxT, ids, tm, next, rs, conc, logs, dd, rg, sp] = decodeAccountPart(bytes);
  if (pruneBefore !== undefined) pruneDedupe(dd, pruneBefore);
  // filed first: its number is where its state goes (an account held before is released, rows and all)
  const ix = st.accounts.add(id);
  st.maxT[ix] = maxT;
  st.sp[ix] = sp === 1 ? 1 : 0;
  if (dd.length > 0) st.loadLegacyDedupe(ix, dd, pruneBefore !== undefined);
  restoreRing(st, ix, ids, tm, next);
  for (const [i, s] of rs) restoreRule(st, ix, i, s);
  for (const [i, s] of conc) restoreConcurrency(st, ix, i, s);
  for (const [g, rows] of logs) loadLog(st, ix, g, rows);
  if (rg && rg.length > 0) st.rg.set(ix, rg);
}

/** First byte of a binary account part; a JSON part starts with '['. */
const PART_BINARY = 1;

/** Binary header: [maxT, ring ids, ring next, level states, live calls, ring times length, [group, rows length][], dedupe length, rings length?]. */
type PartHeader = [number, string[] | null, number, AccountPart[4], AccountPart[5], number, [number, number][], number, number?, number?];

/** Writes the headers' JSON (the bytes JSON.stringify then UTF-8 give, in a fraction of the time). */
const headWriter = new JsonBytes();

export function encodeAccountPart(part: AccountPart): Uint8Array {
  const [maxT, ids, tm, next, rules, conc, logs, dd, rg, sp] = part;
  const header: PartHeader = [maxT, ids, next, rules, conc, tm ? tm.length : -1, logs.map(([g, rows]) => [g, rows.length]), dd.length];
  if (rg) header.push(rg.length);
  if (sp) header.push(sp);
  const head = headWriter.reset();
  head.array(header);
  const numbers = (tm ? tm.length : 0) + logs.reduce((n, [, rows]) => n + rows.length, 0) + dd.length + (rg ? rg.length : 0);
  const at = align8(5 + head.length);
  const out = new Uint8Array(at + numbers * 8);
  const view = new DataView(out.buffer);
  out[0] = PART_BINARY;
  view.setUint32(1, head.length, true);
  out.set(head.bytes(), 5);
  const f = new Float64Array(out.buffer, at, numbers);
  let k = 0;
  if (tm) (f.set(tm, k), (k += tm.length));
  for (const [, rows] of logs) (f.set(rows, k), (k += rows.length));
  f.set(dd, k);
  if (rg) f.set(rg, k + dd.length);
  if (!LITTLE_ENDIAN) for (let i = 0; i < numbers; i++) view.setFloat64(at + i * 8, f[i]!, true);
  return out;
}

/** An account part, binary or (written before the binary encoding) JSON. */
export function decodeAccountPart(bytes: Uint8Array): AccountPart {
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

const align8 = (n: number) => (n + 7) & ~7;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function checkVersion(v: number): void {
  if (v !== VERSION) throw new Error(`unsupported fraud engine snapshot version ${v} (expected ${VERSION})`);
}

/** Restores a full snapshot. Every account comes back dirty: the caller's store may not hold these parts. */
export function decodeSnapshot(bytes: Uint8Array, rules: readonly FraudRule[], latenessMs: number): EngineState {
  const json = JSON.parse(fromUtf8.decode(bytes)) as SnapshotJson;
  checkVersion(json.v);
  const st = decodeState(json, rules, latenessMs, true);
  for (const ix of st.accounts.numbersInOrder()) st.dirty.add(ix);
  return st;
}

/**
 * Restores the shared part, the account parts and (`dedupe`, in the order written) the stored dedupe segments.
 * Clean unless the rules changed (then every account is dirty). With `dedupe` the horizon is stored, so the next
 * state write stores only the keys added from here; without it (one part carried to other rules, engine-spill.ts)
 * the state is not written.
 */
export function decodeParts(shared: Uint8Array, parts: Iterable<readonly [string, Uint8Array]>, rules: readonly FraudRule[], latenessMs: number, dedupe?: Iterable<Uint8Array>): EngineState {
  const json = JSON.parse(fromUtf8.decode(shared)) as SnapshotJson;
  checkVersion(json.v);
  json.a = [];
  for (const [id, bytes] of parts) json.a.push([id, ...decodeAccountPart(bytes)]);
  return decodeState(json, rules, latenessMs, true, dedupe);
}

/**
 * The same state under a new rule set: state moves by rule id when the rule's fingerprint is unchanged. Every
 * account becomes dirty (its part is re-encoded under the new rule indices and its ring is dropped), and so stay
 * the accounts forgotten since the last checkpoint.
 */
export function withRules(st: EngineState, rules: readonly FraudRule[]): EngineState {
  const next = decodeState(encodeState(st), rules, st.latenessMs, false);
  for (const id of st.dirty.ids()) next.dirty.addId(id);
  for (const ix of next.accounts.numbersInOrder()) next.dirty.add(ix);
  // with the threshold -Infinity, older segments would restore swept keys: `next` has stored none of its horizon
  // (pending null), so its next state write stores the whole table in place of every segment
  next.sweptBefore = Number.NEGATIVE_INFINITY;
  return next;
}

function decodeState(json: SnapshotJson, rules: readonly FraudRule[], latenessMs: number, keepRings: boolean, dedupe?: Iterable<Uint8Array>): EngineState {
  const st = new EngineState(rules, latenessMs);
  st.globalMax = json.g ?? Number.NEGATIVE_INFINITY;
  st.nextSweep = json.ns ?? Number.NEGATIVE_INFINITY;
  const sb = json.sb ?? Number.NEGATIVE_INFINITY;
  st.sweptBefore = sb;
  // the table's own entries first (segments in the order written, or a full snapshot's), then the lists of parts
  // written before segments, which only add the keys it lacks: as the live table, the first time a key was taken wins
  if (dedupe) {
    for (const bytes of dedupe) st.loadSegment(bytes, sb);
    st.pending = [];
  }
  if (json.dk) {
    for (let i = 0; i < json.dk.length; i += 2) if (json.dk[i + 1]! >= sb && !st.dedupe.has(json.dk[i]!)) st.dedupe.add(json.dk[i]!, json.dk[i + 1]!);
  }
  const sameRules = json.rules.length === rules.length && json.rules.every(([id, fp], i) => rules[i]!.id === id && ruleFingerprint(rules[i]!) === fp);
  const map = json.rules.map(([id, fp]) => {
    const i = rules.findIndex((r) => r.id === id);
    return i >= 0 && ruleFingerprint(rules[i]!) === fp ? i : -1;
  });
  const oldPlan = sameRules ? st.plan : new WindowPlan(json.rules.map(([, fp]) => fromFingerprint(fp)));
  for (const [id, maxT, ids, tm, next, rs, conc, logs, dd, rg, sp] of json.a) {
    const ix = st.accounts.add(id);
    st.maxT[ix] = maxT;
    st.sp[ix] = sp === 1 ? 1 : 0;
    if (rg && rg.length > 0 && st.ringKeepMs > 0) st.rg.set(ix, rg);
    if (dd.length > 0) {
      pruneDedupe(dd, sb);
      st.loadLegacyDedupe(ix, dd, true);
    }
    if (sameRules && keepRings) restoreRing(st, ix, ids, tm, next);
    for (const [i, s] of rs) {
      const to = map[i]!;
      if (to >= 0) restoreRule(st, ix, to, s);
    }
    for (const [i, s] of conc) {
      const to = map[i]!;
      if (to >= 0 && st.concSlot[to]! >= 0) restoreConcurrency(st, ix, to, s);
    }
    if (sameRules) {
      for (const [g, rows] of logs) loadLog(st, ix, g, rows);
    } else {
      for (const [g, rows] of logs) moveRows(st, ix, oldPlan.groups[g]!, rows, map);
    }
  }
  if (!sameRules) {
    // Under other rules the parts in a store no longer match the rule indices, and the sweep threshold may move
    // back: rewrite every account at the next checkpoint.
    for (const ix of st.accounts.numbersInOrder()) st.dirty.add(ix);
    st.sweptBefore = Number.NEGATIVE_INFINITY;
    st.pending = null;
  }
  return st;
}

/** A stored log's rows into the account's region of group `g`. */
function loadLog(st: EngineState, ix: number, g: number, rows: number[]): void {
  st.windows[g]!.use();
  st.windows[g]!.load(ix, rows);
}

/** A stored ring (ids by entry, (time, mask) pairs, next entry) into the account's columns. */
function restoreRing(st: EngineState, ix: number, ids: string[] | null, tm: number[] | null, next: number): void {
  st.ringIds.setList(ix, ids);
  st.ringTm.load(ix, tm);
  st.ringNext[ix] = next;
}

function restoreRule(st: EngineState, ix: number, r: number, s: RuleStateSnapshot): void {
  const o = addRecord(st.rs, ix, r);
  const view = new RuleState(st.rs.chunk(st.rs.at(ix)), o).load(s);
  if (view.hw) {
    let rw = st.rw.get(ix);
    if (!rw) st.rw.set(ix, (rw = []));
    rw[r] = view.hw;
  }
}

function restoreConcurrency(st: EngineState, ix: number, r: number, s: ConcurrencySnapshot): void {
  st.concurrency(r).restore(ix, s);
}

/** The parts of a rule its window layout depends on (its columns, and which rules it never matches with), recovered from its fingerprint. */
function fromFingerprint(fp: string): FraudRule {
  const [match, measure, windowMs, rangeDigits] = JSON.parse(fp) as [FraudRule['match'], FraudRule['measure'], number | null, number];
  return { match, measure, windowMs, rangeDigits } as FraudRule;
}

/**
 * Re-files one old group's stored rows under the new layout, keeping the bits of rules that survived unchanged.
 * A source the old row stored as 0 (shared, and read by no rule of the row) is read by no surviving rule of it.
 */
function moveRows(st: EngineState, ix: number, old: Group, rows: number[], map: number[]): void {
  const plan = st.plan;
  for (let p = 0; p < rows.length; p += old.stored.stride) {
    const mask = old.stored.maskCol < 0 ? 1 : rows[p + old.stored.maskCol]!;
    const out = new Map<number, number[]>();
    for (let s = 0; s < old.rules.length; s++) {
      if ((mask & (1 << s)) === 0) continue;
      const r = map[old.rules[s]!]!;
      if (r < 0) continue;
      const g = plan.groupOf[r]!;
      const grp = plan.groups[g]!;
      let row = out.get(g);
      if (!row) {
        row = new Array<number>(grp.stored.stride).fill(0);
        row[0] = rows[p]!;
        grp.cols.forEach((c, k) => {
          const i = old.cols.findIndex((x) => x.src === c.src && (x.src !== 'range' || x.digits === (c as { digits: number }).digits));
          if (i >= 0) row![k + 1] = rows[p + i + 1]!;
        });
        out.set(g, row);
      }
      if (grp.stored.maskCol >= 0) row[grp.stored.maskCol] = row[grp.stored.maskCol]! | (1 << plan.slotOf[r]!);
    }
    for (const [g, row] of out) {
      const grp = plan.groups[g]!;
      st.windows[g]!.use();
      st.windows[g]!.insert(ix, keptRow(grp.stored, row, 0, grp.stride, grp.maskCol));
    }
  }
}
