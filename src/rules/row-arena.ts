// Regions of one large store of doubles shared by many owners (the window logs of all of an engine's accounts,
// window-regions.ts), so that no owner has an object or array of its own. A region holds `capOf(class) x stride`
// doubles inside one chunk and is named by one int32: chunk number * CHUNK + offset in the chunk. Capacities come
// in classes (every number of rows up to 16, then 24, 32, 48, ...: `capOf`); a freed region goes to its
// class's free list and is handed out again first. A new chunk is a sixty-fourth of the doubles in use (at least
// FIRST_CHUNK, at most CHUNK), so a store holds little room it does not use; a region larger than LARGE doubles gets a chunk of its own, dropped when it is freed.
// Free lists do not merge, so regions outgrown class by class leave holes of the small classes: the owner's
// compaction (at the engine's sweep when `holey()`, a bounded run of chunks at a time; at once and whole when
// `sparse()`) slides the regions down over the holes in place (`slide`), chunk by chunk, and keeps the chunks it
// empties as room for the next regions or drops them: no fresh chunks for it, so no new array buffers while accounts
// fill up (V8 counts them as external memory when it decides on a mark-compact). A store moves to a fresh arena only
// when its rows change layout (packed-pairs.ts).
// Must never hand out a region that is still in use. Pure.
import { regionOrder, type RegionOrder } from './region-order.js';

const CHUNK_BITS = 20;
/** Doubles in a full chunk (8 MB), and the span of one chunk number in a region's name. */
const CHUNK = 1 << CHUNK_BITS;
const OFFSET_MASK = CHUNK - 1;
const FIRST_CHUNK = 1 << 12;
const LARGE = CHUNK >> 3;
/** Room kept beside the doubles in use, as a shift: a relaid arena's spare room and the holes that a sweep's
 * compaction tolerates are each at most a sixteenth of them (an eighth until round 6 of issue 17), a new chunk and
 * the empty chunks a compaction keeps a sixty-fourth (a sixteenth until branch `mem10`: -30 B an account at 100,000
 * x 5 calls/h, four times as many chunks allocated; holes tolerated down to a thirty-second saved no more there and
 * compacted more often). */
const SLACK = 4;
const CHUNK_SLACK = SLACK + 2;
/** Chunk numbers fit an int32 name below this. */
const MAX_CHUNKS = 2047;

/**
 * Rows a region of class `c` holds: every number of rows up to 16, then two classes an octave (24, 32, 48, ...).
 * Most accounts' lists are short (a 1 h log of 5-10 rows of 32 bytes, 8-11 rows of ring ids): the room a class
 * rounds up to was up to a third of such a list with two classes an octave (1, 2, 3, 4, 6, 8, 12, 16, ... until
 * branch `mem10`: -40 B an account at 100,000 x 5 calls/h); a short list grown a row at a time is copied a row at a
 * time, ~16 doubles at most. Longer lists keep two an octave, so a busy account's list is copied no more often.
 */
export function capOf(c: number): number {
  return CAPS[c]!;
}

/** capOf by class, up to past 2^31 rows. */
const CAPS: number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
while (CAPS[CAPS.length - 1]! < 2 ** 31) CAPS.push(CAPS.length % 2 === 0 ? 3 * (CAPS[CAPS.length - 1]! >> 1) : 4 * (CAPS[CAPS.length - 2]! >> 1));

/** Doubles to expect in a fresh arena that takes `used` doubles now (a relayout): them and a little room. */
export function withRoom(used: number): number {
  return used + (used >> SLACK);
}

/** Copies `n` doubles from `src` at `from` to `dst` at `to` (regions are small: a loop, no subarray views to collect). */
export function copy(src: Float64Array, from: number, dst: Float64Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}

/**
 * Per-account int32 fields `meta` (`width` a number) grown to `capacity` account numbers, the field `none` of each new
 * one -1 (no region) and the rest 0 (the owners of regions: window-meta.ts, row-lists.ts, concurrency-state.ts).
 */
export function growFields(meta: Int32Array, capacity: number, width: number, ...none: number[]): Int32Array<ArrayBuffer> {
  // copied, not grown in place (grownInPlace): the classic engine reads these fields in its hot loops, and over a
  // resizable buffer it ran ~7% slower (bench/engine.ts hour 2, seven pairs)
  const next = new Int32Array(capacity * width);
  next.set(meta);
  for (let o = meta.length; o < next.length; o += width) for (const f of none) next[o + f] = -1;
  return next;
}

/** `a`'s buffer's bytes when it is resizable (grownInPlace), which `process.memoryUsage().arrayBuffers` leaves out; else 0. */
export function resizableBytes(a: ArrayBufferView): number {
  return a.buffer instanceof ArrayBuffer && a.buffer.resizable ? a.buffer.byteLength : 0;
}

/** A typed array class whose views grownInPlace makes. */
interface ViewOf<T> {
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * `now` grown to `n` elements (zero past its end; not less than it holds), in place where its buffer has room: the
 * array lives in a resizable ArrayBuffer that reserves (address space only) 16 times what it holds, at least
 * `reserveMin` bytes. For the fused engine's account slots (184 B an account with the shipped rules). The account
 * numbers grow by a sixteenth at a time (account-table.ts), to keep little unused room; a copy into a fresh buffer at
 * each grow wrote ~16 times the slots' final size into newly faulted pages (1,000,000 accounts: 3.2 GB in 114 grows,
 * ~10 s here, ~10 µs per new account). Resized in place, only the room added is touched; past the reservation, one
 * copy into a new one. Node 20 reserves at most 4 GB (`reserveMax`; 23 M fused slots): past it, or when the address
 * space is refused, the array is a plain one again, copied at each grow as before. The returned view has a fixed
 * length; earlier views of the same buffer stay valid (it never shrinks). Node's `process.memoryUsage().arrayBuffers`
 * leaves resizable buffers out (the benches add them: FusedEngine.uncountedBytes). Not for the classic engine's fields
 * (growFields says why).
 */
export function grownInPlace<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(now: T, n: number, View: ViewOf<T>, reserveMin = 1 << 20, reserveMax = MAX_RESERVE): T {
  const bytes = n * View.BYTES_PER_ELEMENT;
  const buf = now.buffer;
  if (buf.resizable && bytes >= buf.byteLength && bytes <= buf.maxByteLength) {
    buf.resize(bytes);
    return new View(buf, 0, n);
  }
  const next = new View(reserved(bytes, Math.min(Math.max(16 * bytes, reserveMin), reserveMax)), 0, n);
  next.set(now);
  return next;
}

/** The most a resizable ArrayBuffer may reserve in Node 20 (a larger maxByteLength throws a RangeError). */
const MAX_RESERVE = 2 ** 32;

/** `bytes` in a buffer reserving `max` (a plain one, copied again at the next grow, when `max` is no more or is refused). */
function reserved(bytes: number, max: number): ArrayBuffer {
  if (max <= bytes) return new ArrayBuffer(bytes);
  try {
    return new ArrayBuffer(bytes, { maxByteLength: max });
  } catch {
    return new ArrayBuffer(bytes);
  }
}

/** The smallest class that holds `rows` rows. */
export function classFor(rows: number): number {
  if (rows <= 16) return rows > 0 ? rows - 1 : 0;
  let c = 16;
  while (capOf(c) < rows) c++;
  return c;
}

export class RowArena {
  /** Room a `sparse()` arena wastes at least, in doubles (tests set -Infinity to compact at every growth). */
  static minWaste = 4 * FIRST_CHUNK;
  /** Doubles of chunks one compaction at the engine's sweep slides (64 MB: tens of milliseconds; tests set less). */
  static run = 1 << 23;
  /** Chunks allocated by every arena of the process (for benches: a compaction in place allocates none). */
  static chunksMade = 0;

  /** By chunk number (null: a large region's chunk, freed). */
  readonly chunks: (Float64Array | null)[] = [];
  /** Int32 and byte views of the chunks, made on first use (`words`, `octets`), and the chunk each was made for. */
  private readonly views: (Int32Array | null)[] = [];
  private readonly viewed: (Float64Array | null)[] = [];
  private readonly byteViews: (Uint8Array | null)[] = [];
  private readonly byteViewed: (Float64Array | null)[] = [];
  /** Free regions by class. */
  private free: number[][] = [];
  private readonly freeChunks: number[] = [];
  /** Chunks that hold one large region each (never slid), and empty chunks a compaction kept for the next regions. */
  private readonly own: boolean[] = [];
  private readonly spare: number[] = [];
  /** Doubles of the spare chunks (`ahead` is asked at every growth: no loop over them). */
  private spareRoom = 0;
  /** The chunk regions are cut from, and its first unused double. */
  private cur = -1;
  private top = 0;
  private nextChunk: number;
  /** Doubles in regions handed out, and in chunks. */
  used = 0;
  capacity = 0;
  /** Compactions in place so far (`slide`). */
  slides = 0;
  /** Doubles of chunks allocated since the last compaction. */
  private grown = 0;
  /** The chunk the next bounded compaction starts from. */
  private runFrom = 0;

  /** `expect`: about how many doubles will be handed out soon (the first chunks are sized for it). */
  constructor(readonly stride: number, expect = 0) {
    this.nextChunk = Math.min(CHUNK, Math.max(FIRST_CHUNK, expect));
  }

  /**
   * Whether the freed regions and the chunk tails left behind hold more than half as much as the regions in use (the
   * owner should then compact it whole, moving every region); the room not yet cut and spare chunks do not count.
   */
  sparse(): boolean {
    const ahead = this.ahead();
    return this.capacity - ahead - this.used > (this.used >> 1) + RowArena.minWaste;
  }

  /** The chunk holding region `at` (index it from `base(at)`). */
  chunk(at: number): Float64Array {
    return this.chunks[at >>> CHUNK_BITS]!;
  }

  base(at: number): number {
    return at & OFFSET_MASK;
  }

  /** The chunk holding region `at` as int32s (index it from 2 x `base(at)`), for rows that pack two int32s a double. */
  words(at: number): Int32Array {
    const k = at >>> CHUNK_BITS;
    const c = this.chunks[k]!;
    if (this.viewed[k] === c) return this.views[k]!;
    this.viewed[k] = c;
    return (this.views[k] = new Int32Array(c.buffer, c.byteOffset, 2 * c.length));
  }

  /** The chunk holding region `at` as bytes (index it from 8 x `base(at)`), for rows of bytes (ring-ids.ts). */
  octets(at: number): Uint8Array {
    const k = at >>> CHUNK_BITS;
    const c = this.chunks[k]!;
    if (this.byteViewed[k] === c) return this.byteViews[k]!;
    this.byteViewed[k] = c;
    return (this.byteViews[k] = new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  }

  /** A region of class `c`; its contents are undefined. */
  alloc(c: number): number {
    const size = capOf(c) * this.stride;
    this.used += size;
    if (size > LARGE) {
      const k = this.chunkNumber();
      this.chunks[k] = new Float64Array(size);
      RowArena.chunksMade++;
      this.own[k] = true;
      this.capacity += size;
      return k * CHUNK;
    }
    const list = this.free[c];
    if (list !== undefined && list.length > 0) return list.pop()!;
    if (this.cur < 0 || this.top + size > this.chunks[this.cur]!.length) this.newChunk(size);
    const at = this.cur * CHUNK + this.top;
    this.top += size;
    return at;
  }

  release(at: number, c: number): void {
    const size = capOf(c) * this.stride;
    this.used -= size;
    if (size > LARGE) {
      this.own[at >>> CHUNK_BITS] = false;
      this.dropChunk(at >>> CHUNK_BITS);
      return;
    }
    (this.free[c] ??= []).push(at);
  }

  /**
   * Whether the holes (as `sparse`) pass a sixteenth of the regions in use: the owner's periodic compaction (at the
   * engine's sweep, EngineState.sweep) slides a run of chunks then, so holes left by lists grown class by class do not stay.
   */
  holey(): boolean {
    const ahead = this.ahead();
    return this.capacity - ahead - this.used > (this.used >> SLACK) + RowArena.minWaste;
  }

  /**
   * Compacts in place: slides the regions of a run of chunks down over their holes, in address order, chunk after
   * chunk, and calls `moved(key, from, to)` for each before the next one moves. `gather` adds every region in use to
   * the order it is given (with its size and the owner's own number for it; the order keeps those of the run). A
   * region only ever moves down (to a lower chunk of the run, or lower in its own), so the owner copies its rows
   * forward (they may overlap) and points at `to`; large regions stay where they are. The run is every chunk when
   * `whole`, else the next chunks from where the last run ended, up to `RowArena.run` doubles, so that one sweep of a large
   * store is bounded and the next sweeps go on round the store. Afterwards the run has no holes but the ends of chunks
   * too short for the next region; the chunks left empty are kept as room for the next regions while that room stays
   * under a sixty-fourth of the doubles in use plus what the store grew by since the last compaction, else dropped.
   */
  slide(whole: boolean, gather: (order: RegionOrder) => void, moved: (key: number, from: number, to: number) => void): void {
    this.slides++;
    const chunks = this.chunks;
    let from = whole || this.runFrom >= chunks.length ? 0 : this.runFrom;
    from = this.nextSmall(from, chunks.length);
    let end = from;
    if (whole) end = chunks.length;
    else for (let n = 0; end < chunks.length && n < RowArena.run; end = this.nextSmall(end + 1, chunks.length)) n += chunks[end]!.length;
    // a run that reached the last chunk starts the next from the first (chunks added since are at the end)
    this.runFrom = end >= chunks.length ? 0 : end;
    const order = regionOrder;
    order.clear(from * CHUNK, end * CHUNK);
    gather(order);
    const idx = order.sorted();
    // the holes and spare chunks of the run are taken up by the slide
    for (const list of this.free) if (list !== undefined) dropWithin(list, from * CHUNK, end * CHUNK);
    for (let i = this.spare.length - 1; i >= 0; i--) {
      if (this.spare[i]! < from || this.spare[i]! >= end) continue;
      this.spareRoom -= chunks[this.spare[i]!]!.length;
      this.spare.splice(i, 1);
    }
    let k = from;
    let top = 0;
    for (let j = 0; j < order.n; j++) {
      const i = idx[j]!;
      const size = order.size[i]!;
      if (size > LARGE) continue;
      while (chunks[k]!.length - top < size) {
        this.cutRest(k, top);
        k = this.nextSmall(k + 1, end);
        top = 0;
      }
      moved(order.key[i]!, order.at[i]!, k * CHUNK + top);
      top += size;
    }
    order.clear(0, 0);
    if (k >= end) return;
    // the last chunk written goes on from `top` when the current one was in the run; every later one is empty
    if (this.cur >= from && this.cur < end) {
      this.cur = k;
      this.top = top;
    } else this.cutRest(k, top);
    const keep = Math.max(FIRST_CHUNK, this.used >> CHUNK_SLACK) + this.grown;
    this.grown = 0;
    let room = this.ahead();
    for (let e = this.nextSmall(k + 1, end); e < end; e = this.nextSmall(e + 1, end)) {
      const len = chunks[e]!.length;
      if (room + len <= keep) {
        this.spare.push(e);
        this.spareRoom += len;
        room += len;
      } else this.dropChunk(e);
    }
  }

  /** The first chunk from number `k` on (below `end`) that regions are cut from (not dropped, not a large region's), or `end`. */
  private nextSmall(k: number, end: number): number {
    while (k < end && (this.chunks[k] === null || this.own[k] === true)) k++;
    return k;
  }

  /** Doubles not yet cut from the current chunk and the spare ones (not holes: the next regions come from there). */
  ahead(): number {
    return (this.cur < 0 ? 0 : this.chunks[this.cur]!.length - this.top) + this.spareRoom;
  }

  /** Array-buffer bytes of the chunks. */
  bytes(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c.byteLength;
    return n;
  }

  /** Starts a chunk that holds at least `size` doubles: a spare one when one does, else a new one. */
  private newChunk(size: number): void {
    if (this.cur >= 0) this.cutRest(this.cur, this.top);
    this.top = 0;
    for (let i = this.spare.length - 1; i >= 0; i--) {
      const k = this.spare[i]!;
      if (this.chunks[k]!.length < size) continue;
      this.spare.splice(i, 1);
      this.spareRoom -= this.chunks[k]!.length;
      this.cur = k;
      return;
    }
    const k = this.chunkNumber();
    // a whole number of rows, so no region straddles the end
    const len = Math.max(size, Math.floor(this.nextChunk / this.stride) * this.stride);
    this.chunks[k] = new Float64Array(len);
    this.capacity += len;
    this.grown += len;
    RowArena.chunksMade++;
    // the next chunk a sixty-fourth of what is in use: the room not yet used stays under a sixty-fourth of it
    this.nextChunk = Math.min(CHUNK, Math.max(FIRST_CHUNK, this.used >> CHUNK_SLACK));
    this.cur = k;
  }

  /** Hands chunk `k`'s doubles from `top` on to the free lists, largest classes first. */
  private cutRest(k: number, top: number): void {
    let left = this.chunks[k]!.length - top;
    let c = classFor(Math.floor(left / this.stride) + 1);
    while (c >= 0 && left >= this.stride) {
      const size = capOf(c) * this.stride;
      if (size <= left && size <= LARGE) {
        (this.free[c] ??= []).push(k * CHUNK + top);
        top += size;
        left -= size;
      } else c--;
    }
  }

  /** Drops chunk `k` (empty) and its views; its number is used again. */
  private dropChunk(k: number): void {
    this.capacity -= this.chunks[k]!.length;
    this.chunks[k] = null;
    this.views[k] = this.viewed[k] = this.byteViews[k] = this.byteViewed[k] = null;
    this.freeChunks.push(k);
  }

  private chunkNumber(): number {
    if (this.freeChunks.length > 0) return this.freeChunks.pop()!;
    if (this.chunks.length >= MAX_CHUNKS) throw new Error(`window row store full (${MAX_CHUNKS} chunks of ${CHUNK} numbers)`);
    this.chunks.push(null);
    return this.chunks.length - 1;
  }
}

/** Removes from `list` the region names in [lo, hi), keeping the others' order. */
function dropWithin(list: number[], lo: number, hi: number): void {
  let w = 0;
  for (const at of list) if (at < lo || at >= hi) list[w++] = at;
  list.length = w;
}
