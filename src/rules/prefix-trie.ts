// Callee prefix matching in one walk of the number (a trie over digits and '+'), never a scan of every rule's
// prefixes per CDR. Pure; built once per rule set.

interface TrieNode {
  next: (TrieNode | undefined)[];
  /** Rule indices whose prefix ends here. */
  rules: number[] | null;
}

const node = (): TrieNode => ({ next: [], rules: null });

function slot(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  return code === 43 ? 10 : -1;
}

export class PrefixTrie {
  private readonly root = node();
  /** Rule index -> the stamp of the last number it matched (avoids clearing flags per CDR). */
  private stamps: Int32Array;
  private stamp = 0;

  constructor(ruleCount: number) {
    this.stamps = new Int32Array(ruleCount);
  }

  add(prefix: string, rule: number): void {
    let n = this.root;
    for (let i = 0; i < prefix.length; i++) {
      const s = slot(prefix.charCodeAt(i));
      if (s < 0) return;
      n = n.next[s] ??= node();
    }
    (n.rules ??= []).push(rule);
  }

  /** Marks every rule with a prefix of `number`; then `matched(rule)` answers for this number. */
  walk(number: string): void {
    if (++this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
    let n: TrieNode | undefined = this.root;
    for (let i = 0; i < number.length && n; i++) {
      const s = slot(number.charCodeAt(i));
      if (s < 0) return;
      n = n.next[s];
      if (n?.rules) for (const r of n.rules) this.stamps[r] = this.stamp;
    }
  }

  matched(rule: number): boolean {
    return this.stamps[rule] === this.stamp;
  }
}
