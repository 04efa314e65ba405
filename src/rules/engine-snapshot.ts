// Serialises the fraud engine's state for the ingestion checkpoint: JSON of flat number arrays, UTF-8 encoded.
// Per account: its latest event time, evidence ring, level states and live calls keyed by rule index, and the live
// rows of its window logs keyed by group index. The rule set is recorded as (id, fingerprint) pairs, so a snapshot
// taken under other rules restores what still applies and drops the rest (log rows move to the new layout, keeping
// only the bits of unchanged rules). Window cursors and aggregates are not stored: the next query rebuilds them,
// so a round trip is exact. Also used to carry state across setRules().
import { ConcurrencyState, type ConcurrencySnapshot } from './concurrency-state.js';
import { AccountState, EngineState, ruleFingerprint } from './engine-state.js';
import { RuleState, WindowPlan, type Group, type RuleStateSnapshot } from './rule-state.js';
import type { FraudRule } from './types.js';
import { GroupLog } from './window-state.js';

const VERSION = 2;

type AccountRow = [
  id: string, maxT: number, ids: string[] | null, tm: number[] | null, next: number,
  rules: [number, RuleStateSnapshot][], conc: [number, ConcurrencySnapshot][], logs: [number, number[]][],
];

interface SnapshotJson {
  v: number;
  g: number | null;
  ns: number | null;
  rules: [string, string][];
  dd: number[];
  a: AccountRow[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

function accountRow(id: string, acct: AccountState, plan: WindowPlan): AccountRow {
  const rules: [number, RuleStateSnapshot][] = [];
  acct.rs?.forEach((s, i) => s && rules.push([i, s.snapshot()]));
  const conc: [number, ConcurrencySnapshot][] = [];
  acct.cc?.forEach((s, i) => s && conc.push([i, s.snapshot()]));
  const logs: [number, number[]][] = [];
  acct.logs?.forEach((g, i) => g && g.length > 0 && logs.push([i, g.rows(plan.groups[i]!)]));
  return [id, acct.maxT, acct.ringIds, acct.ringTm, acct.ringNext, rules, conc, logs];
}

function encodeState(st: EngineState): SnapshotJson {
  const a: AccountRow[] = [];
  for (const [id, acct] of st.accounts) a.push(accountRow(id, acct, st.plan));
  return {
    v: VERSION, g: finite(st.globalMax), ns: finite(st.nextSweep),
    rules: st.rules.map((r) => [r.id, ruleFingerprint(r)]), dd: st.dedupe.entries(), a,
  };
}

export function encodeSnapshot(st: EngineState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(encodeState(st)));
}

export function decodeSnapshot(bytes: Uint8Array, rules: readonly FraudRule[], latenessMs: number): EngineState {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotJson;
  if (json.v !== VERSION) throw new Error(`unknown fraud engine snapshot version ${json.v}`);
  return decodeState(json, rules, latenessMs, true);
}

/** The same state under a new rule set: state moves by rule id when the rule's fingerprint is unchanged. */
export function withRules(st: EngineState, rules: readonly FraudRule[]): EngineState {
  return decodeState(encodeState(st), rules, st.latenessMs, false);
}

function decodeState(json: SnapshotJson, rules: readonly FraudRule[], latenessMs: number, keepRings: boolean): EngineState {
  const st = new EngineState(rules, latenessMs);
  st.globalMax = json.g ?? Number.NEGATIVE_INFINITY;
  st.nextSweep = json.ns ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < json.dd.length; i += 2) st.dedupe.add(json.dd[i]!, json.dd[i + 1]!);
  const sameRules = json.rules.length === rules.length && json.rules.every(([id, fp], i) => rules[i]!.id === id && ruleFingerprint(rules[i]!) === fp);
  const map = json.rules.map(([id, fp]) => {
    const i = rules.findIndex((r) => r.id === id);
    return i >= 0 && ruleFingerprint(rules[i]!) === fp ? i : -1;
  });
  const oldPlan = sameRules ? st.plan : new WindowPlan(json.rules.map(([, fp]) => fromFingerprint(fp)));
  for (const [id, maxT, ids, tm, next, rs, conc, logs] of json.a) {
    const acct = new AccountState();
    acct.maxT = maxT;
    if (sameRules && keepRings) [acct.ringIds, acct.ringTm, acct.ringNext] = [ids, tm, next];
    for (const [i, s] of rs) {
      const to = map[i]!;
      if (to >= 0) (acct.rs ??= [])[to] = RuleState.restore(s);
    }
    for (const [i, s] of conc) {
      const to = map[i]!;
      if (to >= 0) (acct.cc ??= [])[to] = ConcurrencyState.restore(s);
    }
    if (sameRules) {
      for (const [g, rows] of logs) (acct.logs ??= st.plan.groups.map(() => null))[g] = GroupLog.fromRows(st.plan.groups[g]!, rows);
    } else {
      for (const [g, rows] of logs) moveRows(acct, oldPlan.groups[g]!, rows, map, st.plan);
    }
    st.accounts.set(id, acct);
  }
  return st;
}

/** The parts of a rule its window layout depends on, recovered from its fingerprint. */
function fromFingerprint(fp: string): FraudRule {
  const [, measure, windowMs, rangeDigits] = JSON.parse(fp) as [unknown, FraudRule['measure'], number | null, number];
  return { measure, windowMs, rangeDigits } as FraudRule;
}

/** Re-files one old group's rows under the new layout, keeping the bits of rules that survived unchanged. */
function moveRows(acct: AccountState, old: Group, rows: number[], map: number[], plan: WindowPlan): void {
  for (let p = 0; p < rows.length; p += old.stride) {
    const mask = old.maskCol < 0 ? 1 : rows[p + old.maskCol]!;
    const out = new Map<number, number[]>();
    for (let s = 0; s < old.rules.length; s++) {
      if ((mask & (1 << s)) === 0) continue;
      const r = map[old.rules[s]!]!;
      if (r < 0) continue;
      const g = plan.groupOf[r]!;
      const grp = plan.groups[g]!;
      let row = out.get(g);
      if (!row) {
        row = new Array<number>(grp.stride).fill(0);
        row[0] = rows[p]!;
        grp.cols.forEach((c, k) => {
          const i = old.cols.findIndex((x) => x.src === c.src && (x.src !== 'range' || x.digits === (c as { digits: number }).digits));
          if (i >= 0) row![k + 1] = rows[p + i + 1]!;
        });
        out.set(g, row);
      }
      if (grp.maskCol >= 0) row[grp.maskCol] = row[grp.maskCol]! | (1 << plan.slotOf[r]!);
    }
    for (const [g, row] of out) {
      const logs = (acct.logs ??= plan.groups.map(() => null));
      (logs[g] ??= new GroupLog(plan.groups[g]!)).insert(plan.groups[g]!, row);
    }
  }
}
