// Strings drawn from a metadata pattern as src/rules/digit-automaton.ts parses it (test/unit/rules/digit-automaton
// and classify-oracle tests): a random member of its language over digits, or null when a branch needs a non-digit.
import { parsePattern, type PatternNode } from '../../src/rules/digit-automaton.js';

export function draw(node: PatternNode, r: () => number): string | null {
  switch (node.k) {
    case 'end':
      return '';
    case 'set': {
      const digits = [...Array(10).keys()].filter((d) => (node.mask & (1 << d)) !== 0);
      return digits.length === 0 ? null : String(digits[Math.floor(r() * digits.length)]);
    }
    case 'cat': {
      let s = '';
      for (const item of node.items) {
        const x = draw(item, r);
        if (x === null) return null;
        s += x;
      }
      return s;
    }
    case 'alt':
      return draw(node.items[Math.floor(r() * node.items.length)]!, r);
    case 'rep': {
      const max = node.max === Infinity ? node.min + 3 : node.max;
      const times = node.min + Math.floor(r() * (max - node.min + 1));
      let s = '';
      for (let k = 0; k < times; k++) {
        const x = draw(node.item, r);
        if (x === null) return null;
        s += x;
      }
      return s;
    }
  }
}

/** A string of `pattern`'s language, or null (see `draw`). */
export function drawFrom(pattern: string, r: () => number): string | null {
  return draw(parsePattern(pattern), r);
}
