// Serialises the fraud engine's state for the ingestion checkpoint: JSON of flat number arrays, UTF-8 encoded.
// Rule states are keyed by rule id and fingerprint, so a snapshot taken under other rules restores what still
// applies and drops the rest. Restoring rebuilds the window aggregates from the events, so a round trip is exact.
import { EngineState, ruleFingerprint, type AccountState } from './engine-state.js';
import { RuleState, type RuleStateSnapshot } from './rule-state.js';
import type { FraudRule } from './types.js';

const VERSION = 1;

type AccountRow = [id: string, maxT: number, ids: string[] | null, times: number[] | null, masks: number[] | null, next: number, rules: [number, RuleStateSnapshot][]];

interface SnapshotJson {
  v: number;
  g: number | null;
  ns: number | null;
  rules: [string, string][];
  dd: number[];
  a: AccountRow[];
}

const finite = (x: number) => (Number.isFinite(x) ? x : null);

export function encodeSnapshot(st: EngineState): Uint8Array {
  const dd = st.dedupe.entries();
  const a: AccountRow[] = [];
  for (const [id, acct] of st.accounts) {
    const rules: [number, RuleStateSnapshot][] = [];
    acct.rs.forEach((s, i) => s && rules.push([i, s.snapshot()]));
    a.push([id, acct.maxT, acct.ringIds, acct.ringTimes, acct.ringMasks, acct.ringNext, rules]);
  }
  const json: SnapshotJson = {
    v: VERSION, g: finite(st.globalMax), ns: finite(st.nextSweep),
    rules: st.rules.map((r) => [r.id, ruleFingerprint(r)]), dd, a,
  };
  return new TextEncoder().encode(JSON.stringify(json));
}

export function decodeSnapshot(bytes: Uint8Array, rules: readonly FraudRule[], latenessMs: number): EngineState {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotJson;
  if (json.v !== VERSION) throw new Error(`unknown fraud engine snapshot version ${json.v}`);
  const st = new EngineState(rules, latenessMs);
  st.globalMax = json.g ?? Number.NEGATIVE_INFINITY;
  st.nextSweep = json.ns ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < json.dd.length; i += 2) st.dedupe.add(json.dd[i]!, json.dd[i + 1]!);
  const sameRules = json.rules.length === rules.length && json.rules.every(([id, fp], i) => rules[i]!.id === id && ruleFingerprint(rules[i]!) === fp);
  const map = json.rules.map(([id, fp]) => {
    const i = rules.findIndex((r) => r.id === id);
    return i >= 0 && ruleFingerprint(rules[i]!) === fp ? i : -1;
  });
  for (const [id, maxT, ids, times, masks, next, rs] of json.a) {
    const acct: AccountState = sameRules
      ? { maxT, rs: [], ringIds: ids, ringTimes: times, ringMasks: masks, ringNext: next }
      : { maxT, rs: [], ringIds: null, ringTimes: null, ringMasks: null, ringNext: 0 };
    for (const [i, s] of rs) {
      const to = map[i]!;
      if (to >= 0) acct.rs[to] = RuleState.restore(rules[to]!, s);
    }
    st.accounts.set(id, acct);
  }
  return st;
}
