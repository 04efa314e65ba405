// The engine's side of the memory budget (issue 17, "never out of memory"): what the ingest's budget keeper
// (src/ingest/engine-memory.ts) may do to one partition's engine state, and nothing more. It may list the accounts
// in memory with their latest event time; forget a CLEAN account (its stored part is current) without marking it
// dirty, so the checkpoint does not delete its part; put a stored part back before the account's next record; mark
// the stored part of an account it holds no state for as gone (the idle sweep forgot it while spilled); and read the
// thresholds of the last sweep. A spilled account's dedupe keys stay in the engine-wide table (the table is swept by
// event time, not by account), so a duplicate of its records is still a duplicate while it is out, and a CDR id
// reused by another account is judged as in an unbounded run. A part stored under older rules is carried through
// each rule change in turn, as withRules() carries an account in memory, and comes back dirty.
// This is the only file outside engine-state.ts / engine-snapshot.ts that knows the account layout. Pure.
import { decodeParts, encodeAccount, encodeShared, restoreAccount } from './engine-snapshot.js';
import { EngineState, GLOBAL_SKEW_MS, pruneDedupe } from './engine-state.js';
import type { FraudRule } from './types.js';

/**
 * Heap held per account in memory: measured with the shipped rules (bench/README.md, Engine, 29 November: 4,418 B
 * of JS heap and 336 B of buffers per active account). The budget is counted in accounts of this size; a more
 * compact engine lowers it.
 */
export const BYTES_PER_ACCOUNT = 4_750;

/** The thresholds of the engine's last idle sweep: dedupe keys below `pruneBefore` and accounts idle before `idleBefore` are gone. */
export interface SweepMark {
  pruneBefore: number;
  idleBefore: number;
}

export interface SpillableEngine {
  readonly bytesPerAccount: number;
  /** The rules the engine's state is kept under now (the parts it writes are under them). */
  rules(): readonly FraudRule[];
  /** Every account in memory: its latest event time, and whether its stored part is current (not dirty). */
  forEachAccount(fn: (id: string, maxT: number, clean: boolean) => void): void;
  /** Drops a clean account from memory (not dirty: its stored part stays). False when dirty or absent. */
  forget(id: string): boolean;
  /**
   * Puts back an account's stored part, its dedupe keys pruned below `pruneBefore`. `rulesSince` lists the rule
   * sets the part went through, the one it was written under first (empty: written under the current rules).
   */
  load(id: string, part: Uint8Array, pruneBefore: number, rulesSince: readonly (readonly FraudRule[])[]): void;
  /** The account (not in memory) was forgotten: its stored part is deleted at the next checkpoint. */
  dropStored(id: string): void;
  /** The last sweep's thresholds, or null when none is known (no sweep yet, or the rules changed since). */
  lastSweep(): SweepMark | null;
}

/** The spill view of an engine whose state object may be replaced (restore, setRules): `state()` is read each call. */
export function spillableState(state: () => EngineState): SpillableEngine {
  return {
    bytesPerAccount: BYTES_PER_ACCOUNT,
    rules: () => state().rules,
    forEachAccount(fn) {
      const st = state();
      for (const [id, acct] of st.accounts) fn(id, acct.maxT, !st.dirty.has(id));
    },
    forget(id) {
      const st = state();
      if (st.dirty.has(id) || !st.accounts.has(id)) return false;
      st.accounts.delete(id);
      return true;
    },
    load(id, part, pruneBefore, rulesSince) {
      const st = state();
      let bytes = part;
      for (let k = 0; k < rulesSince.length; k++) bytes = carry(id, bytes, rulesSince[k]!, rulesSince[k + 1] ?? st.rules, st.latenessMs);
      restoreAccount(st, id, bytes);
      const acct = st.accounts.get(id)!;
      if (acct.dd) {
        pruneDedupe(acct.dd, pruneBefore);
        if (acct.dd.length === 0) acct.dd = null;
      }
      if (rulesSince.length > 0) st.dirty.add(id);
    },
    dropStored(id) {
      const st = state();
      if (!st.accounts.has(id)) st.dirty.add(id);
    },
    lastSweep() {
      const st = state();
      if (!Number.isFinite(st.sweptBefore)) return null;
      // sweep(): sweptBefore = globalMax - lateness - maxWindow - skew and idleBefore = globalMax - idleMs, at once.
      const globalMax = st.sweptBefore + st.latenessMs + st.maxWindowMs + GLOBAL_SKEW_MS;
      return { pruneBefore: st.sweptBefore, idleBefore: globalMax - st.idleMs };
    },
  };
}

/** One account part moved from one rule set to the next, as withRules() moves an account in memory (rings dropped). */
function carry(id: string, part: Uint8Array, from: readonly FraudRule[], to: readonly FraudRule[], latenessMs: number): Uint8Array {
  const st = decodeParts(encodeShared(new EngineState(from, latenessMs)), [[id, part]], to, latenessMs);
  const acct = st.accounts.get(id)!;
  acct.ringIds = acct.ringTm = null;
  acct.ringNext = 0;
  return encodeAccount(st, id)!;
}
