// An estimate of the heap one account's engine state holds (AccountState and what hangs off it, its key and number
// in the accounts table, its rows and cursors in the window arenas and its entries in the dedupe table), from V8's layout on 64-bit without pointer compression: an
// object is 24 bytes and 8 per field, an array 32 bytes plus a 16-byte store of 8 bytes per element, a double
// field a 16-byte box, a one-byte string 16 bytes plus its characters rounded up to 8. For a memory budget
// (spilling the least recently active accounts), not for accounting: within ~20% of what bench/engine.ts measures
// on ordinary traffic. Pure.
import type { EngineState } from './engine-state.js';

const OBJECT = 24;
const FIELD = 8;
const BOX = 16;
const ARRAY = 48;
/** AccountState: 10 fields and the boxed maxT. */
const ACCOUNT = OBJECT + 10 * FIELD + BOX;
/** A Map entry (key, value, chain link) at the map's load factor, and a Set entry in `dirty`; the table's slot. */
const MAP_ENTRY = 40 + 8;
/** A dedupe table slot (key, time) at its average load factor (between 1/4 and 1/2). */
const DEDUPE_ENTRY = 16 / 0.375;

const numbers = (a: readonly unknown[] | null | undefined): number => (a ? ARRAY + 8 * a.length : 0);
const text = (s: string): number => OBJECT - 8 + ((s.length + 7) & ~7);

/** Estimated heap and array-buffer bytes of account `id` of `st` (0 when it holds none). */
export function approxAccountBytes(st: EngineState, id: string): number {
  const acct = st.accounts.get(id);
  if (!acct) return 0;
  let n = ACCOUNT + MAP_ENTRY + text(id);
  n += numbers(acct.rs) + numbers(acct.dd) + numbers(acct.rg) + numbers(acct.ringTm);
  n += acct.dd ? (acct.dd.length / 2) * DEDUPE_ENTRY : 0;
  if (acct.rw) {
    n += numbers(acct.rw);
    for (const hw of acct.rw) n += numbers(hw);
  }
  if (acct.ringIds) n += text(acct.ringIds);
  for (const c of st.live) n += c.bytes(acct.ix);
  for (const w of st.windows) n += w.bytes(acct.ix);
  return Math.round(n);
}
