// Cost of the memory budget per account (issue 17; run: `npx tsx bench/spill.ts`). ACCOUNTS accounts (default
// 20,000) get an hour of ordinary office traffic with the shipped rules; then, in CPU microseconds per account
// (process.cpuUsage, so the figures hold on a busy machine): encoding the parts (what a state write does anyway),
// the budget's pass choosing and dropping the least recently active half (engine-memory.ts), and loading them back
// (decode + restore), the engine side only. Then the database side on a throwaway database of the bench server
// (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test): the parts written to
// engine_account_state, and the wall time of the one-query load of LOAD_BATCH spilled accounts (default 500, about
// a Kafka batch's distinct accounts), per query and per account. `ENGINE=fused`: the fused engine (src/rules/fused/),
// whose parts are the classic engine's bytes, so the database side is the same. Figures go into bench/README.md.
import path from 'node:path';
import pg from 'pg';
import { saveCheckpoint } from '../src/ingest/checkpoint-repo.js';
import { loadAccountParts } from '../src/ingest/account-parts-repo.js';
import { EngineMemory, type MemoryLane } from '../src/ingest/engine-memory.js';
import { createFraudEngine } from '../src/rules/fraud-engine.js';
import { createFusedEngine } from '../src/rules/fused/fused-engine.js';
import { BYTES_PER_ACCOUNT } from '../src/rules/engine-spill.js';
import { loadRules } from '../src/rules-dir.js';
import { migrate } from '../src/store/migrate.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { cdr, profile, rng, ukNumber } from '../test/helpers/traffic.js';

const ACCOUNTS = Number(process.env.ACCOUNTS ?? 20_000);
const CALLS = Number(process.env.CALLS_PER_HOUR ?? 5);
const LOAD_BATCH = Number(process.env.LOAD_BATCH ?? 500);
const START = Date.parse('2026-11-24T09:00:00Z');

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const per = (us: number, n: number) => (us / n).toFixed(1);

const rules = (await loadRules(path.resolve(import.meta.dirname, '../rules'))).fraud;
const KIND = process.env.ENGINE === 'fused' ? 'fused' : 'classic';
const engine = (KIND === 'fused' ? createFusedEngine : createFraudEngine)(rules, { allowedLatenessMs: 300_000, defaultTimezone: 'Europe/London' });
const r = rng(17);
const calls = [];
for (let a = 0; a < ACCOUNTS; a++) {
  for (let k = 0; k < CALLS; k++) {
    calls.push(cdr({ id: `c${a}-${k}`, accountId: `acct-${a}`, callee: ukNumber(r), startedAt: START + Math.floor(r() * 3_300_000), durationSec: 5 + Math.floor(r() * 240), costMicros: 10_000 + Math.floor(r() * 100_000) }));
  }
}
calls.sort((x, y) => x.endedAt! - y.endedAt!);
for (const c of calls) engine.process(c, profile(c.accountId));

let t0 = cpuUs();
const parts: [string, Uint8Array][] = engine.dirtyAccounts().map((id) => [id, engine.snapshotAccount(id)!]);
const encodeUs = cpuUs() - t0;
const partBytes = parts.reduce((n, [, p]) => n + p.length, 0) / parts.length;
engine.markClean();

const store = new Map(parts);
// a budget of the dedupe table and half of what the accounts hold, as this engine measures them (the budget spills to
// 0.9 of it: a little over half the accounts)
const held0 = engine.spill!.bytes();
const memory = new EngineMemory({ budgetBytes: Math.floor(held0.table + (held0.accounts + held0.slack) / 2), loadParts: async (_t, _p, ids) => ids.map((id) => [id, store.get(id)!]) });
const lane: MemoryLane = { key: 'cdrs:0', row: { topic: 'cdrs', partition: 0 }, checkpoint: { engine, mode: 'live', settle: async () => undefined, reset: () => undefined, requestStateWrite: () => undefined } };
t0 = cpuUs();
memory.afterBatch(lane);
const spillUs = cpuUs() - t0;
const spilled = memory.summary().spills;
const held = new Set<string>();
engine.spill!.forEachAccount((id) => held.add(id));
const spilledIds = Array.from({ length: ACCOUNTS }, (_, a) => `acct-${a}`).filter((id) => !held.has(id));
t0 = cpuUs();
for (let i = 0; i < spilledIds.length; i += LOAD_BATCH) await memory.beforeBatch(lane, spilledIds.slice(i, i + LOAD_BATCH));
const loadUs = cpuUs() - t0;

console.log(`${KIND} engine, ${ACCOUNTS} accounts x ${CALLS} calls, shipped rules; CPU us per account (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}):`);
console.log(`  encode part (a state write)   ${per(encodeUs, parts.length)} us   (${partBytes.toFixed(0)} B a part)`);
console.log(`  spill pass (choose + drop)    ${per(spillUs, spilled)} us   (${spilled} accounts)`);
console.log(`  load (decode + restore)       ${per(loadUs, spilledIds.length)} us   (${spilledIds.length} accounts, ${LOAD_BATCH} a batch)`);

// The database side: the same parts in engine_account_state, read back LOAD_BATCH at a time.
const server = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const name = `suspensiond_bench_spill_${process.pid}`;
const dbUrl = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = createPgDatabase(dbUrl, { max: 2 });
try {
  await migrate(db);
  await db.transaction((tx) => saveCheckpoint(tx, 'cdrs', 0, null, null, 1, { shared: engine.snapshotShared(), upserts: parts, deletes: [], dedupe: engine.dedupeSegment() }));
  await db.query('ANALYZE engine_account_state');
  const order = spilledIds.slice();
  const queries = Math.max(1, Math.floor(order.length / LOAD_BATCH));
  let wall = 0;
  let got = 0;
  for (let q = 0; q < queries; q++) {
    const ids = order.slice(q * LOAD_BATCH, (q + 1) * LOAD_BATCH);
    const w0 = performance.now();
    got += (await loadAccountParts(db, 'cdrs', 0, ids)).length;
    wall += performance.now() - w0;
  }
  console.log(`database, ${queries} queries of ${LOAD_BATCH} spilled accounts (wall):`);
  console.log(`  one query                     ${(wall / queries).toFixed(2)} ms   (${((wall * 1000) / got).toFixed(1)} us an account)`);
} finally {
  await db.close();
  await admin.query(`DROP DATABASE ${name}`);
  await admin.end();
}
