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
// before the binary encoding) are still read. An account part's bytes and their meaning are account-part.ts's: an
// account is written through its plain form (PlainAccount: plainOf, then encodeAccountPart) and restored from the
// store through it (decodeParts, decodeSnapshot and withRules under the same rules: loadPlain), as an engine of
// another layout reads and writes parts; restoreAccount (one account, for a dry run or a spilled account) stays
// direct, and gives the same state (test/unit/rules/account-part.test.ts).
import { decodePartTuple, encodeAccountPart as encodePlain, loadPlain, plainOf, plainOfTuple, tupleOfPlain, type AccountPart, type PlainAccount } from './account-part.js';
import type { ConcurrencySnapshot } from './concurrency-state.js';
import { EngineState, pruneDedupe, ruleFingerprint } from './engine-state.js';
import { addRecord, RuleState, WindowPlan, type Group, type RuleStateSnapshot } from './rule-state.js';
import type { FraudRule } from './types.js';
import { keptRow } from './window-columns.js';

export type { AccountPart } from './account-part.js';
/** An account part's tuple as it is, to and from its bytes (the names tests and older code use; account-part.ts). */
export { decodePartTuple as decodeAccountPart, encodePartTuple as encodeAccountPart } from './account-part.js';

const VERSION = 3;

/** A full snapshot's account row: the id, then the account's part. */
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
  return tupleOfPlain(plainOf(st, ix));
}

/** What the shared part holds, of an engine of any layout (EngineState, or the fused engine's fields). */
export interface SharedFields {
  readonly globalMax: number;
  readonly nextSweep: number;
  readonly sweptBefore: number;
  readonly rules: readonly FraudRule[];
}

function sharedJson(st: SharedFields): SharedJson {
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
export function encodeShared(st: SharedFields): Uint8Array {
  return utf8.encode(JSON.stringify(sharedJson(st)));
}

/**
 * A full snapshot's bytes from an engine of another layout (the fused engine): the shared fields, each account in
 * the plain form (in the engine's account order), and the dedupe table's (key, time) pairs. The bytes encodeSnapshot
 * writes for a classic engine holding the same.
 */
export function encodeSnapshotOf(shared: SharedFields, accounts: Iterable<readonly [string, PlainAccount]>, dk: number[]): Uint8Array {
  const a: AccountRow[] = [];
  for (const [id, plain] of accounts) a.push([id, ...tupleOfPlain(plain)]);
  return utf8.encode(JSON.stringify({ ...sharedJson(shared), a, dk }));
}

/** One account's part, or null when the engine holds no state for it (never seen, or forgotten). */
export function encodeAccount(st: EngineState, id: string): Uint8Array | null {
  const ix = st.accounts.indexOf(id);
  return ix >= 0 ? encodePlain(plainOf(st, ix), st) : null;
}

/**
 * Puts back one account's state as `encodeAccount` took it under the same rules (null: the engine held none), for
 * a dry run of the engine on that account (FraudEngine.evaluateSetup); with `pruneBefore` (a spilled account's
 * stored part, engine-spill.ts), the dedupe keys of a part written before segments older than that are dropped and
 * the table takes those it lacks (since segments a spilled account's keys stay in the table).
 */
export function restoreAccount(st: EngineState, id: string, bytes: Uint8Array | null, pruneBefore?: number): void {
  if (bytes === null) return void st.accounts.delete(id);
  // Direct, not through the plain form (loadPlain of decodeAccountPart, which gives the same state: account-part.test.ts):
  // building the plain value cost ~4% of a restore (bench/parts-ab.ts), and evaluateSetup's dry run restores one
  // account per request.
  const [maxT, ids, tm, next, rs, conc, logs, dd, rg, sp] = decodePartTuple(bytes);
  if (pruneBefore !== undefined) pruneDedupe(dd, pruneBefore);
  // filed first: its number is where its state goes (an account held before is released, rows and all)
  const ix = st.accounts.add(id);
  st.maxT[ix] = maxT;
  st.sp[ix] = sp === 1 ? 1 : 0;
  if (dd.length > 0) st.loadLegacyDedupe(ix, dd, pruneBefore !== undefined);
  st.ringIds.setList(ix, ids);
  st.ringTm.load(ix, tm);
  st.ringNext[ix] = next;
  for (const [i, s] of rs) restoreRule(st, ix, i, s);
  for (const [i, s] of conc) restoreConcurrency(st, ix, i, s);
  for (const [g, rows] of logs) {
    st.windows[g]!.use();
    st.windows[g]!.load(ix, rows);
  }
  if (rg && rg.length > 0) st.rg.set(ix, rg);
}

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
  for (const [id, bytes] of parts) json.a.push([id, ...decodePartTuple(bytes)]);
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
  if (sameRules) {
    // each account through its plain form, as restoreAccount (the ring only when kept; `callbacks` rings only while
    // a rule reads them)
    const ctx = { plan: st.plan, pruneBefore: sb };
    for (const [id, ...part] of json.a) {
      const plain = plainOfTuple(part, ctx, true);
      if (!keepRings) {
        plain.ringIds = null;
        plain.ringPairs = [];
        plain.ringNext = 0;
      }
      if (st.ringKeepMs <= 0) plain.callbacks = [];
      loadPlain(st, st.accounts.add(id), plain, true);
    }
    return st;
  }
  const oldPlan = new WindowPlan(json.rules.map(([, fp]) => fromFingerprint(fp)));
  // under other rules: what still applies, by rule id (rings dropped: their masks hold old rule indices)
  for (const [id, maxT, , , , rs, conc, logs, dd, rg, sp] of json.a) {
    const ix = st.accounts.add(id);
    st.maxT[ix] = maxT;
    st.sp[ix] = sp === 1 ? 1 : 0;
    if (rg && rg.length > 0 && st.ringKeepMs > 0) st.rg.set(ix, rg);
    if (dd.length > 0) {
      pruneDedupe(dd, sb);
      st.loadLegacyDedupe(ix, dd, true);
    }
    for (const [i, s] of rs) {
      const to = map[i]!;
      if (to >= 0) restoreRule(st, ix, to, s);
    }
    for (const [i, s] of conc) {
      const to = map[i]!;
      if (to >= 0 && st.concSlot[to]! >= 0) restoreConcurrency(st, ix, to, s);
    }
    for (const [g, rows] of logs) moveRows(st, ix, oldPlan.groups[g]!, rows, map);
  }
  // Under other rules the parts in a store no longer match the rule indices, and the sweep threshold may move
  // back: rewrite every account at the next checkpoint.
  for (const ix of st.accounts.numbersInOrder()) st.dirty.add(ix);
  st.sweptBefore = Number.NEGATIVE_INFINITY;
  st.pending = null;
  return st;
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
