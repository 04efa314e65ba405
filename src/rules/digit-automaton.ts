// Regular expressions of libphonenumber's metadata as automata over the ten digits, so number-plan.ts can answer
// every pattern test of a number in one walk of its digits instead of one RegExp run per pattern. Only digit
// strings are ever fed in, so each character class is kept as the set of digits it admits (a letter is the empty
// set). The syntax understood is the metadata's: literals, `\d`, `[...]` (ranges, `^`), `.`, groups `(...)` and
// `(?:...)`, `|`, and the quantifiers `?`, `*`, `+`, `{n}`, `{n,}`, `{n,m}` (also lazy). Anything else (anchors,
// look-arounds, back-references, other escapes) throws `Unsupported`, and number-plan.ts then keeps the RegExp for
// that calling code. The patterns have neither back-references nor look-arounds, so the strings a JS RegExp matches
// entirely (`^(?:p)$`) are exactly the regular language of p, whatever order its backtracking tries, and
// `search(p) === 0` / `^(?:p)` exec holds exactly when some prefix of the string (maybe empty) is in that language.
// test/unit/rules/digit-automaton.test.ts compares every metadata pattern with its RegExp over generated strings.
// Pure: the automata are memos derived from the patterns.

export class Unsupported extends Error {}

export type PatternNode = Node;
type Node =
  | { k: 'set'; mask: number }
  /** `$`: the end of the string (the metadata's prefixes for parsing use it: `([457]\d{6})$|1`). */
  | { k: 'end' }
  | { k: 'cat'; items: Node[] }
  | { k: 'alt'; items: Node[] }
  | { k: 'rep'; item: Node; min: number; max: number };

const ALL_DIGITS = 0x3ff;

/** Parses `source` (the metadata's regex syntax, above) into a tree over digit sets. */
export function parsePattern(source: string): Node {
  let i = 0;
  const peek = () => source[i];
  function alternation(): Node {
    const items = [sequence()];
    while (peek() === '|') {
      i++;
      items.push(sequence());
    }
    return items.length === 1 ? items[0]! : { k: 'alt', items };
  }
  function sequence(): Node {
    const items: Node[] = [];
    while (i < source.length && peek() !== '|' && peek() !== ')') items.push(quantified(atom()));
    return { k: 'cat', items };
  }
  function atom(): Node {
    const c = source[i++]!;
    if (c === '(') {
      if (source[i] === '?') {
        if (source[i + 1] !== ':') throw new Unsupported(`group (?${source[i + 1]} in ${source}`);
        i += 2;
      }
      const inner = alternation();
      if (source[i++] !== ')') throw new Unsupported(`unclosed group in ${source}`);
      return inner;
    }
    if (c === '[') return { k: 'set', mask: charClass() };
    if (c === '\\') return { k: 'set', mask: escape() };
    if (c === '.') return { k: 'set', mask: ALL_DIGITS };
    if (c === '$') return { k: 'end' };
    if ('^*+?{}|)'.includes(c)) throw new Unsupported(`'${c}' at ${i - 1} in ${source}`);
    // ']' alone is a literal in a JS pattern without the u flag; so is every other character
    return { k: 'set', mask: digitMask(c) };
  }
  /** The digits an escape outside [...] admits. */
  function escape(): number {
    const e = source[i++];
    if (e === 'd') return ALL_DIGITS;
    if (e === undefined || /[0-9a-zA-Z]/.test(e)) throw new Unsupported(`escape \\${e ?? ''} in ${source}`);
    return digitMask(e); // an escaped punctuation character: itself, not a digit
  }
  function charClass(): number {
    let negate = false;
    if (source[i] === '^') {
      negate = true;
      i++;
    }
    let mask = 0;
    let first = true;
    for (;;) {
      if (i >= source.length) throw new Unsupported(`unclosed class in ${source}`);
      let c = source[i++]!;
      if (c === ']' && !first) break;
      if (c === ']' && first) throw new Unsupported(`empty class in ${source}`);
      first = false;
      let lo: number;
      let single: number | null = null;
      if (c === '\\') {
        const e = source[i];
        if (e === 'd') {
          i++;
          mask |= ALL_DIGITS;
          if (source[i] === '-' && source[i + 1] !== ']') throw new Unsupported(`range from \\d in ${source}`);
          continue;
        }
        if (e === undefined || /[0-9a-zA-Z]/.test(e)) throw new Unsupported(`escape \\${e ?? ''} in class of ${source}`);
        i++;
        c = e;
      }
      lo = c.charCodeAt(0);
      if (source[i] === '-' && source[i + 1] !== undefined && source[i + 1] !== ']') {
        let h = source[i + 1]!;
        i += 2;
        if (h === '\\') {
          const e = source[i++];
          if (e === undefined || /[0-9a-zA-Z]/.test(e)) throw new Unsupported(`range to \\${e ?? ''} in ${source}`);
          h = e;
        }
        const hi = h.charCodeAt(0);
        if (hi < lo) throw new Unsupported(`range out of order in ${source}`);
        for (let d = 0; d < 10; d++) if (48 + d >= lo && 48 + d <= hi) mask |= 1 << d;
      } else single = lo;
      if (single !== null && single >= 48 && single <= 57) mask |= 1 << (single - 48);
    }
    return negate ? ~mask & ALL_DIGITS : mask;
  }
  function quantified(node: Node): Node {
    if (node.k === 'end' && peek() !== undefined && '?*+{'.includes(peek()!)) throw new Unsupported(`quantified '$' in ${source}`);
    for (;;) {
      const c = peek();
      let min: number;
      let max: number;
      if (c === '?') [min, max] = [0, 1];
      else if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
        if (!m) throw new Unsupported(`'{' not a quantifier in ${source}`);
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (max < min) throw new Unsupported(`quantifier out of order in ${source}`);
        i += m[0].length - 1;
      } else return node;
      i++;
      if (peek() === '?') i++; // lazy: the same language
      if (peek() === '?' || peek() === '*' || peek() === '+' || peek() === '{') throw new Unsupported(`double quantifier in ${source}`);
      node = { k: 'rep', item: node, min, max };
    }
  }
  const tree = alternation();
  if (i !== source.length) throw new Unsupported(`unbalanced ')' in ${source}`);
  return tree;
}

function digitMask(c: string): number {
  const code = c.charCodeAt(0);
  return code >= 48 && code <= 57 ? 1 << (code - 48) : 0;
}

/**
 * Patterns of one calling code combined into one automaton: `add` gives each pattern an id; a walk of a digit string
 * reaches a state that tells, for every id, whether the string is in the pattern's language (mode 'entire') or
 * starts with a string of it (mode 'prefix'). States are made on first use (a lazy subset construction) and kept:
 * at most `maxStates`, after which `step` answers -1 and the caller asks the RegExps.
 */
export class DigitAutomaton {
  // NFA: state -> digit mask it consumes (0: none) and its successor; or its epsilon successors
  private readonly consumes: number[] = [];
  private readonly target: number[] = [];
  private readonly eps: number[][] = [];
  /** NFA state -> where a `$` lets it go when the string ends there, or -1. */
  private readonly endTo: number[] = [];
  /** NFA state -> the pattern id it accepts for, or -1. */
  private readonly accepting: number[] = [];
  private readonly starts: number[] = [];
  private patterns = 0;

  // DFA: state * 10 + digit -> state, -1 not made yet
  private trans = new Int32Array(0);
  private readonly sets: Int32Array[] = [];
  private readonly ids = new Map<string, number>();
  /** DFA state -> the pattern ids it accepts, as a bit set over 32-bit words. */
  private readonly accepts: Uint32Array[] = [];
  private start = -1;
  private stampOf: Int32Array = new Int32Array(0);
  private stamp = 0;

  constructor(private readonly maxStates = 20_000) {}

  private state(mask: number, target: number): number {
    this.consumes.push(mask);
    this.target.push(target);
    this.eps.push([]);
    this.endTo.push(-1);
    this.accepting.push(-1);
    return this.consumes.length - 1;
  }

  /** Adds a pattern (throws Unsupported); returns its id. Only before the first walk. */
  add(source: string, mode: 'entire' | 'prefix'): number {
    if (this.start >= 0) throw new Error('DigitAutomaton: add after the first walk');
    const tree = parsePattern(source);
    const id = this.patterns++;
    const accept = this.state(0, -1);
    this.accepting[accept] = id;
    let end = accept;
    if (mode === 'prefix') {
      // p, then any digits: accepting from the first prefix in p's language on
      const fork = this.state(0, -1);
      const loop = this.state(ALL_DIGITS, fork);
      this.eps[fork]!.push(accept, loop);
      end = fork;
    }
    this.starts.push(this.build(tree, end));
    return id;
  }

  /** Thompson construction backwards: the NFA state that matches `node` then continues at `next`. */
  private build(node: Node, next: number): number {
    switch (node.k) {
      case 'set':
        return this.state(node.mask, next);
      case 'end': {
        const at = this.state(0, -1);
        this.endTo[at] = next;
        return at;
      }
      case 'cat': {
        let s = next;
        for (let j = node.items.length - 1; j >= 0; j--) s = this.build(node.items[j]!, s);
        return s;
      }
      case 'alt': {
        const fork = this.state(0, -1);
        for (const item of node.items) this.eps[fork]!.push(this.build(item, next));
        return fork;
      }
      case 'rep': {
        let s = next;
        if (node.max === Infinity) {
          const loop = this.state(0, -1);
          this.eps[loop]!.push(this.build(node.item, loop), next);
          s = loop;
        } else {
          for (let j = node.min; j < node.max; j++) {
            const opt = this.state(0, -1);
            this.eps[opt]!.push(this.build(node.item, s), next);
            s = opt;
          }
        }
        for (let j = 0; j < node.min; j++) s = this.build(node.item, s);
        return s;
      }
    }
  }

  /** The start state (made on the first call; no pattern may be added after). */
  begin(): number {
    if (this.start < 0) {
      this.stampOf = new Int32Array(this.consumes.length);
      const set: number[] = [];
      this.stamp++;
      for (const s of this.starts) this.close(s, set);
      this.start = this.intern(set);
    }
    return this.start;
  }

  /** The state after `digit` (0-9) from `from`; -1 past `maxStates`. */
  step(from: number, digit: number): number {
    const t = this.trans[from * 10 + digit]!;
    if (t >= 0) return t;
    return this.make(from, digit);
  }

  /**
   * Makes every state the start reaches (states are numbered in the order made: the start is 0); false when that
   * would pass `maxStates`. Then `transitions()` is the whole table and the patterns' sources may be dropped.
   */
  complete(): boolean {
    const start = this.begin();
    if (start < 0) return false;
    for (let s = 0; s < this.sets.length; s++) for (let d = 0; d < 10; d++) if (this.step(s, d) < 0) return false;
    return true;
  }

  /** state * 10 + digit -> state, for the states made (after `complete`: every one). */
  transitions(): Int32Array {
    return this.trans.slice(0, this.sets.length * 10);
  }

  /** A key equal for two states exactly when they accept the same patterns. */
  acceptKey(state: number): string {
    return this.accepts[state]!.join(',');
  }

  /** Whether `state`, the string ending there, accepts pattern `id` (entire: the string is in it; prefix: some prefix is). */
  has(state: number, id: number): boolean {
    return (this.accepts[state]![id >>> 5]! & (1 << (id & 31))) !== 0;
  }

  get states(): number {
    return this.sets.length;
  }

  private make(from: number, digit: number): number {
    if (this.stamp > 0x7ffffff0) {
      this.stampOf.fill(0);
      this.stamp = 0;
    }
    this.stamp++;
    const set: number[] = [];
    const bit = 1 << digit;
    const src = this.sets[from]!;
    for (let j = 0; j < src.length; j++) {
      const s = src[j]!;
      if ((this.consumes[s]! & bit) !== 0) this.close(this.target[s]!, set);
    }
    const to = this.intern(set);
    if (to >= 0) this.trans[from * 10 + digit] = to;
    return to;
  }

  /** Adds `s` and what it reaches by epsilon to `set` (stamped: each once per set). */
  private close(s: number, set: number[]): void {
    const stack = [s];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (this.stampOf[x] === this.stamp) continue;
      this.stampOf[x] = this.stamp;
      set.push(x);
      const e = this.eps[x]!;
      for (let j = 0; j < e.length; j++) stack.push(e[j]!);
    }
  }

  private intern(all: number[]): number {
    // only what decides the future and the answer: the states that consume a digit, and the accepting markers
    const set = all.filter((x) => this.consumes[x]! !== 0 || this.accepting[x]! >= 0 || this.endTo[x]! >= 0);
    set.sort((a, b) => a - b);
    const key = set.join(',');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.sets.length >= this.maxStates) return -1;
    const id = this.sets.length;
    this.ids.set(key, id);
    this.sets.push(Int32Array.from(set));
    // the string ending here: what the set reaches through `$`s too (a walk never passes one: only its end can)
    const acc = new Uint32Array((this.patterns + 31) >>> 5);
    const seen = new Set<number>(set);
    const stack = [...set];
    while (stack.length > 0) {
      const x = stack.pop()!;
      const p = this.accepting[x]!;
      if (p >= 0) acc[p >>> 5]! |= 1 << (p & 31);
      const next = this.endTo[x]! >= 0 ? [this.endTo[x]!, ...this.eps[x]!] : this.eps[x]!;
      for (const y of next) {
        if (!seen.has(y)) {
          seen.add(y);
          stack.push(y);
        }
      }
    }
    this.accepts.push(acc);
    if ((id + 1) * 10 > this.trans.length) {
      const grown = new Int32Array(Math.max(160, this.trans.length * 2)).fill(-1);
      grown.set(this.trans);
      this.trans = grown;
    }
    return id;
  }
}
