// An estimate of the heap one account's engine state holds (AccountState and what hangs off it, its key in the
// accounts map and its entries in the dedupe table), from V8's layout on 64-bit without pointer compression: an
// object is 24 bytes and 8 per field, an array 32 bytes plus a 16-byte store of 8 bytes per element, a double
// field a 16-byte box, a one-byte string 16 bytes plus its characters rounded up to 8. For a memory budget
// (spilling the least recently active accounts), not for accounting: within ~20% of what bench/engine.ts measures
// on ordinary traffic. Pure.
import type { AccountState } from './engine-state.js';
import type { GroupLog } from './window-state.js';

const OBJECT = 24;
const FIELD = 8;
const BOX = 16;
const ARRAY = 48;
/** AccountState: 12 fields and the boxed maxT. */
const ACCOUNT = OBJECT + 12 * FIELD + BOX;
/** A Map entry (key, value, chain link) at the map's load factor, and a Set entry in `dirty`. */
const MAP_ENTRY = 40;
/** A dedupe table slot (key, time) at its average load factor (between 1/4 and 1/2). */
const DEDUPE_ENTRY = 16 / 0.375;
/** A KeyIndex Map entry (key, count) with its share of the table, and its histogram. */
const INDEX_ENTRY = 40;

const numbers = (a: readonly unknown[] | null | undefined): number => (a ? ARRAY + 8 * a.length : 0);
const text = (s: string): number => OBJECT - 8 + ((s.length + 7) & ~7);

function logBytes(g: GroupLog): number {
  let n = OBJECT + 5 * FIELD + numbers(g.d);
  if (g.x) {
    n += numbers(g.x);
    for (const ix of g.x) if (ix) n += OBJECT + 4 * FIELD + 2 * ARRAY + INDEX_ENTRY * (ix.counts.size + (ix.groups?.size ?? 0)) + numbers(ix.freq);
  }
  return n;
}

/** Estimated heap bytes of `acct`, keyed by `id`. */
export function approxAccountBytes(id: string, acct: AccountState): number {
  let n = ACCOUNT + MAP_ENTRY + text(id);
  n += numbers(acct.rs) + numbers(acct.dd) + numbers(acct.rg) + numbers(acct.ringTm);
  n += acct.dd ? (acct.dd.length / 2) * DEDUPE_ENTRY : 0;
  if (acct.rw) {
    n += numbers(acct.rw);
    for (const hw of acct.rw) n += numbers(hw);
  }
  if (acct.ringIds) n += text(acct.ringIds);
  if (acct.cc) {
    n += numbers(acct.cc);
    for (const c of acct.cc) if (c) n += OBJECT + 2 * FIELD + c.bytes();
  }
  if (acct.logs) {
    n += numbers(acct.logs);
    for (const g of acct.logs) if (g) n += logBytes(g);
  }
  return Math.round(n);
}
