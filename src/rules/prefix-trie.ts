// Prefix matching in one walk of the number (a trie over digits and '+'), never a scan of every prefix per number:
// callee and caller prefixes of the rules (cdr-matcher.ts), and the number overrides (number-info.ts). The trie is
// one flat table of transitions (11 slots a node: the digits, then '+'), so a walk reads a few integers and no
// objects. Pure; built once per rule set.

const SLOTS = 11;

function slot(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  return code === 43 ? 10 : -1;
}

export class PrefixTrie {
  /** node * SLOTS + slot -> child node; 0 is no child (the root, node 0, is nobody's child). */
  private next = new Int32Array(SLOTS * 8);
  private nodes = 1;
  /** Node -> the ids whose prefix ends there, or null. */
  private readonly ends: (number[] | null)[] = [null];
  /** Id -> the stamp of the last number it matched (avoids clearing flags per number). */
  private stamps: Int32Array;
  private stamp = 0;

  constructor(ids: number) {
    this.stamps = new Int32Array(ids);
  }

  /** Adds a prefix for `id` (digits with an optional '+'; anything else is ignored, as no number could match it). */
  add(prefix: string, id: number): void {
    let n = 0;
    for (let i = 0; i < prefix.length; i++) {
      const s = slot(prefix.charCodeAt(i));
      if (s < 0) return;
      let child = this.next[n * SLOTS + s]!;
      if (child === 0) {
        child = this.nodes++;
        if (this.nodes * SLOTS > this.next.length) {
          const grown = new Int32Array(this.next.length * 2);
          grown.set(this.next);
          this.next = grown;
        }
        this.ends.push(null);
        this.next[n * SLOTS + s] = child;
      }
      n = child;
    }
    (this.ends[n] ??= []).push(id);
  }

  /** Marks every id with a prefix of `number`; then `matched(id)` answers for this number. Returns how many. */
  walk(number: string): number {
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    const next = this.next;
    let n = 0;
    let marked = 0;
    for (let i = 0; i < number.length; i++) {
      const s = slot(number.charCodeAt(i));
      if (s < 0) break;
      n = next[n * SLOTS + s]!;
      if (n === 0) break;
      const ids = this.ends[n];
      if (!ids) continue;
      for (let k = 0; k < ids.length; k++) this.stamps[ids[k]!] = this.stamp;
      marked += ids.length;
    }
    return marked;
  }

  matched(id: number): boolean {
    return this.stamps[id] === this.stamp;
  }

  /**
   * The deepest node a walk of `number` reaches (0: none past the root). The ids `walk` would mark are exactly those
   * whose prefix ends on the path to it, so `pathMasks()[last(number)]` answers for all of them in one read.
   */
  last(number: string): number {
    const next = this.next;
    let n = 0;
    for (let i = 0; i < number.length; i++) {
      const s = slot(number.charCodeAt(i));
      if (s < 0) break;
      const child = next[n * SLOTS + s]!;
      if (child === 0) break;
      n = child;
    }
    return n;
  }

  /** Node -> the OR of `bit(id)` over the ids whose prefix ends on the path from the root to it (see `last`). */
  pathMasks(bit: (id: number) => number): Int32Array {
    const masks = new Int32Array(this.nodes);
    // a child is always made after its parent, so a parent's mask is complete before its children read it
    for (let n = 0; n < this.nodes; n++) {
      for (const id of this.ends[n] ?? []) masks[n] = masks[n]! | bit(id);
      for (let s = 0; s < SLOTS; s++) {
        const child = this.next[n * SLOTS + s]!;
        if (child !== 0) masks[child] = masks[n]!;
      }
    }
    return masks;
  }
}
