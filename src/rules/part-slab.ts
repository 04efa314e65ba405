// Where the account parts' bytes come from (engine-snapshot.ts): 8-aligned pieces of shared 64 KB buffers instead of
// one ArrayBuffer per part, and the part's JSON header encoded into one reused scratch buffer. Why: V8 counts every
// ArrayBuffer's bytes as external memory and is told of each one as it is made; once the external memory has grown
// 64 MB since the last Mark-Compact it starts an old-space marking, and while that marking runs each further
// ArrayBuffer makes the main thread do a step of it. A background state write encodes ~2,500 accounts a partition,
// so at 5,000 CDR/s of new accounts that was ~9,000 ArrayBuffers a second (the part and its header, two each): the
// marking was done on the event loop, in one stretch, instead of by the concurrent marker (bench/README.md, Ingest,
// branch `lat3`). With slabs a write makes one ArrayBuffer per 64 KB of parts.
// The bytes of a part are the same either way (a slab is zeroed when made and each piece is handed out once), and a
// part is a plain Uint8Array view (readers use its byteOffset). A part bigger than an eighth of a slab gets its own
// buffer, so a part kept long pins at most a slab. Pure; one slab per thread (module state).

const SLAB_BYTES = 64 * 1024;
const OWN_BUFFER_OVER = SLAB_BYTES / 8;

let slab: ArrayBuffer | null = null;
let used = 0;

/** `n` zeroed bytes whose byteOffset is a multiple of 8 (the part's float64s are read in place). */
export function partBytes(n: number): Uint8Array {
  if (n > OWN_BUFFER_OVER) return new Uint8Array(n);
  const size = (n + 7) & ~7;
  if (slab === null || used + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    used = 0;
  }
  const out = new Uint8Array(slab, used, n);
  used += size;
  return out;
}

const utf8 = new TextEncoder();
let scratch = new Uint8Array(4096);

/** `text` as UTF-8 in a scratch buffer reused by the next call: copy it out before then. */
export function utf8Scratch(text: string): Uint8Array {
  // At most 3 bytes per UTF-16 unit: a scratch that big never truncates.
  if (scratch.length < text.length * 3) scratch = new Uint8Array(Math.max(2 * scratch.length, text.length * 3));
  return scratch.subarray(0, utf8.encodeInto(text, scratch).written);
}
