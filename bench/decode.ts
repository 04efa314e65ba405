// Micro-benchmark of CDR decoding alone (issue 17): the hand-written fast paths (src/events/cdr-bytes.ts on the
// message's bytes, src/events/cdr-fast.ts on the parsed object) against the zod schema they stand in for
// (cdr-schema.ts), in the same process, on the realistic CDRs of bench/ingest.ts. Prints (1) the object step only
// (parsed JSON -> CdrRecord), (2) the bytes step only (cdr-bytes.ts) and (3) the whole decodeRecord (bytes ->
// record) with both fast paths, with the object path only (the decode before the bytes path) and with neither (its
// `cdrFastPath` argument). Run: `npx tsx bench/decode.ts` (N, default 200,000).
import { decodeCdrBytes } from '../src/events/cdr-bytes.js';
import { decodeCdrFast } from '../src/events/cdr-fast.js';
import { cdrSchema } from '../src/events/cdr-schema.js';
import { decodeRecord } from '../src/events/decode-record.js';
import { cdrMessage, generateCdrs } from '../test/integration/ingest/wire.js';

const N = Number(process.env.N ?? 200_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const START = Date.parse('2026-11-24T09:00:00Z');
const values = generateCdrs({ n: N, accounts: 20_000, startMs: START, seed: 17 }).map((c) => cdrMessage(c).value);
const objects = values.map((v) => JSON.parse(v.toString('utf8')) as Record<string, unknown>);
const arrived = START + N * 100;
let sink = 0;

function time(name: string, f: (i: number) => boolean): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) if (f(i)) sink++;
    const u = process.cpuUsage(t);
    best = Math.min(best, ((u.user + u.system) * 1000) / N);
  }
  console.log(`${name.padEnd(52)} ${(best / 1000).toFixed(2).padStart(6)} µs CPU per CDR (best of ${ROUNDS})`);
  return best;
}

console.log(`${N.toLocaleString('en-GB')} realistic CDRs (avg ${Math.round(values.reduce((s, v) => s + v.length, 0) / N)} bytes)`);
const zodObj = time('object -> CdrRecord, zod schema', (i) => cdrSchema.safeParse(objects[i]).success);
const fastObj = time('object -> CdrRecord, fast path', (i) => decodeCdrFast(objects[i]!) !== null);
const bytesOnly = time('bytes -> CdrRecord, bytes path (cdr-bytes.ts) alone', (i) => decodeCdrBytes(values[i]!) !== null);
const zodAll = time('bytes -> record, decodeRecord, zod schema only', (i) => decodeRecord('cdrs', values[i]!, arrived, false).ok);
const objAll = time('bytes -> record, decodeRecord, object path (before)', (i) => decodeRecord('cdrs', values[i]!, arrived, 'object').ok);
const bytesAll = time('bytes -> record, decodeRecord, bytes path (after)', (i) => decodeRecord('cdrs', values[i]!, arrived).ok);
console.log(`object step: fast path ${(zodObj / fastObj).toFixed(2)}x the zod schema; bytes step alone ${bytesOnly.toFixed(0)} ns`);
console.log(`whole decode: object path ${(zodAll / objAll).toFixed(2)}x the zod schema; bytes path ${(objAll / bytesAll).toFixed(2)}x the object path (${objAll.toFixed(0)} -> ${bytesAll.toFixed(0)} ns per CDR)`);
if (sink !== ROUNDS * N * 6) throw new Error(`not every CDR decoded (${sink} of ${ROUNDS * N * 6})`);
