// How the engine's open-addressing tables (dedupe-table.ts: dedupe keys; id-index.ts: account ids) are sized and
// where a key's home slot is: any capacity, not only powers of two, so a table can be kept 0.6-0.75 full (a power
// of two leaves it between 3/8 and 3/4); the home slot is the high part of (the key's low 32 bits x capacity)
// ("fastrange", one multiply in doubles). Pure.

/** Grows when an insert would pass this load; a grown or rebuilt table starts at LOAD_AFTER. */
export const MAX_LOAD = 0.75;
export const LOAD_AFTER = 0.6;
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
