// The engine's side of the memory budget (issue 17, "never out of memory"): what the ingest's budget keeper
// (src/ingest/engine-memory.ts) may do to one partition's engine state, and nothing more. It may list the accounts
// in memory with their latest event time; forget a CLEAN account (its stored part is current) without marking it
// dirty, so the checkpoint does not delete its part; put a stored part back before the account's next record; mark
// the stored part of an account it holds no state for as gone (the idle sweep forgot it while spilled); and read the
// thresholds of the last sweep. A spilled account's dedupe keys stay in the engine-wide table (the table is swept by
// event time, not by account), so a duplicate of its records is still a duplicate while it is out, and a CDR id
// reused by another account is judged as in an unbounded run (after a restart the table is read from the stored
// dedupe segments at once; only a part written before segments lists keys, which come back with its account). A part stored under older rules is carried through each rule change in turn, as
// withRules() carries an account in memory, and comes back dirty.
// This is the only file outside engine-state.ts / engine-snapshot.ts that knows the account layout. Pure.
import { engineBytes, type StateBytes } from './account-bytes.js';
import { decodeParts, encodeAccount, encodeShared, restoreAccount } from './engine-snapshot.js';
import { GLOBAL_SKEW_MS, ruleFingerprint, type EngineState } from './engine-state.js';
import type { FraudRule } from './types.js';

/**
 * Heap and array buffers held per account in memory in an engine's first hours: measured with the shipped rules
 * after the engine's rows were packed, the dedupe table kept 0.6-0.75 full and the accounts' own dedupe key lists
 * dropped (bench/README.md, Engine, "Issue 17 item 1", rounds 6, 7 and 8: ~96 B of JS heap and 1,135 B of buffers
 * per active account, 100,000 accounts with 10 CDRs each; under 1 KB at a million accounts with 4). The budget's
 * prior: what it assumes of accounts it has not measured yet (an empty engine, a restart's stored accounts). Once
 * an engine holds accounts the budget counts what its stores hold (`bytes()`, account-bytes.ts engineBytes), which
 * grows over a day.
 */
export const BYTES_PER_ACCOUNT = 1_250;

/** The thresholds of the engine's last idle sweep: dedupe keys below `pruneBefore` and accounts idle before `idleBefore` are gone. */
export interface SweepMark {
  pruneBefore: number;
  idleBefore: number;
}

/**
 * One rule change a stored part must go through on load: `from` is a shared part written under the rules the part
 * is under (it carries their fingerprints), `to` the rules after. `rulesChanged`: a change of the live engine
 * (withRules: rings dropped, the account rewritten even when the rules are the same); else a restore from the store
 * under other rules (restoreParts).
 */
export interface CarryStep {
  from: Uint8Array;
  to: readonly FraudRule[];
  rulesChanged: boolean;
}

export interface SpillableEngine {
  /** What the engine's state holds now: bytes spilling does not release, and bytes that leave with the accounts. */
  bytes(): StateBytes;
  /** The rules the engine's state is kept under now (the parts it writes are under them). */
  rules(): readonly FraudRule[];
  /** The engine-wide part now: it names the rules the parts written now are under. */
  shared(): Uint8Array;
  /** Whether parts written with the shared part `shared` are under the engine's rules (nothing to carry). */
  sameRules(shared: Uint8Array): boolean;
  /** Every account in memory: its latest event time, and whether its stored part is current (not dirty). */
  forEachAccount(fn: (id: string, maxT: number, clean: boolean) => void): void;
  /** Drops a clean account from memory (not dirty: its stored part stays). False when dirty or absent. */
  forget(id: string): boolean;
  /**
   * Puts back an account's stored part, its dedupe keys pruned below `pruneBefore` (and added to the engine-wide
   * table where missing, for parts not restored since a restart), carried through `steps` (empty: the part is under
   * the current rules). A carried part comes back dirty.
   */
  load(id: string, part: Uint8Array, pruneBefore: number, steps: readonly CarryStep[]): void;
  /** A stored part carried through `steps` without loading it (a stored part rewritten under the current rules). */
  carry(id: string, part: Uint8Array, steps: readonly CarryStep[]): Uint8Array;
  /** The account (not in memory) was forgotten: its stored part is deleted at the next checkpoint. */
  dropStored(id: string): void;
  /** The last sweep's thresholds, or null when none is known (no sweep yet, or the rules changed since). */
  lastSweep(): SweepMark | null;
}

/** The spill view of an engine whose state object may be replaced (restore, setRules): `state()` is read each call. */
export function spillableState(state: () => EngineState): SpillableEngine {
  return {
    bytes: () => engineBytes(state()),
    rules: () => state().rules,
    shared: () => encodeShared(state()),
    sameRules: (shared) => sameRulesOf(shared, state().rules),
    forEachAccount(fn) {
      const st = state();
      for (const [id, ix] of st.accounts.numbers()) fn(id, st.maxT[ix]!, !st.dirty.hasAt(ix));
    },
    forget: (id) => state().forget(id),
    load(id, part, pruneBefore, steps) {
      const st = state();
      restoreAccount(st, id, carryPart(id, part, steps, st.latenessMs), pruneBefore);
      if (steps.length > 0) st.dirty.addId(id);
    },
    carry: (id, part, steps) => carryPart(id, part, steps, state().latenessMs),
    dropStored(id) {
      const st = state();
      if (!st.accounts.has(id)) st.dirty.addId(id);
    },
    lastSweep() {
      const st = state();
      return sweepMarkOf(st.sweptBefore, st.latenessMs, st.maxWindowMs, st.idleMs);
    },
  };
}

/** Whether parts written with the shared part `shared` are under `rules` (the same ids and fingerprints, in order). */
export function sameRulesOf(shared: Uint8Array, now: readonly FraudRule[]): boolean {
  const rules = (JSON.parse(new TextDecoder().decode(shared)) as { rules: [string, string][] }).rules;
  return rules.length === now.length && rules.every(([id, fp], i) => now[i]!.id === id && ruleFingerprint(now[i]!) === fp);
}

/**
 * The thresholds of an engine's last sweep from its dedupe threshold `sweptBefore` (null: none known). A sweep sets
 * sweptBefore = globalMax - lateness - maxWindow - skew and idleBefore = globalMax - idleMs, at once.
 */
export function sweepMarkOf(sweptBefore: number, latenessMs: number, maxWindowMs: number, idleMs: number): SweepMark | null {
  if (!Number.isFinite(sweptBefore)) return null;
  const globalMax = sweptBefore + latenessMs + maxWindowMs + GLOBAL_SKEW_MS;
  return { pruneBefore: sweptBefore, idleBefore: globalMax - idleMs };
}

/** One account part carried through `steps` in turn (none: the part as it is). */
export function carryPart(id: string, part: Uint8Array, steps: readonly CarryStep[], latenessMs: number): Uint8Array {
  let bytes = part;
  for (const step of steps) bytes = carryStep(id, bytes, step, latenessMs);
  return bytes;
}

/** One account part moved to the next rule set, as withRules() (or restoreParts()) moves an account. */
function carryStep(id: string, part: Uint8Array, step: CarryStep, latenessMs: number): Uint8Array {
  const st = decodeParts(step.from, [[id, part]], step.to, latenessMs);
  if (step.rulesChanged) {
    const ix = st.accounts.indexOf(id);
    st.ringIds.free(ix);
    st.ringTm.free(ix);
    st.ringNext[ix] = 0;
  }
  return encodeAccount(st, id)!;
}

/** The latest event time in an account part, read from its head only (binary or JSON part). */
export function partMaxT(head: Uint8Array): number {
  const text = new TextDecoder('latin1').decode(head[0] === 1 ? head.subarray(5) : head);
  const m = /^\[(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/.exec(text);
  if (!m) throw new Error('not an engine account part');
  return Number(m[1]);
}
