// The fused engine (src/rules/fused/fused-engine.ts) against the classic engine (src/rules/fraud-engine.ts) in ONE
// process, as bench/engine-ab.ts: the same traffic as bench/engine.ts (100,000 accounts x 5 calls/h, the 20 shipped
// rules; WARM_HOURS untimed hours, default 1, then one timed hour), batch by batch, the order within each batch
// alternating; CDR/s per CPU-second of each over the timed hour and their ratio. Every batch's results are compared
// whole (outcome and hits), so the figure is of two engines giving the same answers. `SWAP=1` makes the classic engine
// first (its state allocated first).
// `ONLY=fused` or `ONLY=classic`: that engine alone, as bench/engine.ts measures (CPU of `process` only), with heap +
// array buffers per active account after gc (run with node --expose-gc --single-threaded-gc --import tsx).
// `node --expose-gc --single-threaded-gc --import tsx bench/fused-ab.ts`.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { createFusedEngine } from '../src/rules/fused/fused-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile, FraudEngine, ProcessResult } from '../src/rules/types.js';
import { profile, rng, ukNumber } from '../test/helpers/traffic.js';
import { profiled } from './cpu-profile.js';
import { batchOf, hourOfTraffic, type Hour } from './engine-traffic.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const CALLS_PER_HOUR = Number(process.env.CALLS_PER_HOUR ?? 5);
const WARM_HOURS = Math.max(1, Number(process.env.WARM_HOURS ?? 1));
const BATCH = 10_000;
const ONLY = process.env.ONLY ?? '';

const rulesFile = new URL('../rules/fraud.yaml', import.meta.url).pathname;
const allRules = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
const only = process.env.RULES?.split(',').filter(Boolean);
const rules = only ? allRules.filter((x) => only.includes(x.id)) : allRules;
const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`acct-${a}`));
const hour1 = hourOfTraffic(0, r, favourites, ACCOUNTS, CALLS_PER_HOUR);
const timed = hourOfTraffic(WARM_HOURS, r, favourites, ACCOUNTS, CALLS_PER_HOUR);
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' };
const f = (x: number) => Math.round(x).toLocaleString('en-GB');

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

if (ONLY) alone();
else ab();

function ab(): void {
  const swap = process.env.SWAP === '1';
  const made = swap ? [createFraudEngine(rules, opts), createFusedEngine(rules, opts)] : [createFusedEngine(rules, opts), createFraudEngine(rules, opts)];
  const engines: FraudEngine[] = swap ? [made[1]!, made[0]!] : [made[0]!, made[1]!];
  const results: ProcessResult[] = [];
  const run = (h: Hour): number[] => {
    const cpu = [0, 0];
    const n = h.account.length;
    for (let from = 0, b = 0; from < n; from += BATCH, b++) {
      const to = Math.min(n, from + BATCH);
      for (let k = 0; k < 2; k++) {
        const e = (b + k) % 2;
        const batch = batchOf(h, from, to);
        const engine = engines[e]!;
        const first = k === 0;
        const c0 = process.cpuUsage();
        if (first) for (let i = 0; i < batch.length; i++) results[i] = engine.process(batch[i]!, profiles[h.account[from + i]!]!);
        else {
          for (let i = 0; i < batch.length; i++) {
            const got = engine.process(batch[i]!, profiles[h.account[from + i]!]!);
            if (got !== results[i] && !isDeepStrictEqual(got, results[i])) throw new Error(`results differ at record ${from + i}: ${JSON.stringify(got)} against ${JSON.stringify(results[i])}`);
          }
        }
        const c = process.cpuUsage(c0);
        cpu[e] = cpu[e]! + (c.user + c.system) / 1e6;
      }
    }
    return cpu.map((s) => n / s);
  };
  run(hour1);
  for (let h = 1; h < WARM_HOURS; h++) run(hourOfTraffic(h, r, favourites, ACCOUNTS, CALLS_PER_HOUR));
  const [a, b] = run(timed);
  console.log(`hour ${WARM_HOURS + 1} CDR/s per CPU-second${swap ? ' (classic made first)' : ''}: fused ${f(a!)}, classic ${f(b!)}, fused/classic ${(a! / b!).toFixed(3)} (every result the same)`);
}

function alone(): void {
  const before = heap();
  const engine: FraudEngine = ONLY === 'fused' ? createFusedEngine(rules, opts) : createFraudEngine(rules, opts);
  const run = (h: Hour): number => {
    let cpu = 0;
    const n = h.account.length;
    for (let from = 0; from < n; from += BATCH) {
      const batch = batchOf(h, from, Math.min(n, from + BATCH));
      const c0 = process.cpuUsage();
      for (let i = 0; i < batch.length; i++) engine.process(batch[i]!, profiles[h.account[from + i]!]!);
      const c = process.cpuUsage(c0);
      cpu += (c.user + c.system) / 1e6;
    }
    return n / cpu;
  };
  run(hour1);
  for (let h = 1; h < WARM_HOURS; h++) run(hourOfTraffic(h, r, favourites, ACCOUNTS, CALLS_PER_HOUR));
  // `PROFILE=file.cpuprofile`: a CPU profile of the timed hour alone (summarise: npx tsx bench/profile-top.ts FILE)
  const rate = process.env.PROFILE ? profiled(process.env.PROFILE, () => run(timed)) : run(timed);
  // the fused engine's slots are in a resizable ArrayBuffer, which memoryUsage().arrayBuffers leaves out
  const after = heap() + ((engine as { uncountedBytes?(): number }).uncountedBytes?.() ?? 0);
  const per = gc ? `${f((after - before) / engine.size())} B heap + array buffers per active account` : 'run with --expose-gc for memory';
  console.log(`${ONLY} alone, hour ${WARM_HOURS + 1}: ${f(rate)} CDR/s per CPU-second; ${per} (${f(engine.size())} accounts)`);
  if (process.env.BREAKDOWN && 'bytes' in engine) {
    const parts = (engine as unknown as { bytes(): Record<string, number> }).bytes();
    for (const [k, v] of Object.entries(parts)) console.log(`  ${k}: ${f(v / engine.size())} B per account`);
  }
}
