// Benchmark: what counting the set-up costs (issue 15, prevention). The composed daemon (src/main.ts, default rules,
// AUTHORIZE_COUNTS_SETUP=http) on a throwaway database (BENCH_DATABASE_URL) with 1,000 customers; in the same run,
// rounds of POST /v1/authorize without a callId (memory only) and with one (the set-up counted in the HTTP lane: a
// transaction per batch, group commit), at 1 and at `concurrency` requests in flight, from this process (fetch).
// Prints per mode: requests, req/s, p50/p99 latency and CPU per request of this process (daemon + client; the
// client's share is the same in both modes), and the CPU per request of the PostgreSQL backends of the bench
// database (/proc); and, as the floor of any durable answer, one-row INSERT transactions on the same server.
// No rule fires (callees are UK geographic numbers, at most a few calls per account), so this is the common path.
// Usage: npx tsx bench/authorize-setup.ts [requests=2000] [concurrency=16]
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createToken } from '../src/api/tokens.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startDaemon } from '../src/main.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { migrate } from '../src/store/migrate.js';
import { benchDatabase } from './http-bench-tools.js';

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 16);
const name = `suspensiond_bench_setup_${process.pid}`;
const { serverUrl, dbUrl } = benchDatabase(name);
const ACCOUNTS = 1000;

/** CPU seconds (user + system, from /proc) of the PostgreSQL backends serving `datname`: the database's share. */
async function backendCpuSeconds(datname: string): Promise<number> {
  const pids = (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1`, [datname])).rows.map((r) => r.pid);
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ
    } catch {
      // the backend ended meanwhile (or the server is not on this machine: no figure)
    }
  }
  return total;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const work = mkdtempSync(path.join(tmpdir(), 'suspensiond-bench-setup-'));
const db = createPgDatabase(dbUrl, { max: 2 });
try {
  await migrate(db);
  await db.query(`
    INSERT INTO accounts (id, type, parent_id, name, main_contact, updated_at)
    SELECT 'r1', 'reseller', NULL, 'Reseller', NULL::jsonb, now()
    UNION ALL
    SELECT 'u' || u, 'customer', 'r1', 'Customer ' || u, NULL::jsonb, now() FROM generate_series(1, ${ACCOUNTS}) u`);
  const token = (await createToken(db, { role: 'authorize' })).token;
  const daemon = await startDaemon(
    loadConfig({ DATABASE_URL: dbUrl, DATA_DIR: path.join(work, 'data'), HTTP_PORT: '0', RULES_DIR: path.resolve('rules'), MAPPINGS_DIR: path.resolve('mappings'), LOG_LEVEL: 'silent', AUTHORIZE_COUNTS_SETUP: 'http' }),
    { logger: createLogger('silent') },
  );
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  let seq = 0;
  const one = async (withCallId: boolean): Promise<number> => {
    const n = seq++;
    const body: Record<string, string> = { account: `u${(n % ACCOUNTS) + 1}`, callee: `+4420794${String(60000 + (n % 10000)).padStart(5, '0')}` };
    if (withCallId) body.callId = `bench-${process.pid}-${n}`;
    const t0 = performance.now();
    const res = await fetch(`${daemon.url}/v1/authorize`, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = (await res.json()) as { allow: boolean; counted?: boolean };
    if (res.status !== 200 || !answer.allow || (withCallId && answer.counted !== true)) throw new Error(`unexpected answer ${res.status} ${JSON.stringify(answer)}`);
    return performance.now() - t0;
  };
  const round = async (withCallId: boolean, inFlight: number, count: number) => {
    const lat: number[] = [];
    const cpu0 = process.cpuUsage();
    const pg0 = await backendCpuSeconds(name);
    const t0 = performance.now();
    let left = count;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (left-- > 0) lat.push(await one(withCallId));
    }));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpu = (await backendCpuSeconds(name)) - pg0;
    lat.sort((a, b) => a - b);
    return {
      mode: `${withCallId ? 'callId (set-up counted)' : 'no callId (memory)'} x${inFlight}`,
      requests: count,
      rps: Math.round(count / wall),
      p50Ms: +pct(lat, 50).toFixed(2),
      p99Ms: +pct(lat, 99).toFixed(2),
      cpuUsPerReq: Math.round((cpu.user + cpu.system) / count),
      pgCpuUsPerReq: Math.round((pgCpu * 1e6) / count),
    };
  };
  // Warm-up of both paths, then alternating rounds.
  await round(false, concurrency, 500);
  await round(true, concurrency, 500);
  const rows: Record<string, unknown>[] = [];
  for (const inFlight of [1, concurrency]) {
    rows.push(await round(false, inFlight, requests));
    rows.push(await round(true, inFlight, requests));
  }
  // The floor: a durable one-row commit per request (synchronous_commit as the server has it), same pool size.
  await db.query('CREATE TABLE bench_floor (n int)');
  for (const inFlight of [1, concurrency]) {
    const lat: number[] = [];
    const t0 = performance.now();
    let left = requests;
    await Promise.all(Array.from({ length: Math.min(inFlight, 2) }, async () => {
      while (left-- > 0) {
        const s0 = performance.now();
        await db.transaction((tx) => tx.query('INSERT INTO bench_floor VALUES (1)'));
        lat.push(performance.now() - s0);
      }
    }));
    lat.sort((a, b) => a - b);
    rows.push({ mode: `bare INSERT transaction x${Math.min(inFlight, 2)}`, requests, rps: Math.round(requests / ((performance.now() - t0) / 1000)), p50Ms: +pct(lat, 50).toFixed(2), p99Ms: +pct(lat, 99).toFixed(2), cpuUsPerReq: 0, pgCpuUsPerReq: 0 });
  }
  const metrics = await daemon.metrics.render();
  console.table(rows);
  console.log(metrics.split('\n').filter((l) => l.startsWith('suspensiond_authorize_setup')).join('\n'));
  await daemon.stop();
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
}
