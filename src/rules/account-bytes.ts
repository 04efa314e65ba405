// An estimate of the heap one account's engine state holds (its columns, its key and number in the accounts table,
// its ring ids, its rows in the arenas: window logs, live calls, level states, ring times; and its share of the
// dedupe table, whose keys are no longer listed per account), from V8's layout on 64-bit without pointer compression: an
// object is 24 bytes and 8 per field, an array 32 bytes plus a 16-byte store of 8 bytes per element, a double
// field a 16-byte box, a one-byte string 16 bytes plus its characters rounded up to 8. For a memory budget
// (spilling the least recently active accounts), not for accounting: within ~20% of what bench/engine.ts measures
// on ordinary traffic. Pure.
import type { EngineState } from './engine-state.js';

const OBJECT = 24;
const ARRAY = 48;
/** The account's columns (latest time, flags, ring cursor, ring ids pointer) and its Map entry and id number. */
const COLUMNS = 8 + 1 + 1 + 8;
/** A Map entry (key, value, chain link) at the map's load factor, and a Set entry in `dirty`. */
const MAP_ENTRY = 40 + 8;
/** A dedupe table slot (key 8 B, time 4 B) at its average load factor (between 0.6 and 0.75, dedupe-table.ts). */
const DEDUPE_ENTRY = 12 / 0.675;

const numbers = (a: readonly unknown[] | null | undefined): number => (a ? ARRAY + 8 * a.length : 0);
const text = (s: string): number => OBJECT - 8 + ((s.length + 7) & ~7);

/** Estimated heap and array-buffer bytes of account `id` of `st` (0 when it holds none). */
export function approxAccountBytes(st: EngineState, id: string): number {
  const ix = st.accounts.indexOf(id);
  if (ix < 0) return 0;
  let n = COLUMNS + MAP_ENTRY + text(id);
  n += st.rs.bytes(ix) + st.ringTm.bytes(ix);
  // the table's keys shared among the accounts held (spilled accounts' keys stay in it, so they count here too)
  n += (st.dedupe.size / st.accounts.size) * DEDUPE_ENTRY;
  n += numbers(st.legacyDd.get(ix));
  n += numbers(st.rg.get(ix));
  const rw = st.rw.get(ix);
  if (rw) {
    n += numbers(rw);
    for (const hw of rw) n += numbers(hw);
  }
  n += st.ringIds.bytes(ix);
  for (const c of st.live) n += c.bytes(ix);
  for (const w of st.windows) n += w.bytes(ix);
  return Math.round(n);
}
