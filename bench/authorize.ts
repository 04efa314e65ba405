// Benchmark: GET /v1/authorize against a bare fastify route that returns a constant, in the same run, load from
// Debian's `wrk` in a separate process. Creates its own database on BENCH_DATABASE_URL (default the local test
// server) with 100,000 accounts (1 % of them suspended, by an own hold or an ancestor's), starts the real API with
// its status view (loaded, then following LISTEN/NOTIFY), and a bare fastify app on another port, both in this
// process; runs wrk on each in turn with the same script and settings (random accounts and callees, 5 % emergency
// numbers), the order alternating per round, and drops the database. Per run it reports wrk's req/s and latency
// and this process's CPU time per request (process.cpuUsage over the run: what the servers spent, whatever else
// runs on the machine); at the end the median req/s ratio and CPU ratio, then a fixed-rate run of each at
// RATE req/s (default 10,000) for the p99 goal: Debian's wrk 4 has no -R (that is wrk2), so each connection waits
// 1 ms (the script's delay()) before each request and the connection count is calibrated to reach the rate.
// Usage: npx tsx bench/authorize.ts [seconds=10] [connections=8] [threads=1] [rounds=3] [rate=10000, 0: no fixed-rate run]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import pg from 'pg';
import { createApiServer } from '../src/api/server.js';
import { createToken } from '../src/api/tokens.js';
import { systemClock } from '../src/clock.js';
import { emergencyNumbers } from '../src/domain/emergency-numbers.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { createStatusView } from '../src/status-view/status-view.js';
import { migrate } from '../src/store/migrate.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { benchDatabase, hasWrk, run } from './http-bench-tools.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 8);
const threads = Number(process.argv[4] ?? 1);
const rounds = Number(process.argv[5] ?? 3);
const rate = Number(process.argv[6] ?? 10_000);
const name = `suspensiond_bench_authorize_${process.pid}`;
const { serverUrl, dbUrl } = benchDatabase(name);

if (!hasWrk()) throw new Error('wrk is not installed: apt-get install -y --no-install-recommends wrk');


interface WrkResult { requests: number; errors: number; rps: number; cpuUsPerReq: number; p50Ms: number; p90Ms: number; p99Ms: number; p999Ms: number }

/** One wrk run (`-c conns -d secs`, the script `script`) against url, with this process's CPU time per request. */
async function wrk(url: string, script: string, conns = connections, secs = seconds): Promise<WrkResult> {
  const cpu0 = process.cpuUsage();
  const out = await run('wrk', ['-t', String(Math.min(threads, conns)), '-c', String(conns), '-d', `${secs}s`, '-s', script, url]);
  const cpu = process.cpuUsage(cpu0);
  const line = out.split('\n').find((l) => l.startsWith('JSON '))!;
  const w = JSON.parse(line.slice(5)) as { requests: number; errors: number; p50: number; p90: number; p99: number; p999: number; us: number };
  const ms = (us: number) => +(us / 1000).toFixed(3);
  return {
    requests: w.requests, errors: w.errors, rps: Math.round(w.requests / (w.us / 1e6)), cpuUsPerReq: +((cpu.user + cpu.system) / w.requests).toFixed(2),
    p50Ms: ms(w.p50), p90Ms: ms(w.p90), p99Ms: ms(w.p99), p999Ms: ms(w.p999),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const loadAverage = () => os.loadavg().map((l) => +l.toFixed(2));

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = createPgDatabase(dbUrl, { max: 4 });
const work = mkdtempSync(path.join(tmpdir(), 'suspensiond-bench-'));
try {
  await migrate(db);
  // 100 resellers, 10 channels each, 989 customers per reseller: 100,000 accounts; 1 % suspended.
  await db.query(`
    INSERT INTO accounts (id, type, parent_id, name, main_contact, updated_at)
    SELECT 'r' || r, 'reseller', NULL, 'Reseller ' || r, NULL::jsonb, now() FROM generate_series(1, 100) r
    UNION ALL
    SELECT 'r' || r || '-c' || c, 'channel', 'r' || r, 'Channel ' || c, NULL::jsonb, now() FROM generate_series(1, 100) r, generate_series(1, 10) c
    UNION ALL
    SELECT 'r' || r || '-c' || (u % 10 + 1) || '-u' || u, 'customer', 'r' || r || '-c' || (u % 10 + 1), 'Customer ' || u, NULL::jsonb, now()
      FROM generate_series(1, 100) r, generate_series(1, 989) u`);
  await db.query(`
    INSERT INTO account_status (account_id, version, status, changed_at)
    SELECT id, 1, jsonb_build_object('accountId', id, 'type', type, 'status', 'suspended',
             'holds', jsonb_build_array(jsonb_build_object('id', 'h-' || id, 'reason', 'fraud', 'source', 'rule:bench', 'since', '2026-11-24T21:09:16Z')),
             'inheritedFrom', '[]'::jsonb, 'outboundCalls', 'blocked', 'portalAccess', 'blocked', 'inboundCalls', 'allowed',
             'emergencyCalls', 'allowed', 'billing', 'continues', 'version', 1, 'changedAt', '2026-11-24T21:09:16Z'), now()
      FROM accounts WHERE hashtext(id) % 100 = 0`);
  const token = (await createToken(db, { role: 'authorize', label: 'bench' })).token;
  const ids = (await db.query<{ id: string }>('SELECT id FROM accounts ORDER BY random() LIMIT 5000')).rows.map((r) => r.id);
  const idsFile = path.join(work, 'ids.txt');
  writeFileSync(idsFile, ids.join('\n'));

  const metrics = new Metrics({ defaultMetrics: false });
  const logger = createLogger('info', { write: () => true } as unknown as NodeJS.WritableStream);
  const view = createStatusView({ db, logger, metrics });
  const t0 = Date.now();
  await view.start();
  console.log(`status view: 100,000 accounts loaded in ${Date.now() - t0} ms`);
  const api = createApiServer({
    db, logger, metrics, clock: systemClock, rules: () => undefined, readiness: () => ({ ready: true, reasons: [] }),
    authorize: { view, emergency: emergencyNumbers(), metrics },
  });
  const { url } = await api.start('127.0.0.1', 0);

  // The baseline: a bare fastify route returning a constant answer of the same shape and size.
  const bare = Fastify({ logger: false });
  const constant = { allow: true, reason: 'active', holds: [], inheritedFrom: [], emergency: false };
  bare.get('/v1/authorize', async () => constant);
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const bareAddr = bare.server.address();
  const bareUrl = `http://127.0.0.1:${typeof bareAddr === 'object' && bareAddr ? bareAddr.port : 0}`;

  // The load script; paced (the fixed-rate runs), each connection waits 1 to 4 ms (at random, so that connections
  // do not fall into step) before each request.
  const luaScript = (paced: boolean) => `local ids = {}
for line in io.lines("${idsFile}") do ids[#ids + 1] = line end
local paths = {}
for i = 1, 20000 do
  local callee = (i % 20 == 0) and "999" or ("%2B4420794" .. string.format("%05d", i))
  paths[i] = "/v1/authorize?account=" .. ids[(i * 7919) % #ids + 1] .. "&callee=" .. callee .. "&caller=%2B441632960001"
end
local n = 0
wrk.headers["authorization"] = "Bearer ${token}"
request = function() n = n % #paths + 1; return wrk.format("GET", paths[n]) end
${paced ? 'delay = function() return math.random(1, 4) end\n' : ''}done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\":%d,\\"errors\\":%d,\\"p50\\":%f,\\"p90\\":%f,\\"p99\\":%f,\\"p999\\":%f,\\"us\\":%d}\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9), summary.duration))
end
`;
  const script = path.join(work, 'authorize.lua');
  writeFileSync(script, luaScript(false));
  const pacedScript = path.join(work, 'authorize-paced.lua');
  writeFileSync(pacedScript, luaScript(true));
  // Warm both (JIT, token cache), then measure each in turn.
  await run('wrk', ['-t', '1', '-c', '4', '-d', '3s', '-s', script, url]);
  await run('wrk', ['-t', '1', '-c', '4', '-d', '3s', '-s', script, bareUrl]);
  // Rounds alternate the order, so a burst of load from elsewhere on the machine hits both routes alike.
  const tool = `wrk -t${threads} -c${connections} -d${seconds}s`;
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? (['bare', 'authorize'] as const) : (['authorize', 'bare'] as const);
    const got: Record<string, WrkResult> = {};
    const load = loadAverage();
    for (const which of order) got[which] = await wrk(which === 'bare' ? bareUrl : url, script);
    ratios.push(got.authorize!.rps / got.bare!.rps);
    cpuRatios.push(got.bare!.cpuUsPerReq / got.authorize!.cpuUsPerReq);
    console.log(JSON.stringify({ round, first: order[0], load, benchmark: 'bare fastify constant route', tool, ...got.bare }));
    console.log(JSON.stringify({ round, first: order[0], load, benchmark: 'GET /v1/authorize', tool, ...got.authorize }));
  }
  const r3 = (xs: number[]) => xs.map((r) => +r.toFixed(3));
  if (rounds > 0) console.log(JSON.stringify({
    ratios: r3(ratios), median: +median(ratios).toFixed(3),
    cpuRatios: r3(cpuRatios), cpuMedian: +median(cpuRatios).toFixed(3),
    goal: 'req/s ratio >= 0.8 (cpuRatio: bare CPU per request / authorize CPU per request, the same comparison free of the load from elsewhere)',
  }));

  // Fixed rate (skipped with rate 0): calibrate the connection count on the authorize route (3 s probes, until
  // within 3 % of the rate), then a run of each at that count. wrk's timers are whole milliseconds, so connections
  // whose delays end in the same millisecond send together: bursts of about rate/1000 requests each millisecond,
  // a harder load than an even one (wrk2's -R spreads them).
  if (rate > 0) {
    let conns = Math.max(1, Math.round(rate / 300));
    for (let i = 0; i < 5; i++) {
      const probe = await wrk(url, pacedScript, conns, 3);
      if (Math.abs(probe.rps - rate) <= rate * 0.03) break;
      // Damped: on a machine too busy to reach the rate, more connections would only pile up.
      conns = Math.max(1, Math.round(conns * Math.min(1.5, Math.max(0.67, rate / Math.max(1, probe.rps)))));
    }
    const pacedTool = `wrk -t${threads} -c${conns} -d${seconds}s, delay() of 1-4 ms before each request`;
    for (const which of ['authorize', 'bare'] as const) {
      const load = loadAverage();
      const got = await wrk(which === 'bare' ? bareUrl : url, pacedScript, conns, seconds);
      console.log(JSON.stringify({ fixedRate: rate, load, benchmark: which === 'bare' ? 'bare fastify constant route' : 'GET /v1/authorize', tool: pacedTool, ...got }));
    }
    console.log(JSON.stringify({ goal: `p99 <= 2 ms at ${rate} req/s (GET /v1/authorize above; the achieved rate is its rps)` }));
  }
  await api.stop();
  await bare.close();
  await view.stop();
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
}
