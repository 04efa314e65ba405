// Writes a JSON value's UTF-8 bytes exactly as `new TextEncoder().encode(JSON.stringify(value))` gives them, for the
// values an account part's header holds (engine-snapshot.ts): arrays, numbers, strings, null (undefined in an array
// is null, as JSON.stringify writes it). The header was JSON.stringify then TextEncoder: ~7 µs of an account's ~16 µs
// encode, most of it turning times (13-digit whole numbers, outside V8's small integers) into text. Here a safe
// integer (below 1e15) is written digit by digit in int32 halves, a string of printable ASCII without '"' or '\' byte by byte, and anything else
// (fractions, huge numbers, strings to escape, objects) goes through JSON.stringify itself, so every value comes out
// the same. test/unit/rules/json-bytes.test.ts holds both to each other on arbitrary values. Pure.

const utf8 = new TextEncoder();
/** '00' to '99' as byte pairs. */
const PAIRS = new Uint8Array(200).map((_, i) => 48 + (i & 1 ? (i >> 1) % 10 : Math.floor((i >> 1) / 10)));

export class JsonBytes {
  private buf = new Uint8Array(1024);
  private n = 0;

  /** The bytes written since the last reset (a view of the writer's buffer: copy before the next reset). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n);
  }

  get length(): number {
    return this.n;
  }

  reset(): this {
    this.n = 0;
    return this;
  }

  value(v: unknown): void {
    if (typeof v === 'number') this.number(v);
    else if (v === null || v === undefined) this.ascii('null');
    else if (typeof v === 'string') this.string(v);
    else if (Array.isArray(v)) this.array(v);
    else this.raw(JSON.stringify(v) ?? 'null');
  }

  array(a: readonly unknown[]): void {
    this.room(1);
    this.buf[this.n++] = 0x5b;
    for (let i = 0; i < a.length; i++) {
      if (i > 0) {
        this.room(1);
        this.buf[this.n++] = 0x2c;
      }
      this.value(a[i]);
    }
    this.room(1);
    this.buf[this.n++] = 0x5d;
  }

  /** A number as JSON.stringify writes it: null when not finite, -0 as 0. */
  number(x: number): void {
    // below 1e15 a tenth is far from a rounding boundary, so the digits are exact (times are ~1.8e12)
    if (!(Number.isInteger(x) && x < 1e15 && x > -1e15)) {
      this.ascii(Number.isFinite(x) ? String(x) : 'null');
      return;
    }
    this.room(17);
    if (x < 0) {
      this.buf[this.n++] = 0x2d;
      x = -x;
    }
    // in int32 halves: V8 divides those by 10 with a multiply, a double by a division (~20 cycles a digit)
    if (x < 1e8) this.digits(x | 0, 0);
    else {
      const hi = Math.floor(x / 1e8);
      this.digits(hi | 0, 0);
      this.digits((x - hi * 1e8) | 0, 8);
    }
  }

  /** A non-negative int32's digits (below 1e8 when `pad`), at least `pad` of them (leading zeros). */
  private digits(v: number, pad: number): void {
    const k = Math.max(pad, v < 10 ? 1 : v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10);
    const b = this.buf;
    let p = this.n + k;
    this.n = p;
    // two digits a step, from a table of the hundred pairs
    while (v >= 100) {
      const q = (v / 100) | 0;
      const r = (v - q * 100) << 1;
      b[--p] = PAIRS[r + 1]!;
      b[--p] = PAIRS[r]!;
      v = q;
    }
    if (v >= 10) {
      b[--p] = PAIRS[(v << 1) + 1]!;
      b[--p] = PAIRS[v << 1]!;
    } else b[--p] = 48 + v;
    while (p > this.n - k) b[--p] = 48;
  }

  string(s: string): void {
    this.room(s.length + 2);
    const b = this.buf;
    const start = this.n;
    b[this.n++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.n = start;
        this.raw(JSON.stringify(s));
        return;
      }
      b[this.n++] = c;
    }
    b[this.n++] = 0x22;
  }

  /** Text JSON.stringify wrote (any characters), as UTF-8. */
  private raw(text: string): void {
    const bytes = utf8.encode(text);
    this.room(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
  }

  /** ASCII text (a number's String, 'null'). */
  private ascii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.n++] = text.charCodeAt(i);
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}
