// The ceiling of a fused rule evaluation (issue 17: >= 300,000 CDR/s per CPU-second with the 20 shipped rules): a
// deliberately specialised evaluator (bench/fused/fused-evaluator.ts) that makes the engine's decisions for the
// bench's traffic with the per-CDR work fused (one id lookup, one dedupe probe, one match as a bit mask, one row
// and one window scan per window length for all its rules, running sums, no per-rule dispatch), timed beside the
// real engine in the same process on the same hour, after a parity check against it record by record.
//
//   node --expose-gc --single-threaded-gc --import tsx bench/fused-ceiling.ts time     (both, hour 2 timed; FIRST=fused)
//   node --expose-gc --single-threaded-gc --import tsx bench/fused-ceiling.ts parity   (shipped and lowered levels)
//
// Knobs: PREMATCH=1 (fused: the timed hour's match masks made before it, so matching costs nothing: the ceiling of a
// free matcher), RULES=id,id (timing only; `RULES=` none), ONLY=engine|fused, FIRST=fused, ACCOUNTS, BREAKDOWN=1 (fused
// memory by structure), PROFILE=file.cpuprofile (PROFILE_WHICH=engine|fused), MARK=1 (lines around hour 2, to cut a
// --trace-gc log); COMPACT=holey (the sweep slides the log's holes out as the engine's stores do; default: only a
// sparse arena is compacted, whole), RING_IDS=ringids (the ring's ids in the engine's RingIds; default `bytes`:
// fixed-width cells, bench/fused/ring-bytes.ts) or RING_IDS=refs (the records' own id strings: an experiment, over the
// memory budget).
//
// What the prototype leaves out, and whether that makes the figure unfair:
// - start events (phase: start), inbound records and call-back rings: it refuses them (throws). The bench's traffic
//   has none, so the engine does no work for them on it either beyond a few tests of `phase` and `direction`; a
//   production port would need them (live calls, set-up decisions, rings), at a cost paid only by such records.
// - snapshots, incremental checkpoints (dirty accounts, dedupe segments), spill, rule reloading, evaluateSetup, the
//   per-rule error isolation (try/catch), and the sweep's forgetting of idle accounts (the sweep's dedupe expiry and
//   arena compaction are kept). The timed hour triggers none of them but per-record bookkeeping: the engine marks
//   each record's account dirty (a bit and a list push) and keeps a try/catch per rule; both are in its figure, not
//   in this one (a small unfairness: ~1-3% of the engine's per-CDR time by its profiles).
// - hour-of-week baselines, minutes and distinct_callers measures, two rangeDigits in one rule set (none in the
//   shipped rules) and times or costs that do not fit the rows' int32s (offsets of +-24 days from the first record,
//   costs below 2,147 major units): refused, not handled.
// - busy windows: a window is scanned at each record (O(rows in the window)); the engine keeps cursors, so for an
//   account placing hundreds of calls an hour this prototype is slower than the engine, not faster. The bench's
//   accounts hold ~5 rows an hour, where a scan is the cheapest thing there is.
// - one log of 32-byte rows kept for the longest window (24 h): on the bench (two hours) it fits the 1 KB per
//   account (printed); on a steady day (24 h of rows) it would not (~120 rows, ~4 KB): a production port would keep
//   the rows older than the short windows as (time, cost) pairs only, as the engine's 24 h group does.
// It reuses the engine's CdrMatcher (number plan, local time, appliesTo), DedupeTable, IdIndex, RowArena, hash53 and
// RuleState.level: the same code for the same work in both figures.
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import type { CdrRecord } from './../src/events/types.js';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile, FraudRule, ProcessResult } from '../src/rules/types.js';
import { profile, rng, ukNumber } from '../test/helpers/traffic.js';
import { profiled } from './cpu-profile.js';
import { batchOf, HOUR, hourOfTraffic, type Hour } from './engine-traffic.js';
import { FusedEvaluator } from './fused/fused-evaluator.js';
import { lowered, parityOf } from './fused/parity.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 100_000);
const CALLS_PER_HOUR = Number(process.env.CALLS_PER_HOUR ?? 5);
const BATCH = Number(process.env.BATCH ?? 10_000);
const LATENESS = 5 * 60_000;
const mode = process.argv[2] ?? 'time';

const rulesFile = new URL('../rules/fraud.yaml', import.meta.url).pathname;
const allShipped = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
/** `RULES=id,id` keeps only those rules in the timing (`RULES=` none), as bench/engine.ts does. */
const only = process.env.RULES?.split(',').filter(Boolean);
const shipped = only && mode === 'time' ? allShipped.filter((x) => only.includes(x.id)) : allShipped;

interface Evaluator {
  process(cdr: CdrRecord, account: AccountProfile): ProcessResult;
  size(): number;
}
const makers: Record<string, (rules: readonly FraudRule[]) => Evaluator> = {
  engine: (rules) => createFraudEngine(rules, { allowedLatenessMs: LATENESS, defaultTimezone: 'Europe/London' }),
  fused: (rules) => new FusedEvaluator(rules, LATENESS, 'Europe/London'),
};

const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`acct-${a}`));
const hour1 = hourOfTraffic(0, r, favourites, ACCOUNTS, CALLS_PER_HOUR);
const hour2 = hourOfTraffic(1, r, favourites, ACCOUNTS, CALLS_PER_HOUR);
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');


/** CPU seconds of `ev.process` over the hour (as bench/engine.ts times it), and its hits. */
function run(ev: Evaluator, h: Hour): { cpuSeconds: number; hits: number; n: number } {
  let hits = 0;
  let cpu = 0;
  const n = h.account.length;
  for (let from = 0; from < n; from += BATCH) {
    const batch = batchOf(h, from, Math.min(n, from + BATCH));
    const c0 = process.cpuUsage();
    for (let i = 0; i < batch.length; i++) hits += ev.process(batch[i]!, profiles[h.account[from + i]!]!).hits.length;
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1e6;
  }
  return { cpuSeconds: cpu, hits, n };
}

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const code = getHeapSpaceStatistics().filter((x) => x.space_name.startsWith('code')).reduce((a, x) => a + x.space_used_size, 0);
  return m.heapUsed - code + m.arrayBuffers;
}

function timing(): void {
  const order = process.env.ONLY ? [process.env.ONLY] : process.env.FIRST === 'fused' ? ['fused', 'engine'] : ['engine', 'fused'];
  const rate: Record<string, number> = {};
  console.log(`rules: ${shipped.length}; accounts: ${fmt(ACCOUNTS)}; CDRs: ${fmt(hour2.account.length)} in the timed hour`);
  for (const name of order) {
    const before = heap();
    let ev: Evaluator | null = makers[name]!(shipped);
    run(ev, hour1);
    if (process.env.PREMATCH && ev instanceof FusedEvaluator) {
      const masker = new FusedEvaluator(shipped, LATENESS, 'Europe/London');
      const masks = new Int32Array(hour2.account.length);
      for (let from = 0; from < masks.length; from += BATCH) {
        const batch = batchOf(hour2, from, Math.min(masks.length, from + BATCH));
        for (let i = 0; i < batch.length; i++) masks[from + i] = masker.maskOf(batch[i]!, profiles[hour2.account[from + i]!]!);
      }
      ev.premasks = masks;
      ev.seq = 0;
    }
    if (process.env.MARK) console.log(`MARK ${name} hour 2 start`);
    const warm = process.env.PROFILE && name === (process.env.PROFILE_WHICH ?? 'fused') ? profiled(process.env.PROFILE, () => run(ev!, hour2)) : run(ev, hour2);
    if (process.env.MARK) console.log(`MARK ${name} hour 2 end`);
    const bytes = gc ? (heap() - before) / ev.size() : Number.NaN;
    rate[name] = warm.n / warm.cpuSeconds;
    if (process.env.BREAKDOWN && ev instanceof FusedEvaluator) {
      for (const [k, v] of Object.entries(ev.breakdown())) console.log(`  ${k}: ${fmt(v / ev.size())} B per account`);
    }
    console.log(`${name.padEnd(6)} hour 2: ${fmt(rate[name]!)} CDR/s per CPU-second (${(1e6 / rate[name]!).toFixed(2)} us a CDR), hits ${warm.hits}, ${fmt(bytes)} B per active account (heap + array buffers, code space excluded), accounts ${fmt(ev.size())}`);
    ev = null;
  }
  if (rate.fused && rate.engine) console.log(`ratio fused/engine: ${(rate.fused / rate.engine).toFixed(2)}`);
}

function parity(): void {
  for (const [name, rules] of [['shipped rules', allShipped], ['lowered levels', lowered(allShipped)]] as const) {
    const p = parityOf(rules, ACCOUNTS, CALLS_PER_HOUR, BATCH, (line) => console.log(line));
    console.log(`${name}: ${fmt(p.records)} records (${Object.entries(p.outcomes).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}; accepted behind their account's latest: ${fmt(p.behind)}, of which beyond the lateness: ${fmt(p.beyond)}), ${fmt(p.hits)} hits compared, ${p.mismatches} mismatches`);
    console.log(`  hits by rule: ${Object.entries(p.byRule).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') || 'none'}`);
  }
}

if (mode === 'parity') parity();
else timing();
