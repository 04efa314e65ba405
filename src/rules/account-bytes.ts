// An estimate of the heap one account's engine state holds (its columns, its id and number in the accounts table,
// its ring ids, its rows in the arenas: window logs, live calls, level states, ring times; and its share of the
// dedupe table, whose keys are no longer listed per account), from V8's layout on 64-bit without pointer compression: an
// object is 24 bytes and 8 per field, an array 32 bytes plus a 16-byte store of 8 bytes per element, a double
// field a 16-byte box, a one-byte string 16 bytes plus its characters rounded up to 8. For a memory budget
// (spilling the least recently active accounts), not for accounting: within ~20% of what bench/engine.ts measures
// on ordinary traffic. Pure.
import type { EngineState } from './engine-state.js';
import type { RowArena } from './row-arena.js';

const ARRAY = 48;
/** The account's columns (latest time, flags, ring cursor, ring ids pointer). */
const COLUMNS = 8 + 1 + 1 + 8;
/**
 * Its id in the accounts table besides the id's bytes (id-index.ts, account-table.ts): a length byte, a slot (8 B)
 * at the table's average load, its place in the insertion order (4 + 4 B); and its mark and list entry in `dirty`.
 */
const ID_ENTRY = 1 + 8 / 0.725 + 8 + 1 + 4;
/** The dedupe table's average load factor (between 0.65 and 0.8, table-sizing.ts); a slot is 10 or 12 B (dedupe-table.ts). */
const DEDUPE_LOAD = 0.725;

const numbers = (a: readonly unknown[] | null | undefined): number => (a ? ARRAY + 8 * a.length : 0);

/** Estimated heap and array-buffer bytes of account `id` of `st` (0 when it holds none). */
export function approxAccountBytes(st: EngineState, id: string): number {
  const ix = st.accounts.indexOf(id);
  if (ix < 0) return 0;
  let n = COLUMNS + ID_ENTRY + id.length;
  n += st.rs.bytes(ix) + st.ringTm.bytes(ix);
  // the table's keys shared among the accounts held (spilled accounts' keys stay in it, so they count here too)
  n += ((st.dedupe.size / st.accounts.size) * st.dedupe.slotBytes) / DEDUPE_LOAD;
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

/**
 * Int32 fields and columns per account number the stores have room for, in array buffers: the latest time and two
 * flags (10 B), its dirty mark (1 B), the 3 fields of each window group a record has reached and the 4 of each
 * concurrent_calls rule an account has opened state for (until branch `mem10` every group's and rule's were
 * counted, those that keep none too: +52 B an account with the shipped rules), and 2 for each of the three row
 * lists (level states, ring times, ring ids).
 */
function fieldBytesPerNumber(st: EngineState): number {
  let n = 11 + 3 * 8;
  for (const w of st.windows) n += w.fieldBytesPerNumber();
  for (const c of st.live) n += c.fieldBytesPerNumber();
  return n;
}

/**
 * JS heap per account in memory that no store counts (the ids and the dirty set are in typed arrays since the
 * `intern` branch: bench/engine.ts measures 5-9 B; rare Maps of hour-of-week profiles and call-back rings aside).
 */
const HEAP_PER_ACCOUNT = 16;

/**
 * What row arenas hold in regions in use (`used`) and in holes (freed regions, ends of chunks: not the room of the
 * current chunk not yet cut, which is the arena's), in bytes. Shared by both engines' counts.
 */
export function arenaBytes(arenas: readonly RowArena[]): { used: number; holes: number } {
  let used = 0;
  let holes = 0;
  for (const a of arenas) {
    used += 8 * a.used;
    holes += a.bytes() - 8 * a.ahead() - 8 * a.used;
  }
  return { used, holes };
}

/** What an engine state holds, as the memory budget counts it (engineBytes). */
export interface StateBytes {
  /** The engine-wide dedupe table: spilling accounts does not release it (spilled accounts' keys stay in it). */
  table: number;
  /** What leaves with the accounts in memory: their rows in the stores, their fields, their heap. */
  accounts: number;
  /**
   * Room held for accounts that are not there: holes in the stores (freed regions, reused first) and fields of
   * account numbers not in use. Spilling adds to it rather than releasing it at once; loads and new accounts take
   * it back, and the sweep's compaction gives the stores' holes back.
   */
  slack: number;
}

/**
 * The engine state's bytes as its stores hold them now, for the memory budget (src/ingest/engine-memory.ts) and its
 * metric: measured rather than a constant per account, because an account's bytes grow with its traffic over the
 * day (at a steady day of 5 calls an hour ~4x the first hours': the dedupe horizon and the 24 h windows fill). The
 * room of each store's current chunk not yet cut is the store's, not counted. Cheap: a sum over each store's
 * chunks. Pure.
 */
export function engineBytes(st: EngineState): StateBytes {
  const { used, holes } = arenaBytes([...st.windows.map((w) => w.arena), ...st.live.map((c) => c.arena), st.rs.arena, st.ringTm.lists.arena, st.ringIds.arena]);
  const n = st.accounts.size;
  const numbers = Math.max(st.maxT.length, n, 1);
  // per account number held for: the fields, and the id table's rows (its slots too, at its load)
  const perNumber = fieldBytesPerNumber(st) + st.accounts.bytes() / numbers;
  return { table: st.dedupe.bytes(), accounts: used + (perNumber + HEAP_PER_ACCOUNT) * n, slack: holes + perNumber * (numbers - n) };
}
