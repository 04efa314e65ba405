// Replay input: NDJSON files mixing account snapshots, CDRs and invoice events. Each line is classified by its
// shape and given its event time (accounts: updatedAt; CDRs: endedAt, else startedAt; invoices: occurredAt), then
// all lines are ordered by event time (stable, so file order breaks ties). Lines are kept as bytes: the pipeline
// decodes them exactly as it decodes Kafka values. Never: interprets a record beyond its kind and time.
import { readFile } from 'node:fs/promises';
import type { InputKind } from '../events/decode-record.js';
import { absurdTime, parseRfc3339 } from '../events/timestamp.js';

export interface ReplayLine {
  kind: InputKind;
  timeMs: number;
  value: Buffer;
  /** file:line, for messages. */
  origin: string;
  /** Set when the line is not JSON: counted as unreadable, never handed to the pipeline (issue 13). */
  unreadable?: string;
  /** An account line's time zone, so replay knows the zones whose midnights can move a dunning ladder. */
  timezone?: string;
}

function classify(o: Record<string, unknown>): { kind: InputKind; time: unknown } {
  if ('invoiceId' in o || 'outstanding' in o) return { kind: 'invoices', time: o.occurredAt };
  if ('callee' in o || 'direction' in o || 'startedAt' in o) {
    return { kind: 'cdrs', time: o.phase === 'start' ? o.startedAt : (o.endedAt ?? o.startedAt) };
  }
  return { kind: 'accounts', time: o.updatedAt };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Reads and orders every line. Lines that are not JSON are kept at time -1, marked unreadable with the reason; absurd
 *  times are kept at time -1 too, so they are decoded (and rejected) first. */
export async function readReplayFiles(files: readonly string[]): Promise<ReplayLine[]> {
  const out: ReplayLine[] = [];
  for (const file of files) {
    const text = await readFile(file);
    let start = 0;
    let lineNo = 0;
    while (start < text.length) {
      let end = text.indexOf(0x0a, start);
      if (end < 0) end = text.length;
      lineNo++;
      // The line's own bytes (ASCII whitespace trimmed), never re-encoded: invalid UTF-8 must reach the decoder
      // as it is and be rejected there, as on Kafka, rather than become U+FFFD.
      let from = start;
      let to = end;
      while (from < to && isSpace(text[from]!)) from++;
      while (to > from && isSpace(text[to - 1]!)) to--;
      start = end + 1;
      if (to === from) continue;
      const bytes = text.subarray(from, to);
      let kind: InputKind = 'cdrs';
      let timeMs = -1;
      let unreadable: string | undefined;
      let timezone: string | undefined;
      try {
        const o = JSON.parse(bytes.toString('utf8')) as unknown;
        if (o && typeof o === 'object' && !Array.isArray(o)) {
          const c = classify(o as Record<string, unknown>);
          kind = c.kind;
          timeMs = typeof c.time === 'string' ? (parseRfc3339(c.time) ?? -1) : -1;
          const tz = (o as Record<string, unknown>).timezone;
          if (kind === 'accounts' && typeof tz === 'string') timezone = tz;
          // An absurd time (before 2000, after 2100) orders nothing: such a line is decoded first and rejected,
          // instead of stretching the run (and its simulated dunning sweeps) over centuries.
          if (timeMs >= 0 && absurdTime(timeMs, timeMs) !== null) timeMs = -1;
        }
      } catch (err) {
        unreadable = `not JSON: ${(err as Error).message}`;
      }
      out.push({ kind, timeMs, value: Buffer.from(bytes), origin: `${file}:${lineNo}`, ...(unreadable ? { unreadable } : {}), ...(timezone ? { timezone } : {}) });
    }
  }
  return out.map((l, i) => ({ l, i })).sort((a, b) => a.l.timeMs - b.l.timeMs || a.i - b.i).map((x) => x.l);
}
