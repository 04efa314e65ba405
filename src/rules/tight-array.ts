// Appending to the engine's small per-account number arrays without V8's spare capacity: `push` grows an array to
// 1.5x + 16 elements, so a 2-element array holds 17 (128 bytes of nothing, on every account). Below TIGHT elements
// an append copies into an exact-size array (cheap at that size); above it, `push` (amortised O(1)). Pure.

const TIGHT = 48;

/** `a` with `x, y, z` appended: a new exact-size array while small; `a` itself, pushed, when large. */
export function append3(a: number[] | null, x: number, y: number, z: number): number[] {
  if (a === null) return [x, y, z];
  const n = a.length;
  if (n >= TIGHT) {
    a.push(x, y, z);
    return a;
  }
  const b = new Array<number>(n + 3);
  for (let i = 0; i < n; i++) b[i] = a[i]!;
  b[n] = x;
  b[n + 1] = y;
  b[n + 2] = z;
  return b;
}

/** Removes `count` elements at `at` (a new exact-size array while small). */
export function cut(a: number[], at: number, count: number): number[] {
  if (a.length >= TIGHT) {
    a.splice(at, count);
    return a;
  }
  const b = new Array<number>(a.length - count);
  for (let i = 0; i < at; i++) b[i] = a[i]!;
  for (let i = at + count; i < a.length; i++) b[i - count] = a[i]!;
  return b;
}
