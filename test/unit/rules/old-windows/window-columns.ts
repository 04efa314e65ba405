// Which of a window group's row columns share one place in the rows its logs keep (window-rows.ts), and the move
// between the two numberings. STORED rows (account parts, engine-snapshot.ts, and the rows a rule change re-files)
// hold one column per source (cost, seconds, caller, callee, a range), as they always have: parts written before
// and after sharing read alike, and a build without it reads new parts. KEPT rows put sources whose rules never
// count the same CDR (cdr-matcher.ts neverBoth) in one column, which holds the source that a rule of the row's mask
// reads, else 0; the other sources of that column are not needed by any rule of the row, and are stored as 0.
// A column read by two rules that may both match stays a column of its own. Pure.

/** How a group's stored rows map to its kept rows (numbered as rows are: column 0 is the time). */
export interface SharedColumns {
  /** Numbers per stored row: the time, one per source, then the mask when the group has more than one slot. */
  stride: number;
  maskCol: number;
  /** Per stored column c >= 1, at c - 1: its kept column. */
  at: number[];
  /** Per stored column c >= 1, at c - 1: the bits of the slots that read it. */
  reads: number[];
  /** Per kept column p >= 1, at p - 1: its stored columns (one, unless shared). */
  of: number[][];
}

/**
 * Places stored columns (`reads`: per column, the bits of the slots reading it) in kept columns: each joins the
 * first kept column none of whose readers may count a CDR together with one of its own (`apart(s, t)`: slots s and t
 * never both match), else takes a new one. A slot that reads two columns keeps them apart (a slot meets itself).
 * `masked`: rows end with a mask (a group of more than one slot).
 */
export function shareColumns(reads: readonly number[], apart: (s: number, t: number) => boolean, masked: boolean): SharedColumns {
  const of: number[][] = [];
  const at: number[] = [];
  const bits = (m: number) => [...Array(31).keys()].filter((s) => (m & (1 << s)) !== 0);
  const meets = (a: number, b: number) => bits(a).some((s) => bits(b).some((t) => !apart(s, t)));
  reads.forEach((m, j) => {
    let p = of.findIndex((cols) => cols.every((c) => !meets(reads[c - 1]!, m)));
    if (p < 0) p = of.push([]) - 1;
    of[p]!.push(j + 1);
    at.push(p + 1);
  });
  const stride = 1 + reads.length + (masked ? 1 : 0);
  return { stride, maskCol: masked ? stride - 1 : -1, at, reads: [...reads], of };
}

/** Whether kept and stored rows differ (some column is shared). */
export function anyShared(cols: SharedColumns): boolean {
  return cols.of.length < cols.at.length;
}

/** The stored column that kept column `p` holds in a row of mask `mask`, or -1 (the column then holds 0). */
export function heldBy(cols: SharedColumns, p: number, mask: number): number {
  const js = cols.of[p - 1]!;
  if (js.length === 1) return js[0]!;
  for (let q = 0; q < js.length; q++) if ((mask & cols.reads[js[q]! - 1]!) !== 0) return js[q]!;
  return -1;
}

/** A stored row (at `from` in `rows`) as a kept row of `stride` numbers with its mask at `maskCol`. */
export function keptRow(cols: SharedColumns, rows: readonly number[], from: number, stride: number, maskCol: number): number[] {
  const out = new Array<number>(stride);
  const mask = cols.maskCol < 0 ? 1 : rows[from + cols.maskCol]!;
  out[0] = rows[from]!;
  for (let p = 1; p <= cols.of.length; p++) {
    const c = heldBy(cols, p, mask);
    out[p] = c < 0 ? 0 : rows[from + c]!;
  }
  if (maskCol >= 0) out[maskCol] = mask;
  return out;
}
