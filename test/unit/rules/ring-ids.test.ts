// The evidence ring's ids as bytes (ring-ids.ts) must read back exactly as the one string per account they replaced:
// appends and replacements of any entry, ids of every kind of UTF-16 code unit (lone surrogates too), texts set from
// stored parts (old ones of '' entries and no entries), frees, and the store's repacks. Fixed seed.
import { describe, expect, it } from 'vitest';
import { RING_SEP } from '../../../src/rules/engine-state.js';
import { RingIds } from '../../../src/rules/ring-ids.js';
import { RowArena } from '../../../src/rules/row-arena.js';

/** The string code the bytes replaced (engine-state.ts before): entry `j` of `ids` replaced by `id`. */
function replaceEntry(ids: string, j: number, id: string): string {
  let a = 0;
  for (let k = 0; k < j; k++) a = ids.indexOf(RING_SEP, a) + 1;
  return [ids.slice(0, a), id, ids.slice(ids.indexOf(RING_SEP, a))].join('');
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const UNITS = [0x41, 0x7a, 0x30, 0x2d, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x4e2d, 0xd83d, 0xde00, 0xdfff, 0xfffd, 0xffff, 0x01];

function randomId(r: () => number): string {
  const n = r() < 0.05 ? 0 : r() < 0.1 ? 40 + Math.floor(r() * 200) : 1 + Math.floor(r() * 14);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(r() < 0.8 ? 0x61 + Math.floor(r() * 26) : UNITS[Math.floor(r() * UNITS.length)]!);
  return s;
}

describe('evidence ring ids as bytes', () => {
  it('read back as the string model through appends, replacements, texts set, frees and repacks', () => {
    const saved = RowArena.minWaste;
    RowArena.minWaste = Number.NEGATIVE_INFINITY; // repack whenever holey, to move texts often
    try {
      for (const seed of [1, 2, 3]) {
        const r = rng(seed);
        const ids = new RingIds();
        const accounts = 40;
        ids.grow(accounts);
        const model: (string | null)[] = new Array(accounts).fill(null);
        for (let step = 0; step < 6000; step++) {
          const ix = Math.floor(r() * accounts);
          const x = r();
          const id = randomId(r);
          const cur = model[ix]!;
          if (x < 0.45) {
            ids.append(ix, id);
            model[ix] = (cur ?? '') + id + RING_SEP;
          } else if (x < 0.85) {
            const entries = cur === null ? 0 : cur.split(RING_SEP).length - 1;
            if (entries === 0) continue;
            const j = Math.floor(r() * entries);
            ids.replace(ix, j, id);
            model[ix] = replaceEntry(cur!, j, id);
          } else if (x < 0.92) {
            const list = Array.from({ length: Math.floor(r() * 9) }, () => randomId(r));
            const text = r() < 0.1 ? null : list.map((s) => s + RING_SEP).join('');
            ids.setText(ix, text);
            model[ix] = text;
          } else if (x < 0.97) {
            ids.free(ix);
            model[ix] = null;
          } else ids.compact();
          expect(ids.text(ix)).toBe(model[ix]);
        }
        for (let ix = 0; ix < accounts; ix++) {
          expect(ids.text(ix)).toBe(model[ix]);
          const list = model[ix] === null ? null : model[ix]!.split(RING_SEP).slice(0, -1);
          expect(ids.list(ix)).toEqual(list);
        }
      }
    } finally {
      RowArena.minWaste = saved;
    }
  });

  it("keeps '' (entries of no ids) apart from no ring, and the bytes of one ring to itself", () => {
    const ids = new RingIds();
    ids.grow(3);
    ids.setText(0, '');
    ids.append(1, 'x');
    expect(ids.text(0)).toBe('');
    expect(ids.list(0)).toEqual([]);
    expect(ids.text(2)).toBeNull();
    expect(ids.list(2)).toBeNull();
    ids.append(0, 'a');
    ids.replace(1, 0, 'yy');
    expect(ids.list(0)).toEqual(['a']);
    expect(ids.list(1)).toEqual(['yy']);
    ids.free(0);
    expect(ids.text(0)).toBeNull();
  });
});
