// hash53(callee) and hashPrefix(callee, drop) (src/rules/hash.ts) in one pass over the callee's characters: the
// same arithmetic, lane for lane, so the keys are hash.ts's (moved from bench/fused for the fused engine). Results in
// `keys.calleeKey` and `keys.rangeKey`. Pure.
export const keys = { calleeKey: 0, rangeKey: 0 };

export function calleeKeys(text: string, drop: number): void {
  const n = text.length;
  const seed = drop + 97 * n;
  const end = Math.max(0, n - drop);
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let g1 = 0xdeadbeef ^ seed;
  let g2 = 0x41c6ce57 ^ seed;
  let i = 0;
  for (; i < end; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
    g1 = Math.imul(g1 ^ ch, 2654435761);
    g2 = Math.imul(g2 ^ ch, 1597334677);
  }
  for (; i < n; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  keys.calleeKey = finish(h1, h2);
  keys.rangeKey = finish(g1, g2);
}

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
