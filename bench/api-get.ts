// Benchmark: GET /v1/accounts/{id} on a store of 100,000 accounts, load from a separate process (wrk when it is
// installed, else bench/api-load.ts), beside a constant fastify route in the same process and run (the baseline:
// what the machine, Node and fastify cost without any work behind the route). Creates its own database on the server at BENCH_DATABASE_URL (default the
// local test server), migrates it, fills it set-based, starts the API in this process on port 0 and drops the
// database afterwards. Usage: npx tsx bench/api-get.ts [seconds=10] [connections=16]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiServer } from '../src/api/server.js';
import { createToken } from '../src/api/tokens.js';
import { systemClock } from '../src/clock.js';
import { createLogger } from '../src/log.js';
import { Metrics } from '../src/metrics.js';
import { createStatusView } from '../src/status-view/status-view.js';
import { migrate } from '../src/store/migrate.js';
import { createPgDatabase } from '../src/store/pg-database.js';
import { benchDatabase, hasWrk, run } from './http-bench-tools.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 16);
const name = `suspensiond_bench_api_${process.pid}`;
const { serverUrl, dbUrl } = benchDatabase(name);


const wrkInstalled = hasWrk();

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const db = createPgDatabase(dbUrl, { max: 10 });
const work = mkdtempSync(path.join(tmpdir(), 'suspensiond-bench-'));
try {
  await migrate(db);
  const t0 = Date.now();
  // 100 resellers, 10 channels each, 989 customers per reseller spread over its channels: 100,000 accounts.
  await db.query(`
    INSERT INTO accounts (id, type, parent_id, name, main_contact, updated_at)
    SELECT 'r' || r, 'reseller', NULL, 'Reseller ' || r, NULL::jsonb, now() FROM generate_series(1, 100) r
    UNION ALL
    SELECT 'r' || r || '-c' || c, 'channel', 'r' || r, 'Channel ' || c, NULL::jsonb, now() FROM generate_series(1, 100) r, generate_series(1, 10) c
    UNION ALL
    SELECT 'r' || r || '-c' || (u % 10 + 1) || '-u' || u, 'customer', 'r' || r || '-c' || (u % 10 + 1), 'Customer ' || u,
           jsonb_build_object('email', 'u' || u || '@example.test'), now()
      FROM generate_series(1, 100) r, generate_series(1, 989) u`);
  // 1% of customers and 1% of channels hold a suspension, so effective status and inheritance are exercised.
  await db.query(`
    INSERT INTO holds (id, account_id, reason, source, evidence, placed_at)
    SELECT 'h-' || id, id, 'fraud', 'rule:bench', '{}', now() FROM accounts WHERE hashtext(id) % 100 = 0`);
  await db.query('ANALYZE');
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts');
  console.log(`store: ${rows[0]!.n} accounts filled in ${Date.now() - t0} ms`);

  const token = (await createToken(db, { role: 'operator', label: 'bench' })).token;
  const ids = (await db.query<{ id: string }>('SELECT id FROM accounts ORDER BY random() LIMIT 20000')).rows.map((r) => r.id);
  const idsFile = path.join(work, 'ids.txt');
  writeFileSync(idsFile, ids.join('\n'));

  // Logs at info, as in production, into a sink: the cost of the access log line is measured, not its terminal.
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const metrics = new Metrics({ defaultMetrics: false });
  const lookups = async () => {
    const text = await metrics.render();
    const n = (outcome: string) => Number(new RegExp(`suspensiond_read_cache_lookups_total\\{cache="account",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { hit: n('hit'), miss: n('miss'), bypass: n('bypass') };
  };
  // The status view, as in the daemon: it feeds the token cache and answers the scope check.
  const view = createStatusView({ db, logger: createLogger('silent'), metrics: new Metrics({ defaultMetrics: false }) });
  await view.start();
  const api = createApiServer({
    db,
    statusView: view,
    logger: createLogger('info', sink),
    metrics,
    clock: systemClock,
    rules: () => undefined,
    readiness: () => ({ ready: true, reasons: [] }),
  });
  // The baseline: a constant answer through the same fastify instance (no auth, no database).
  api.app.get('/bench/constant', async () => ({ ok: true }));
  const { url } = await api.start('127.0.0.1', 0);

  type Result = { tool: string; requests: number; errors: number; rps: number; p50Ms: number; p99Ms: number };
  const load = async (luaPath: string, useIds: boolean): Promise<Result> => {
    if (wrkInstalled) {
      const script = path.join(work, 'get.lua');
      writeFileSync(
        script,
        `local ids = {}
for line in io.lines("${idsFile}") do ids[#ids + 1] = line end
math.randomseed(os.time())
wrk.headers["authorization"] = "Bearer ${token}"
request = function() return wrk.format("GET", ${useIds ? `"${luaPath}" .. ids[math.random(#ids)]` : `"${luaPath}"`}) end
done = function(summary, latency, requests)
  io.write(string.format("JSON {\\"requests\\":%d,\\"errors\\":%d,\\"p50\\":%f,\\"p99\\":%f,\\"us\\":%d}\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), summary.duration))
end
`,
      );
      const threads = Math.min(2, connections);
      const out = await run('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '-s', script, url]);
      const line = out.split('\n').find((l) => l.startsWith('JSON '))!;
      const w = JSON.parse(line.slice(5)) as { requests: number; errors: number; p50: number; p99: number; us: number };
      return { tool: `wrk -t${threads} -c${connections} -d${seconds}s`, requests: w.requests, errors: w.errors, rps: Math.round(w.requests / (w.us / 1e6)), p50Ms: +(w.p50 / 1000).toFixed(2), p99Ms: +(w.p99 / 1000).toFixed(2) };
    }
    if (!useIds) return { tool: 'bench/api-load.ts (no baseline without wrk)', requests: 0, errors: 0, rps: 0, p50Ms: 0, p99Ms: 0 };
    const out = await run('npx', ['tsx', path.join('bench', 'api-load.ts'), url, token, idsFile, String(connections), String(seconds)]);
    const r = JSON.parse(out.trim().split('\n').pop()!) as { requests: number; errors: number; rps: number; p50Ms: number; p99Ms: number };
    return { tool: `bench/api-load.ts c=${connections} ${seconds}s`, ...r };
  };
  // Warm-up (JIT, pool, caches: the 20,000 ids the load reads are cached), then the baseline and the route under test back to back. The heap growth over the
  // warm-up is mostly the account cache (20,000 ids read at random); exact with node --expose-gc.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  // Every id read once (16 at a time), then a run at random.
  let next = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < ids.length) {
        const res = await fetch(`${url}/v1/accounts/${ids[next++]}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
      }
    }),
  );
  await load('/v1/accounts/', true);
  gc();
  const heapGrowthMiB = +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1);
  const constant = await load('/bench/constant', false);
  const before = await lookups();
  const result = await load('/v1/accounts/', true);
  const after = await lookups();
  const looked = after.hit + after.miss + after.bypass - (before.hit + before.miss + before.bypass);
  const cacheHitRatio = looked > 0 ? +((after.hit - before.hit) / looked).toFixed(3) : null;
  const loadavg = os.loadavg().map((l) => +l.toFixed(1));
  await api.stop();
  await view.stop();
  console.log(JSON.stringify({ benchmark: 'GET /bench/constant (baseline)', loadavg, ...constant }));
  console.log(JSON.stringify({ benchmark: 'GET /v1/accounts/{id}', accounts: Number(rows[0]!.n), loadavg, heapGrowthMiB, cacheHitRatio, ...result }));
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  rmSync(work, { recursive: true, force: true });
}
