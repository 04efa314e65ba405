// The engine against a frozen copy of itself in one process (branch match9): two engines take the same traffic as
// bench/engine.ts (hour 1 untimed, hour 2 timed), batch by batch, the order within each batch alternating, so that the
// machine's drift and other processes' load fall on both alike; CDR/s per CPU-second of each over hour 2 and their
// ratio. `OLD=path` picks the frozen engine (default test/helpers/before-match9-ring9/fraud-engine.ts).
// `npx tsx bench/engine-ab.ts` (or node --expose-gc --single-threaded-gc --import tsx).
import { readFileSync } from 'node:fs';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile, FraudEngine } from '../src/rules/types.js';
import { profile, rng, ukNumber } from '../test/helpers/traffic.js';
import { batchOf, hourOfTraffic, type Hour } from './engine-traffic.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const BATCH = 10_000;
const oldPath = process.env.OLD ?? '../test/helpers/before-match9-ring9/fraud-engine.js';
const { createFraudEngine: createOld } = (await import(oldPath)) as { createFraudEngine: typeof createFraudEngine };

const rulesFile = new URL('../rules/fraud.yaml', import.meta.url).pathname;
const rules = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`acct-${a}`));
const hour1 = hourOfTraffic(0, r, favourites, ACCOUNTS, 5);
const hour2 = hourOfTraffic(1, r, favourites, ACCOUNTS, 5);
const opts = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' };
// SWAP=1 makes the frozen engine first (its state allocated first): an identical copy came out ~4% ahead when first
const swap = process.env.SWAP === '1';
const made = swap ? [createOld(rules, opts), createFraudEngine(rules, opts)] : [createFraudEngine(rules, opts), createOld(rules, opts)];
const engines: [string, FraudEngine][] = swap ? [['new', made[1]!], ['old', made[0]!]] : [['new', made[0]!], ['old', made[1]!]];

function run(h: Hour): number[] {
  const cpu = [0, 0];
  const hits = [0, 0];
  const n = h.account.length;
  for (let from = 0, b = 0; from < n; from += BATCH, b++) {
    // each engine its own records (the same calls): neither reads objects the other has just brought into cache
    for (let k = 0; k < 2; k++) {
      const e = (b + k) % 2;
      const batch = batchOf(h, from, Math.min(n, from + BATCH));
      const engine = engines[e]![1];
      const c0 = process.cpuUsage();
      let got = 0;
      for (let i = 0; i < batch.length; i++) got += engine.process(batch[i]!, profiles[h.account[from + i]!]!).hits.length;
      const c = process.cpuUsage(c0);
      cpu[e] = cpu[e]! + (c.user + c.system) / 1e6;
      hits[e] = hits[e]! + got;
    }
  }
  if (hits[0] !== hits[1]) throw new Error(`hits differ: ${hits[0]} against ${hits[1]}`);
  return cpu.map((s) => n / s);
}

run(hour1);
const [a, b] = run(hour2);
const f = (x: number) => Math.round(x).toLocaleString('en-GB');
console.log(`hour 2 CDR/s per CPU-second${swap ? ' (old made first)' : ''}: new ${f(a!)}, old ${f(b!)}, new/old ${(a! / b!).toFixed(3)}`);
