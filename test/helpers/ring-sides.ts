// An EngineState's evidence rings and a frozen copy's model of them, side by side, for the ring oracles
// (ring-bookkeeping-oracle.test.ts, keep6-oracle.test.ts): what both do to every side alike (a stored part's ring
// restored, an account freed, the stores compacted), in the same order on each.
import { type EngineState, ringText } from '../../src/rules/engine-state.js';

export interface RingSide {
  ids: { setText(ix: number, text: string | null): void; free(ix: number): void; compact(): void };
  tm: { load(ix: number, pairs: readonly number[] | null): void; free(ix: number): void; compact(): void };
  next: { [ix: number]: number };
}

/** The engine's rings as a side. */
export const ringSide = (st: EngineState): RingSide => ({ ids: st.ringIds, tm: st.ringTm, next: st.ringNext });

/** Gives account `ix` a stored part's ring (ids by entry, (time, mask) pairs, next entry) on every side. */
export function restoreRing(sides: readonly RingSide[], ix: number, ids: string[] | null, pairs: number[] | null, next: number): void {
  for (const s of sides) {
    s.ids.setText(ix, ringText(ids));
    s.tm.load(ix, pairs);
    s.next[ix] = next;
  }
}

export function freeRing(sides: readonly RingSide[], ix: number): void {
  for (const s of sides) {
    s.ids.free(ix);
    s.tm.free(ix);
    s.next[ix] = 0;
  }
}

export function compactRings(sides: readonly RingSide[]): void {
  for (const s of sides) {
    s.ids.compact();
    s.tm.compact();
  }
}
