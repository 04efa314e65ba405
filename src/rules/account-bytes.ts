// An estimate of the heap one account's engine state holds (its columns, its id and number in the accounts table,
// its ring ids, its rows in the arenas: window logs, live calls, level states, ring times, dedupe keys; and its
// entries in the dedupe table), from V8's layout on 64-bit without pointer compression: an
// object is 24 bytes and 8 per field, an array 32 bytes plus a 16-byte store of 8 bytes per element, a double
// field a 16-byte box, a one-byte string 16 bytes plus its characters rounded up to 8. For a memory budget
// (spilling the least recently active accounts), not for accounting: within ~20% of what bench/engine.ts measures
// on ordinary traffic. Pure.
import type { EngineState } from './engine-state.js';

const ARRAY = 48;
/** The account's columns (latest time, flags, ring cursor, ring ids pointer). */
const COLUMNS = 8 + 1 + 1 + 8;
/**
 * Its id in the accounts table besides the id's bytes (id-index.ts, account-table.ts): a length byte, a slot (8 B)
 * at the table's average load, its place in the insertion order (4 + 4 B); and its mark and list entry in `dirty`.
 */
const ID_ENTRY = 1 + 8 / 0.675 + 8 + 1 + 4;
/** A dedupe table slot (key 8 B, time 4 B) at its average load factor (between 0.6 and 0.75, dedupe-table.ts). */
const DEDUPE_ENTRY = 12 / 0.675;

const numbers = (a: readonly unknown[] | null | undefined): number => (a ? ARRAY + 8 * a.length : 0);

/** Estimated heap and array-buffer bytes of account `id` of `st` (0 when it holds none). */
export function approxAccountBytes(st: EngineState, id: string): number {
  const ix = st.accounts.indexOf(id);
  if (ix < 0) return 0;
  let n = COLUMNS + ID_ENTRY + id.length;
  n += st.rs.bytes(ix) + st.dd.bytes(ix) + st.ringTm.bytes(ix);
  n += st.dd.length(ix) * DEDUPE_ENTRY;
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
