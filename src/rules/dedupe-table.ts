// The dedupe horizon: hash(id, phase) -> event time, in an open-addressing table over one Float64Array of
// interleaved (key, time) pairs (one cache line per probe; ~32 bytes an entry at the load factor used, against ~80
// for a Map of boxed numbers). Entries are only removed by a sweep, so no tombstones are needed. Pure.
//
// Resizing is incremental (issue 17, decision latency): a grow or a sweep allocates the new table and moves the old
// one's slots a few at a time, on later inserts, instead of rehashing every entry in one step (at 1,000,000 entries
// that step held the event loop for tens of milliseconds). While a move is under way there are two tables: `slots`,
// which takes every insert, and `old`, read-only, whose slots before `moveAt` are already copied into `slots` (they
// stay in `old` too, so a probe of `old` is never cut short) and whose entries older than `oldBefore` are swept (not
// copied, and not found). A key is in the table when `slots` has it or `old` has it with a time >= `oldBefore`; the
// two never hold different times for one key (keys are only added when absent from both). `size` counts the live
// entries of both, each once. Each insert moves `step` old slots, chosen so the move ends before `slots` fills to
// the next grow; a grow or sweep that comes first finishes the move at once.

const EMPTY = -1;
/** Old slots moved per insert, at least. */
const MIN_STEP = 16;

export class DedupeTable {
  /** Slot i: key at 2i, time at 2i + 1. */
  private slots: Float64Array;
  private mask: number;
  /** The table being moved out of (null: none), the next of its slots to move and its sweep threshold. */
  private old: Float64Array | null = null;
  private oldMask = 0;
  private moveAt = 0;
  private oldBefore = Number.NEGATIVE_INFINITY;
  private step = MIN_STEP;
  size = 0;

  constructor(capacity = 1024) {
    let cap = 16;
    while (cap < capacity) cap *= 2;
    this.slots = emptySlots(cap);
    this.mask = cap - 1;
  }

  has(key: number): boolean {
    const s = this.slots;
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const k = s[2 * i]!;
      if (k === key) return true;
      if (k === EMPTY) break;
    }
    return this.old !== null && this.inOld(key);
  }

  /** Adds a key that is not present (callers check `has` first). */
  add(key: number, time: number): void {
    this.beforeInsert();
    this.insert(key, time);
    this.size++;
  }

  /** `has` then `add` in one probe: false (and nothing added) when the key is present. */
  addIfAbsent(key: number, time: number): boolean {
    this.beforeInsert();
    const s = this.slots;
    let i = (key >>> 0) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const k = s[2 * i]!;
      if (k === key) return false;
      if (k === EMPTY) break;
    }
    if (this.old !== null && this.inOld(key)) return false;
    s[2 * i] = key;
    s[2 * i + 1] = time;
    this.size++;
    return true;
  }

  /** Drops every entry older than `before`. */
  sweep(before: number): void {
    this.finishMove();
    const s = this.slots;
    let cap = 16;
    let live = 0;
    for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY && s[i + 1]! >= before) live++;
    while (cap < live * 3) cap *= 2;
    // Nothing expired and the table is not oversized: the same contents, so skip the move.
    if (live === this.size && this.mask + 1 <= 2 * cap) return;
    this.startMove(cap, before, live);
  }

  /** [key, time] pairs sorted by key, so equal contents serialise equally. */
  entries(): number[] {
    const pairs: [number, number][] = [];
    const s = this.slots;
    for (let i = 0; i < s.length; i += 2) if (s[i] !== EMPTY) pairs.push([s[i]!, s[i + 1]!]);
    const o = this.old;
    if (o !== null) for (let i = 2 * this.moveAt; i < o.length; i += 2) if (o[i] !== EMPTY && o[i + 1]! >= this.oldBefore) pairs.push([o[i]!, o[i + 1]!]);
    pairs.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [k, t] of pairs) out.push(k, t);
    return out;
  }

  /** Whether a move is under way (for tests). */
  get moving(): boolean {
    return this.old !== null;
  }

  private inOld(key: number): boolean {
    const o = this.old!;
    for (let i = (key >>> 0) & this.oldMask; ; i = (i + 1) & this.oldMask) {
      const k = o[2 * i]!;
      if (k === key) return o[2 * i + 1]! >= this.oldBefore;
      if (k === EMPTY) return false;
    }
  }

  /** Grows when the insert would pass half full; else moves the next few old slots. */
  private beforeInsert(): void {
    if ((this.size + 1) * 2 > this.mask + 1) {
      this.finishMove();
      this.startMove((this.mask + 1) * 2, Number.NEGATIVE_INFINITY, this.size);
    } else if (this.old !== null) this.moveSome(this.step);
  }

  /** A new, empty `slots` of `capacity`; the current one is moved into it from now on, dropping times < `before`. */
  private startMove(capacity: number, before: number, live: number): void {
    this.old = this.slots;
    this.oldMask = this.mask;
    this.oldBefore = before;
    this.moveAt = 0;
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
    this.size = live;
    // Done within half of the inserts left before `slots` is half full (the next grow).
    const inserts = Math.max(1, Math.floor((capacity / 2 - live) / 2));
    this.step = Math.max(MIN_STEP, Math.ceil((this.oldMask + 1) / inserts));
  }

  private moveSome(n: number): void {
    const o = this.old!;
    const end = Math.min(this.oldMask + 1, this.moveAt + n);
    for (let i = this.moveAt; i < end; i++) {
      const k = o[2 * i]!;
      if (k !== EMPTY && o[2 * i + 1]! >= this.oldBefore) this.insert(k, o[2 * i + 1]!);
    }
    this.moveAt = end;
    if (end > this.oldMask) this.old = null;
  }

  private finishMove(): void {
    if (this.old !== null) this.moveSome(this.oldMask + 1);
  }

  private insert(key: number, time: number): void {
    const s = this.slots;
    let i = (key >>> 0) & this.mask;
    while (s[2 * i] !== EMPTY) i = (i + 1) & this.mask;
    s[2 * i] = key;
    s[2 * i + 1] = time;
  }
}

function emptySlots(capacity: number): Float64Array {
  const s = new Float64Array(2 * capacity);
  for (let i = 0; i < s.length; i += 2) s[i] = EMPTY;
  return s;
}
