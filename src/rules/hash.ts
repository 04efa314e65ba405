// A 53-bit string hash (two 32-bit multiply-xorshift lanes, after the public-domain cyrb53), so that dedupe keys and
// callee keys are plain numbers: compact in arrays and Maps, cheap to snapshot. Collisions are ~2^-53 per pair.
export function hash53(text: string, seed = 0, end = text.length): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Hash of `text` without its last `drop` characters (the "range" of a number for range_scan); no allocation. */
export function hashPrefix(text: string, drop: number, seed = 0): number {
  return hash53(text, seed + drop + 97 * text.length, Math.max(0, text.length - drop));
}
