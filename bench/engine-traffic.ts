// The engine bench's traffic (bench/engine.ts, bench/fused-ceiling.ts): one hour of ordinary office calls per account
// in compact columns, in event-time order, and the CdrRecord objects of a slice of it, made as the ingest hands
// decoded batches to the engine. Deterministic for the generator `r`: both benches draw the same calls.
import type { CdrRecord } from '../src/events/types.js';
import { cdr, ukNumber } from '../test/helpers/traffic.js';

export const HOUR = 3_600_000;
export const START = Date.parse('2026-11-24T09:00:00Z');

/** One hour of calls in compact columns, in event-time order. */
export interface Hour {
  hour: number;
  account: Int32Array;
  k: Int32Array;
  startedAt: Float64Array;
  durationSec: Int32Array;
  costMicros: Int32Array;
  answered: Uint8Array;
  callee: string[];
}

// A callee made by a template literal of 13 or more characters is a V8 cons string, flattened on its first read, and
// that first read was inside the timed engine.process. The ingest hands the engine flat strings copied out of the
// message bytes (cdr-bytes.ts, latin1Slice), so the bench makes its callees the same way.
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

/** Hour `hour` (0: the first) of `accounts` accounts placing `callsPerHour` calls each. */
export function hourOfTraffic(hour: number, r: () => number, favourites: string[][], accounts: number, callsPerHour: number): Hour {
  const n = accounts * callsPerHour;
  const h: Hour = {
    hour, account: new Int32Array(n), k: new Int32Array(n), startedAt: new Float64Array(n), durationSec: new Int32Array(n),
    costMicros: new Int32Array(n), answered: new Uint8Array(n), callee: new Array<string>(n),
  };
  const ended = new Float64Array(n);
  let i = 0;
  for (let a = 0; a < accounts; a++) {
    for (let k = 0; k < callsPerHour; k++, i++) {
      const x = r();
      h.callee[i] = flat(x < 0.02 ? `+331${Math.floor(r() * 1e8)}` : x < 0.3 ? favourites[a]![Math.floor(r() * 5)]! : ukNumber(r));
      [h.account[i], h.k[i]] = [a, k];
      h.startedAt[i] = START + hour * HOUR + Math.floor(r() * (HOUR - 300_000));
      h.durationSec[i] = 5 + Math.floor(r() * 240);
      h.costMicros[i] = 10_000 + Math.floor(r() * 100_000);
      h.answered[i] = r() < 0.85 ? 1 : 0;
      ended[i] = h.answered[i] ? h.startedAt[i]! + 5_000 + h.durationSec[i]! * 1000 : h.startedAt[i]! + 20_000;
    }
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((p, q) => ended[p]! - ended[q]!);
  const perm = <T extends { [i: number]: unknown; length: number }>(col: T, make: (n: number) => T): T => {
    const out = make(n);
    for (let j = 0; j < n; j++) out[j] = col[order[j]!];
    return out;
  };
  return {
    hour, account: perm(h.account, (m) => new Int32Array(m)), k: perm(h.k, (m) => new Int32Array(m)),
    startedAt: perm(h.startedAt, (m) => new Float64Array(m)), durationSec: perm(h.durationSec, (m) => new Int32Array(m)),
    costMicros: perm(h.costMicros, (m) => new Int32Array(m)), answered: perm(h.answered, (m) => new Uint8Array(m)),
    callee: perm(h.callee, (m) => new Array<string>(m)),
  };
}

/** The records of calls [from, to) of `h`. */
export function batchOf(h: Hour, from: number, to: number): CdrRecord[] {
  const out: CdrRecord[] = [];
  for (let i = from; i < to; i++) {
    const a = h.account[i]!;
    out.push(cdr({
      id: `b${h.hour}-${a}-${h.k[i]}`, accountId: `acct-${a}`, callee: h.callee[i]!, startedAt: h.startedAt[i]!,
      durationSec: h.durationSec[i]!, costMicros: h.costMicros[i]!, disposition: h.answered[i] ? 'answered' : 'no_answer',
    }));
  }
  return out;
}
