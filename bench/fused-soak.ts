// A differential soak of the fused fraud engine against the classic one (test/helpers/engine-soak.ts says what runs):
// seeds one after another for SECONDS (default 120), each over one of ACCOUNTS (default 300,3000,20000) accounts with
// EVENTS (default 200,000) events, the rules alternating between the shipped ones and a generated set (every measure,
// window and baseline: fraud-streams.ts `rulesArb`), each changed once mid-stream. Prints one line per seed and exits 1
// on the first seed with a difference or a fallback. `SEED=n` starts there (a failing seed re-runs alone with SEEDS=1).
// Run: npx tsx bench/fused-soak.ts
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { fusedPaths } from '../src/rules/fused/fused-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import { changedRulesOf, soak } from '../test/helpers/engine-soak.js';
import { rulesArb } from '../test/helpers/fraud-streams.js';

const SECONDS = Number(process.env.SECONDS ?? 120);
const ACCOUNTS = (process.env.ACCOUNTS ?? '300,3000,20000').split(',').map(Number);
const EVENTS = Number(process.env.EVENTS ?? 200_000);
const SEEDS = Number(process.env.SEEDS ?? Number.POSITIVE_INFINITY);
const first = Number(process.env.SEED ?? 1);
const shipped = buildRuleSet([{ file: 'rules/fraud.yaml', text: readFileSync('rules/fraud.yaml', 'utf8') }], 'now').rules.fraud;

const t0 = Date.now();
const totals = { seeds: 0, records: 0, setups: 0, hits: 0, spills: 0, loads: 0 };
for (let seed = first, i = 0; i < SEEDS && (Date.now() - t0) / 1000 < SECONDS; seed++, i++) {
  const generated = seed % 2 === 0;
  const rules = generated ? fc.sample(rulesArb, { seed, numRuns: 1 })[0]! : shipped;
  const accounts = ACCOUNTS[i % ACCOUNTS.length]!;
  const s0 = Date.now();
  const r = await soak({ seed, accounts, events: EVENTS, rules, changedRules: changedRulesOf(rules), ...(process.env.BUDGET_ENGINE === 'classic' ? { budgetEngine: 'classic' as const } : {}) });
  totals.seeds++;
  totals.records += r.records;
  totals.setups += r.setups;
  totals.hits += r.hits;
  totals.spills += r.spills;
  totals.loads += r.loads;
  console.log(
    `seed ${seed} (${generated ? `${rules.length} generated rules` : 'shipped rules'}, ${accounts} accounts, ${r.spanDays} days): ${r.records} records, ${r.setups} set-ups, ${r.hits} hits, ` +
      `${r.spills} spills, ${r.loads} loads; ${r.differing} differences, ${r.fallbacks.length} fallbacks (${((Date.now() - s0) / 1000).toFixed(1)} s)`,
  );
  if (r.differing > 0 || r.fallbacks.length > 0) {
    for (const d of r.differences) console.log(`  ${d}`);
    for (const f of r.fallbacks) console.log(`  fallback: ${f}`);
    process.exit(1);
  }
}
const moves = `the fused engines' offset base moved ${fusedPaths.rebased} times, ${fusedPaths.pinned} entries pinned, ${fusedPaths.cursorDropped} cursor records dropped`;
console.log(`soak: ${moves}; ${totals.seeds} seeds, ${totals.records} records, ${totals.setups} set-ups, ${totals.hits} hits, ${totals.spills} spills, ${totals.loads} loads, 0 differences, 0 fallbacks in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
