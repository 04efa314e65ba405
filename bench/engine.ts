// Benchmark of the fraud engine (run: `node --expose-gc --import tsx bench/engine.ts`, or `npx tsx bench/engine.ts`
// for throughput only). Default rules (`RULES=id,id` keeps only those), ACCOUNTS active accounts (default
// 100,000), ordinary office traffic: hour 1 warms the engine (and the number cache), hour 2 is timed (WARM_HOURS
// below: a steady day). The traffic is generated in compact form and materialised as CdrRecord objects in batches
// of BATCH, as the ingest hands decoded Kafka batches to the engine, so the heap holds engine state rather than a
// million live records; only engine.process is timed. Reports CDR/s (wall and CPU), heap per active account (needs --expose-gc) and
// bytes of stored account parts per account. Figures go into bench/README.md.
// Growth curve: `ACCOUNTS=10000,100000,1000000` runs each size in a fresh process (same flags) and prints how heap
// per account and CDR/s change with the account count (issue 17 item 5). `ENGINE=fused` measures the fused engine.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { approxAccountBytes, engineBytes } from '../src/rules/account-bytes.js';
import { createFraudEngine, type FraudEngineOptions } from '../src/rules/fraud-engine.js';
import { createFusedEngine } from '../src/rules/fused/fused-engine.js';
import type { FraudEngine } from '../src/rules/types.js';
import { RowArena } from '../src/rules/row-arena.js';
import { buildRuleSet } from '../src/rules/load-rules.js';
import type { AccountProfile } from '../src/rules/types.js';
import { profile, rng, ukNumber } from '../test/helpers/traffic.js';
import { profiled } from './cpu-profile.js';
import { batchOf, hourOfTraffic as hourOf, type Hour } from './engine-traffic.js';

const SIZES = (process.env.ACCOUNTS ?? '100000').split(',').map(Number);
if (SIZES.length > 1) curve(SIZES);
const ACCOUNTS = SIZES[0]!;
const CALLS_PER_HOUR = Number(process.env.CALLS_PER_HOUR ?? 5);
const BATCH = Number(process.env.BATCH ?? 10_000);

const hourOfTraffic = (hour: number, r: () => number, favourites: string[][]): Hour => hourOf(hour, r, favourites, ACCOUNTS, CALLS_PER_HOUR);

const gc = (globalThis as { gc?: () => void }).gc;
/** `uncounted`: bytes of the engine's that memoryUsage() leaves out (the fused engine's slots: uncountedBytes). */
const heap = (uncounted = 0) => {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  const code = getHeapSpaceStatistics().filter((x) => x.space_name.startsWith('code')).reduce((a, x) => a + x.space_used_size, 0);
  return { heap: m.heapUsed, buffers: m.arrayBuffers + uncounted, code };
};

/** `RULES_FILE=path` runs another rule file (e.g. bench/detection/baseline-rules/fraud.yaml, the rules before issue 12). */
const rulesFile = process.env.RULES_FILE || new URL('../rules/fraud.yaml', import.meta.url).pathname;
const allRules = buildRuleSet([{ file: rulesFile, text: readFileSync(rulesFile, 'utf8') }], 'bench').rules.fraud;
/** `RULES=id,id` keeps only those default rules (`RULES=` none), to see what each costs. */
const only = process.env.RULES?.split(',').filter(Boolean);
const rules = only ? allRules.filter((x) => only.includes(x.id)) : allRules;
const r = rng(1);
const favourites = Array.from({ length: ACCOUNTS }, () => Array.from({ length: 5 }, () => ukNumber(r)));
const profiles: AccountProfile[] = Array.from({ length: ACCOUNTS }, (_, a) => profile(`acct-${a}`));
/**
 * `WARM_HOURS=n` (default 1) runs n untimed hours before the timed one. With 25 or more the engine is at a steady
 * day: the dedupe horizon and the 24 h windows are full and each sweep expires as much as the hour adds, which two
 * hours cannot show (nothing expires in them). Each hour's traffic is made just before it runs.
 */
const WARM_HOURS = Math.max(1, Number(process.env.WARM_HOURS ?? 1));
// The first and the timed hour are made before the heap is first measured, so they are in both measurements.
const hour1 = hourOfTraffic(0, r, favourites);
const hour2 = hourOfTraffic(WARM_HOURS, r, favourites);

const before = heap();
/** `ENGINE=fused`: the fused engine (src/rules/fused/) instead of the classic one (SWEEPS and BREAKDOWN are classic only). */
const FUSED = process.env.ENGINE === 'fused';
const engineOpts: FraudEngineOptions = { allowedLatenessMs: 5 * 60_000, defaultTimezone: 'Europe/London' };
const classic = FUSED ? null : createFraudEngine(rules, engineOpts);
const engine: FraudEngine = classic ?? createFusedEngine(rules, engineOpts);
const sweeps = timeSweeps();

/** Wall time and CPU time of this process (the fairer figure on a shared machine), of engine.process only. */
function run(h: Hour): { seconds: number; cpuSeconds: number; hits: number; n: number } {
  let hits = 0;
  let wall = 0;
  let cpu = 0;
  const n = h.account.length;
  for (let from = 0; from < n; from += BATCH) {
    const batch = batchOf(h, from, Math.min(n, from + BATCH));
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let i = 0; i < batch.length; i++) hits += engine.process(batch[i]!, profiles[h.account[from + i]!]!).hits.length;
    const c = process.cpuUsage(c0);
    wall += Number(process.hrtime.bigint() - t0) / 1e9;
    cpu += (c.user + c.system) / 1e6;
  }
  return { seconds: wall, cpuSeconds: cpu, hits, n };
}

const cold = run(hour1);
for (let h = 1; h < WARM_HOURS; h++) run(hourOfTraffic(h, r, favourites));
const sweepsOfHour1 = sweeps.ms.length;
const chunksOfHour1 = RowArena.chunksMade;
// `MARK=1` prints a line before and after hour 2, to cut a `--trace-gc` log to the timed hour.
if (process.env.MARK) console.log('MARK hour 2 start');
// `PROFILE=file.cpuprofile`: a CPU profile of hour 2 alone (the harness's batch building is in it too).
const warm = process.env.PROFILE ? profiled(process.env.PROFILE, () => run(hour2)) : run(hour2);
if (process.env.MARK) console.log('MARK hour 2 end');
const after = heap((engine as { uncountedBytes?(): number }).uncountedBytes?.() ?? 0);
// The stored form: one binary part per account (a full JSON snapshot of a million accounts passes V8's string limit).
// A state write encodes every account changed since the last one (partition-checkpoint.ts); timed here (CPU, all
// accounts once, after hour 2) because end to end most CDRs dirty an account the write then encodes.
let partBytes = Number.NaN;
let encodeUs = Number.NaN;
try {
  partBytes = engine.snapshotShared().byteLength;
  const dirtyIds = engine.dirtyAccounts();
  const encodeCpu0 = process.cpuUsage();
  for (const id of dirtyIds) partBytes += engine.snapshotAccount(id)?.byteLength ?? 0;
  const encodeCpu = process.cpuUsage(encodeCpu0);
  encodeUs = (encodeCpu.user + encodeCpu.system) / Math.max(1, dirtyIds.length);
} catch (err) {
  console.log(`stored state: ${(err as Error).message}`);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');
console.log(`engine: ${FUSED ? 'fused' : 'classic'}; rules: ${rules.length} of the default fraud rules; accounts: ${fmt(ACCOUNTS)}; CDRs: ${fmt(cold.n)} per hour`);
console.log(`hour 1 (cold engine: every account new): ${fmt(cold.n / cold.seconds)} CDR/s wall, ${fmt(cold.n / cold.cpuSeconds)} CDR/s per CPU-second`);
console.log(`hour ${WARM_HOURS + 1} (warm, timed):${' '.repeat(Math.max(1, 21 - String(WARM_HOURS + 1).length))}${fmt(warm.n / warm.seconds)} CDR/s wall, ${fmt(warm.n / warm.cpuSeconds)} CDR/s per CPU-second`);
console.log(`hits: ${cold.hits + warm.hits} (ordinary traffic)`);
console.log(`active accounts: ${fmt(engine.size())}`);
if (gc) {
  const perAccount = (x: number) => fmt(x / engine.size());
  console.log(`heap per active account: ${perAccount(after.heap - before.heap)} bytes JS heap + ${perAccount(after.buffers - before.buffers)} bytes array buffers (engine state incl. number/tz caches and dedupe table); of the JS heap, ${perAccount(after.code - before.code)} B is code space (the JIT's compiled code: a fixed cost, not per account)`);
} else console.log('heap per active account: run with node --expose-gc --import tsx bench/engine.ts');
console.log(`stored state (account parts): ${fmt(partBytes / engine.size())} bytes per account, encoded in ${encodeUs.toFixed(2)} µs of CPU per account`);
if (process.env.BREAKDOWN) breakdown();
if (process.env.SWEEPS) {
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(' ');
  console.log(`sweeps in hour 1: ${ms(sweeps.ms.slice(0, sweepsOfHour1))} ms (compactions ${ms(sweeps.compactMs.slice(0, sweepsOfHour1))})`);
  console.log(`sweeps in hour 2: ${ms(sweeps.ms.slice(sweepsOfHour1))} ms (compactions ${ms(sweeps.compactMs.slice(sweepsOfHour1))}); longest ${Math.max(0, ...sweeps.ms).toFixed(0)} ms`);
  console.log(`arena chunks allocated: ${chunksOfHour1} in hour 1, ${RowArena.chunksMade - chunksOfHour1} in hour 2`);
}
if (process.env.BENCH_JSON) {
  const perAccount = gc ? (after.heap - before.heap + after.buffers - before.buffers) / engine.size() : Number.NaN;
  console.log(`JSON ${JSON.stringify({ accounts: engine.size(), cdrPerCpuSecond: warm.n / warm.cpuSeconds, bytesPerAccount: perAccount, snapshotPerAccount: partBytes / engine.size() })}`);
}

/** `SWEEPS=1`: the wall time of each of the engine's sweeps, and of the arenas' compactions in it, in milliseconds. */
function timeSweeps(): { ms: number[]; compactMs: number[] } {
  const out = { ms: [] as number[], compactMs: [] as number[] };
  if (!process.env.SWEEPS) return out;
  const st = classic!.state;
  let compacting = 0;
  for (const owner of [...st.windows, ...st.live, st.ringTm, st.ringIds, st.rs]) {
    const compact = owner.compact.bind(owner);
    owner.compact = () => {
      const t0 = process.hrtime.bigint();
      compact();
      compacting += Number(process.hrtime.bigint() - t0) / 1e6;
    };
  }
  const sweep = st.sweep.bind(st);
  st.sweep = () => {
    compacting = 0;
    const t0 = process.hrtime.bigint();
    sweep();
    out.ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    out.compactMs.push(compacting);
  };
  return out;
}

/** `BREAKDOWN=1`: array-buffer bytes per account of each arena (in regions / chunks), the dedupe table, the columns. */
function breakdown(): void {
  const st = classic!.state;
  const n = engine.size();
  const f = (x: number) => Math.round(x / n).toLocaleString('en-GB');
  const arena = (name: string, a: { used: number; bytes(): number; ahead(): number }) =>
    console.log(`  ${name}: ${f(8 * a.used)} / ${f(a.bytes())} B (holes ${f(a.bytes() - 8 * a.used - 8 * a.ahead())}, not yet cut ${f(8 * a.ahead())})`);
  console.log('array buffers per account (in regions / in chunks):');
  st.windows.forEach((w, g) => arena(`window group ${st.plan.groups[g]!.windowMs / 60_000} min`, w.arena));
  st.live.forEach((c, k) => arena(`live calls, rule ${st.rules[st.concRules[k]!]!.id}`, c.arena));
  arena('ring times', st.ringTm.lists.arena);
  arena('level states', st.rs.arena);
  arena('ring ids', st.ringIds.arena);
  console.log(`  id table (ids, slots, order): ${f(st.accounts.bytes())} B; latest times and flags: ${f(st.maxT.byteLength + st.sp.byteLength + st.ringNext.byteLength)} B`);
  console.log(`  dedupe table: ${f(st.dedupe.bytes())} B; keys not yet stored: ${st.pending === null ? 'none (no state write: not kept)' : f(8 * st.pending.length) + ' B'}`);
  let approx = 0;
  for (const id of st.accounts.keys()) approx += approxAccountBytes(st, id);
  console.log(`approxAccountBytes on average: ${f(approx)} B`);
  const b = engineBytes(st);
  console.log(`engineBytes (the memory budget's count): ${f(b.table + b.accounts + b.slack)} B (dedupe table ${f(b.table)}, accounts ${f(b.accounts)}, slack ${f(b.slack)})`);
}

/** Runs the bench once per size, each in its own process, and prints the growth of its costs. */
function curve(sizes: number[]): never {
  const rows: { accounts: number; cdrPerCpuSecond: number; bytesPerAccount: number; snapshotPerAccount: number }[] = [];
  for (const n of sizes) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!], {
      env: { ...process.env, ACCOUNTS: String(n), BENCH_JSON: '1' }, encoding: 'utf8', maxBuffer: 1 << 24,
    });
    process.stdout.write(child.stdout);
    const line = child.stdout.split('\n').find((l) => l.startsWith('JSON '));
    if (child.status !== 0 || !line) {
      console.log(`${n} accounts: failed (exit ${child.status}${child.signal ? `, ${child.signal}` : ''}): ${child.stderr.split('\n').filter(Boolean).slice(-3).join(' | ')}`);
      continue;
    }
    rows.push(JSON.parse(line.slice(5)));
  }
  const f = (x: number) => Math.round(x).toLocaleString('en-GB');
  console.log('\naccounts | CDR/s per CPU-second (hour 2) | heap + buffers per account | stored part per account');
  for (const r of rows) console.log(`${f(r.accounts)} | ${f(r.cdrPerCpuSecond)} | ${f(r.bytesPerAccount)} B | ${f(r.snapshotPerAccount)} B`);
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1]!, rows[i]!];
    console.log(`x${f(b.accounts / a.accounts)} accounts: heap per account x${(b.bytesPerAccount / a.bytesPerAccount).toFixed(2)}, CDR/s per CPU-second x${(b.cdrPerCpuSecond / a.cdrPerCpuSecond).toFixed(2)}`);
  }
  process.exit(0);
}
