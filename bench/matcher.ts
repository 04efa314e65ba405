// Micro-benchmark of the per-CDR number classification (run: `node --import tsx bench/matcher.ts`): CdrMatcher.match
// over the callees of bench/engine.ts's traffic (same generator and mix), matchEach (rule by rule) and
// NumberClassifier.get alone (`ONLY=match`, `each` or `get` runs one; `N` CDRs, default 500,000). Figures are ns per
// CDR, best of REPS passes (default 5); the engine bench is the real measure.
import { readFileSync } from 'node:fs';
import { CdrMatcher } from '../src/rules/cdr-matcher.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import { cdr, profile, rng, ukNumber } from '../test/helpers/traffic.js';

const N = Number(process.env.N ?? 500_000);
const REPS = Number(process.env.REPS ?? 5);
const rulesFile = new URL('../rules/fraud.yaml', import.meta.url).pathname;
const rules = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
const r = rng(1);
const ACCOUNTS = N / 5;
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const START = Date.parse('2026-11-24T10:00:00Z');
const cdrs = Array.from({ length: N }, (_, i) => {
  const x = r();
  const callee = x < 0.02 ? `+331${Math.floor(r() * 1e8)}` : x < 0.3 ? favourites[i % ACCOUNTS]![Math.floor(r() * 5)]! : ukNumber(r);
  return cdr({ id: `m-${i}`, accountId: `acct-${i % ACCOUNTS}`, callee, startedAt: START + Math.floor(r() * 3_300_000), disposition: r() < 0.85 ? 'answered' : 'no_answer' });
});
const account = profile('acct');
const matcher = new CdrMatcher(rules, 'Europe/London');
const out: number[] = [];

function time(name: string, fn: () => number): void {
  let best = Infinity;
  let sink = 0;
  for (let k = 0; k < REPS; k++) {
    const t0 = process.hrtime.bigint();
    sink += fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${name.padEnd(28)} ${best.toFixed(0).padStart(5)} ns per CDR (checksum ${sink})`);
}

if (!process.env.ONLY || process.env.ONLY === 'match') time('match', () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += matcher.match(cdrs[i]!, account, out);
  return s;
});
if (!process.env.ONLY || process.env.ONLY === 'each') time('matchEach (reference)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += matcher.matchEach(cdrs[i]!, account, out);
  return s;
});
if (!process.env.ONLY || process.env.ONLY === 'get') time('numbers.get(callee)', () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += matcher.numbers.get(cdrs[i]!.callee).type.length;
  return s;
});
