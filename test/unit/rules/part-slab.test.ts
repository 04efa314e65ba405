import { describe, expect, it } from 'vitest';
import { partBytes, utf8Scratch } from '../../../src/rules/part-slab.js';

describe('part slabs', () => {
  it('hands out zeroed, 8-aligned pieces that never overlap, and a big part its own buffer', () => {
    const a = partBytes(13);
    const b = partBytes(40);
    expect(a.byteOffset % 8).toBe(0);
    expect(b.byteOffset % 8).toBe(0);
    expect([...a, ...b].every((x) => x === 0)).toBe(true);
    a.fill(255);
    expect([...b].every((x) => x === 0)).toBe(true);
    if (a.buffer === b.buffer) expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 16);
    const big = partBytes(20_000);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(20_000);
  });

  it('encodes a header as TextEncoder does, non-ASCII and longer than the scratch included', () => {
    for (const text of ['[1,["a"]]', '["é€😀"]', 'x'.repeat(10_000) + '€']) {
      expect([...utf8Scratch(text)]).toEqual([...new TextEncoder().encode(text)]);
    }
  });
});
