// Benchmark of the fraud engine (run: `node --expose-gc --import tsx bench/engine.ts`, or `npx tsx bench/engine.ts`
// for throughput only). Default rules, ACCOUNTS active accounts (default 100,000), pre-parsed CDRs of ordinary
// office traffic: hour 1 warms the engine (and the number cache), hour 2 is timed. Reports CDR/s, heap per active
// account (needs --expose-gc) and snapshot bytes per account. Figures go into bench/README.md.
import { readFileSync } from 'node:fs';
import type { CdrRecord } from '../src/events/types.js';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile } from '../src/rules/types.js';
import { cdr, profile, rng, ukNumber } from '../test/helpers/traffic.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const CALLS_PER_HOUR = Number(process.env.CALLS_PER_HOUR ?? 5);
const HOUR = 3_600_000;
const START = Date.parse('2026-11-24T09:00:00Z');

function hourOfTraffic(hour: number, r: () => number, favourites: string[][]): CdrRecord[] {
  const out: CdrRecord[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    for (let k = 0; k < CALLS_PER_HOUR; k++) {
      const x = r();
      const callee = x < 0.02 ? `+331${Math.floor(r() * 1e8)}` : x < 0.3 ? favourites[a]![Math.floor(r() * 5)]! : ukNumber(r);
      out.push(cdr({
        id: `b${hour}-${a}-${k}`, accountId: `acct-${a}`, callee, startedAt: START + hour * HOUR + Math.floor(r() * (HOUR - 300_000)),
        durationSec: 5 + Math.floor(r() * 240), costMicros: 10_000 + Math.floor(r() * 100_000), disposition: r() < 0.85 ? 'answered' : 'no_answer',
      }));
    }
  }
  return out.sort((p, q) => p.endedAt! - q.endedAt!);
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
};

const rules = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync(new URL('../rules/fraud.yaml', import.meta.url), 'utf8') }], 'bench').rules.fraud;
const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles = new Map<string, AccountProfile>();
for (let a = 0; a < ACCOUNTS; a++) profiles.set(`acct-${a}`, profile(`acct-${a}`));
const hour1 = hourOfTraffic(0, r, favourites);
const hour2 = hourOfTraffic(1, r, favourites);

const before = heap();
const engine = createFraudEngine(rules, { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' });

/** Wall time, and CPU time of this process (the fairer figure on a shared machine). */
function run(cdrs: CdrRecord[]): { seconds: number; cpuSeconds: number; hits: number } {
  let hits = 0;
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < cdrs.length; i++) {
    const c = cdrs[i]!;
    hits += engine.process(c, profiles.get(c.accountId)!).hits.length;
  }
  const cpu = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpuSeconds: (cpu.user + cpu.system) / 1e6, hits };
}

const cold = run(hour1);
const warm = run(hour2);
const after = heap();
const snapshot = engine.snapshot();

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');
console.log(`rules: ${rules.length} default fraud rules; accounts: ${fmt(ACCOUNTS)}; CDRs: ${fmt(hour1.length)} per hour`);
console.log(`hour 1 (cold engine, cold number cache): ${fmt(hour1.length / cold.seconds)} CDR/s wall, ${fmt(hour1.length / cold.cpuSeconds)} CDR/s per CPU-second`);
console.log(`hour 2 (warm, timed):                    ${fmt(hour2.length / warm.seconds)} CDR/s wall, ${fmt(hour2.length / warm.cpuSeconds)} CDR/s per CPU-second`);
console.log(`hits: ${cold.hits + warm.hits} (ordinary traffic)`);
console.log(`active accounts: ${fmt(engine.size())}`);
if (gc) console.log(`heap per active account: ${fmt((after - before) / engine.size())} bytes (engine state incl. number/tz caches)`);
else console.log('heap per active account: run with node --expose-gc --import tsx bench/engine.ts');
console.log(`snapshot: ${fmt(snapshot.byteLength / engine.size())} bytes per account`);
