// Which of the rules a CDR matched it counts for, beyond the match itself (issue 12, docs/rules.md): decisions at
// set-up (a call counts once, at whichever of its start event and end record is accepted first), call-backs
// (`callbacks`: the callee rang the account within the window) and callers (`distinct_callers`). Also the rings the
// call-backs are judged against, and the call-time helpers the engine shares. Pure.
import type { CdrRecord } from '../events/types.js';
import type { EngineState } from './engine-state.js';
import { hash53 } from './hash.js';
import { DEFAULT_SHORT_CALL_MS } from './rule-map.js';
import { append3, cut } from './tight-array.js';
import type { FraudRule } from './types.js';

/** A record's event time: a start event's `startedAt`; an end record's `endedAt` (else answeredAt/startedAt + duration). */
export function eventTime(cdr: CdrRecord): number {
  if (cdr.phase === 'start') return cdr.startedAt;
  if (cdr.endedAt !== null) return cdr.endedAt;
  return (cdr.answeredAt ?? cdr.startedAt) + (cdr.durationSec ?? 0) * 1000;
}

/** Answered seconds: the record's duration, else end - answer, else 0. */
export function durationSec(cdr: CdrRecord): number {
  if (cdr.durationSec !== null) return cdr.durationSec;
  if (cdr.endedAt !== null && cdr.answeredAt !== null) return Math.max(0, (cdr.endedAt - cdr.answeredAt) / 1000);
  return 0;
}

/**
 * Keeps, of the `matched` rule indices in `ids`, those the record counts for, compacting `ids`; returns how many.
 * - a start event counts for the rules that decide at set-up (EngineState.atSetup) and for concurrency, unless its
 *   end record came first; an end record no longer counts for the set-up rules once its start was accepted;
 * - `callbacks` counts an outbound call only when its callee rang the account within the window;
 * - `distinct_callers` counts only calls with a caller.
 * `calleeKey` is hash53 of the callee (the engine computes it once per record).
 */
export function countingRules(st: EngineState, ix: number, cdr: CdrRecord, ids: number[], matched: number, calleeKey: () => number): number {
  const start = cdr.phase === 'start';
  let startSeen: boolean | null = null;
  let endSeen: boolean | null = null;
  let n = 0;
  for (let i = 0; i < matched; i++) {
    const r = ids[i]!;
    const rule = st.rules[r]!;
    if (start) {
      if (!st.atSetup[r] && rule.measure !== 'concurrent_calls') continue;
      if (st.atSetup[r] && (endSeen ??= st.dedupe.has(hash53(cdr.id, 0)))) continue;
    } else if (st.atSetup[r] && st.sp[ix] === 1) {
      // only accounts that ever sent a start event pay for this probe
      startSeen ??= st.dedupe.has(hash53(cdr.id, 1));
      if (startSeen) continue;
    }
    if (rule.measure === 'callbacks' && !isCallback(st, ix, cdr, rule, calleeKey)) continue;
    if (rule.measure === 'distinct_callers' && cdr.caller === null) continue;
    ids[n++] = r;
  }
  return n;
}

/** Records an inbound end record that was unanswered or short (a "ring") for the `callbacks` rules. */
export function recordRing(st: EngineState, ix: number, cdr: CdrRecord, wm: number): void {
  const answered = cdr.disposition === 'answered' || (cdr.disposition === null && (cdr.durationSec ?? 0) > 0);
  const answeredMs = answered ? durationSec(cdr) * 1000 : 0;
  if (answeredMs > st.maxShortCallMs) return;
  let rg = st.rg.get(ix) ?? null;
  const before = wm - st.ringKeepMs;
  let drop = 0;
  while (rg && drop < rg.length && rg[drop + 1]! < before) drop += 3;
  if (drop > 0) rg = cut(rg!, 0, drop);
  st.rg.set(ix, append3(rg, hash53(cdr.caller!), cdr.startedAt, answeredMs));
}

/** Whether an outbound call's callee rang the account (short enough for the rule) within the rule's window before it. */
function isCallback(st: EngineState, ix: number, cdr: CdrRecord, rule: FraudRule, calleeKey: () => number): boolean {
  const rg = st.rg.get(ix);
  if (cdr.direction !== 'outbound' || !rg) return false;
  const key = calleeKey();
  const from = cdr.startedAt - rule.windowMs!;
  const shortMs = rule.shortCallMs ?? DEFAULT_SHORT_CALL_MS;
  for (let j = rg.length - 3; j >= 0; j -= 3) {
    if (rg[j] === key && rg[j + 1]! >= from && rg[j + 1]! <= cdr.startedAt && rg[j + 2]! <= shortMs) return true;
  }
  return false;
}
