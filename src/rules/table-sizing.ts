// How the engine's open-addressing tables (dedupe-table.ts: dedupe keys; id-index.ts: account ids) are sized and
// where a key's home slot is: any capacity, not only powers of two, so a table can be kept 0.65-0.8 full (a power
// of two leaves it between 3/8 and 3/4); the home slot is the high part of (the key's low 32 bits x capacity)
// ("fastrange", one multiply in doubles). Pure.

/**
 * Grows when an insert would pass this load; a grown or rebuilt table starts at LOAD_AFTER. 0.65-0.8 since branch
 * `mem11` (0.6-0.75 before): the dedupe table is the engine's largest single store, 12.5-15.4 B an entry with
 * 10-byte slots against 13.3-16.7 (at 100,000 x 5 calls/h, 1,000,000 keys: 148 B an account, not 163; over table
 * sizes from 10^5 to 10^7 keys 13.9 B an entry on average, not 15.0), and the id table's slots ~2 B an account
 * less. Linear probing's expected probes for an absent key (a new dedupe key) are ~13 at 0.8 against ~8.5 at 0.75,
 * on columns read in order (a cache line holds 16-32 slots of a column): lookups measured no slower. A grow is
 * still ~1.23x, not less: at 0.7-0.8 (tried: 140 B an account) the grows every 1.14x moved every key ~8 times,
 * not ~5, and a new key cost ~110 ns more while the table grew.
 */
export const MAX_LOAD = 0.8;
export const LOAD_AFTER = 0.65;
export const MIN_CAPACITY = 16;

/** The capacity that holds `n` entries at LOAD_AFTER. */
export function capacityFor(n: number): number {
  return Math.max(MIN_CAPACITY, Math.ceil(n / LOAD_AFTER));
}

/** Entries a table of `capacity` slots holds before it grows. */
export function limitOf(capacity: number): number {
  return Math.floor(MAX_LOAD * capacity);
}

/**
 * The home slot of `key` in a table whose `scale` is capacity / 2^32: floor(low32(key) x scale) in doubles. Exactly
 * floor(low32 x capacity / 2^32) up to 2^21 slots (the product is exact); past that within one of it, and still
 * below the capacity and rising with the low 32 bits (rounding is monotone; capacity - capacity / 2^32 is far from
 * the capacity in ulps).
 */
export function homeOf(key: number, scale: number): number {
  return Math.floor((key >>> 0) * scale);
}

/** capacity / 2^32 (exact: a power-of-two division). */
export function scaleOf(capacity: number): number {
  return capacity / 4294967296;
}
