// Benchmark: dunning sweeps over N open invoices on real PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, else
// postgres://postgres@127.0.0.1:5432/test). Goal (issue 17): <= 60 s at the day boundary over 10,000,000.
// For each size it creates its own database, seeds it with set-based SQL in the state "yesterday's sweeps left it"
// (N/4 customers, N/10 of them overdue with 3 invoices each), sweeps once at "today" (accounts crossing 3, 10 or
// 14 days past due fire: about N/100 stages and N/300 suspensions), then sweeps again (steady state: nothing due),
// and drops the database. Several sizes print a growth table: seconds, CPU and cost per invoice, and the ratios.
// Run: npx tsx bench/dunning-sweep.ts [invoices ...]   (default 1000000; e.g. 100000 1000000 10000000)
// BENCH_INVOICES (a comma list) does the same; BENCH_ACCOUNTS and BENCH_OVERDUE override the N/4 and N/10.
// BENCH_SWEEP_CONCURRENCY sets the batches in flight (SweepDeps.concurrency; default 2 on PostgreSQL).
import { loadavg } from 'node:os';
import pg from 'pg';
import { createPgDatabase } from '../src/store/pg-database.js';
import { migrate } from '../src/store/migrate.js';
import { createSweeper, type SweepReport } from '../src/dunning/sweep.js';
import { Metrics } from '../src/metrics.js';
import { createLogger } from '../src/log.js';
import type { DunningPolicy } from '../src/rules/types.js';
import { pgCpu } from './pg-cpu.js';

const server = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const argSizes = process.argv.slice(2).map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
const SIZES = argSizes.length > 0 ? argSizes : (process.env.BENCH_INVOICES ?? '1000000').split(',').map(Number);
const NOW = Date.parse('2026-11-20T12:00:00Z');

const policy: DunningPolicy = {
  id: 'standard', appliesTo: { accountTypes: ['customer', 'channel'] }, minOverdueMicros: 5_000_000, graceDays: 0, countDisputed: false,
  stages: [
    { afterDays: 3, email: 'payment-reminder', suspend: false },
    { afterDays: 10, email: 'final-notice', suspend: false },
    { afterDays: 14, email: null, suspend: true },
  ],
  reactivateOnPayment: true, reactivateWhen: 'below_suspend_stage', origin: { file: 'bench', line: 1 },
};

interface Phase { s: number; nodeCpuS: number; pgCpuS: number | null; load: number }
interface SizeResult { invoices: number; accounts: number; overdue: number; seedS: number; day: Phase; steady: Phase; first: SweepReport }

const t = () => performance.now();
const load1 = () => +loadavg()[0]!.toFixed(2);

/** Times `fn`: wall seconds, this process's CPU, the server's CPU for `dbName` (pg-cpu.ts), the 1-minute load after. */
async function phase<R>(dbName: string, fn: () => Promise<R>): Promise<[R, Phase]> {
  const cpu = process.cpuUsage();
  const serverCpu = pgCpu(dbName);
  const t0 = t();
  const r = await fn();
  const s = (t() - t0) / 1000;
  const used = process.cpuUsage(cpu);
  return [r, { s, nodeCpuS: (used.user + used.system) / 1e6, pgCpuS: serverCpu.stop(), load: load1() }];
}

async function runSize(invoices: number, single: boolean): Promise<SizeResult | null> {
  const ACCOUNTS = single && process.env.BENCH_ACCOUNTS ? Number(process.env.BENCH_ACCOUNTS) : Math.round(invoices / 4);
  const OVERDUE = single && process.env.BENCH_OVERDUE ? Number(process.env.BENCH_OVERDUE) : Math.round(invoices / 10);
  const name = `suspensiond_bench_dunning_${process.pid}_${invoices}`;
  const dbUrl = (() => { const u = new URL(server); u.pathname = `/${name}`; return u.toString(); })();
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const base = createPgDatabase(dbUrl, { max: 4, idleTimeoutMillis: 600_000 });
  // BENCH_PROFILE=1: time every statement by its first words, to see where a sweep spends its time.
  const profile = new Map<string, { n: number; ms: number }>();
  const timed = <Q extends { query: typeof base.query }>(q: Q): Q => {
    if (process.env.BENCH_PROFILE !== '1') return q;
    return new Proxy(q, {
      get(target, prop, recv) {
        if (prop === 'query') {
          return async (text: string, params?: readonly unknown[]) => {
            const t0 = performance.now();
            try { return await target.query(text, params); } finally {
              const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
              const p = profile.get(key) ?? { n: 0, ms: 0 };
              p.n += 1; p.ms += performance.now() - t0; profile.set(key, p);
            }
          };
        }
        if (prop === 'transaction') return (fn: (tx: Q) => Promise<unknown>) => (target as unknown as { transaction: (f: (tx: Q) => Promise<unknown>) => Promise<unknown> }).transaction((tx) => fn(timed(tx)));
        return Reflect.get(target, prop, recv);
      },
    });
  };
  const db = timed(base);
  try {
    await migrate(db);
    const t0 = t();
    // 100 resellers; customers c-1..c-N in four time zones; c-1..c-OVERDUE are overdue by d = 1..30 days (3 invoices
    // each, the oldest due d days ago); the rest of the invoices are open and not yet due.
    await db.query(`INSERT INTO accounts (id, type, parent_id, name, main_contact, timezone, currency, tags, updated_at)
      SELECT 'r-' || g, 'reseller', NULL, 'Reseller ' || g, NULL, 'UTC', 'GBP', '{}', now() FROM generate_series(1, 100) g`);
    await db.query(`INSERT INTO accounts (id, type, parent_id, name, main_contact, timezone, currency, tags, updated_at)
      SELECT 'c-' || g, 'customer', 'r-' || (g % 100 + 1), 'Customer ' || g, jsonb_build_object('name', 'C ' || g, 'email', 'c' || g || '@example.test'),
             (ARRAY['Europe/London', 'America/New_York', 'Asia/Tokyo', 'UTC'])[g % 4 + 1], 'GBP', '{}', now()
        FROM generate_series(1, $1::int) g`, [ACCOUNTS]);
    const overdueInvoices = OVERDUE * 3;
    await db.query(`INSERT INTO invoices (account_id, invoice_id, currency, outstanding_micros, due_at, due_set_at, last_type, last_event_id, last_occurred_at, overdue_marked_at)
      SELECT 'c-' || a, 'inv-' || a || '-' || k, 'GBP', 40000000, DATE '2026-11-20' - (1 + a % 30) + (k - 1) * 0, now(), 'overdue', 'e-' || a || '-' || k, now(), now()
        FROM generate_series(1, $1::int) a, generate_series(1, 3) k`, [OVERDUE]);
    await db.query(`INSERT INTO invoices (account_id, invoice_id, currency, outstanding_micros, due_at, due_set_at, last_type, last_event_id, last_occurred_at)
      SELECT 'c-' || (1 + g % $2::int), 'fut-' || g, 'GBP', 25000000, DATE '2026-11-20' + (1 + g % 28), now(), 'issued', 'f-' || g, now()
        FROM generate_series(1, $1::int) g`, [Math.max(0, invoices - overdueInvoices), ACCOUNTS]);
    // Yesterday's state: episodes with the stages due at d - 1 fired, and the dunning hold where 14d had fired.
    await db.query(`INSERT INTO dunning_episodes (account_id, id, currency, policy_id, opened_at, anchor_due_at, fired_stages, suspended)
      SELECT 'c-' || a, 'GBP-1', 'GBP', 'standard', now(), DATE '2026-11-20' - (1 + a % 30),
             ARRAY(SELECT s FROM unnest(ARRAY[3, 10, 14], ARRAY['3d', '10d', '14d']) u(d, s) WHERE u.d <= a % 30), a % 30 >= 14
        FROM generate_series(1, $1::int) a`, [OVERDUE]);
    await db.query(`INSERT INTO holds (id, account_id, reason, source, evidence, placed_at)
      SELECT 'h-bench-' || a, 'c-' || a, 'non_payment', 'dunning:standard', '{}', now() FROM generate_series(1, $1::int) a WHERE a % 30 >= 14`, [OVERDUE]);
    // VACUUM as well as ANALYZE: the visibility map and hint bits autovacuum would have set on tables this old
    // (otherwise the first sweep pays for setting them, and autovacuum may start during a timed sweep).
    await db.query('VACUUM (ANALYZE)');
    const seeded = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE closed_at IS NULL AND outstanding_micros > 0`);
    const seedS = (t() - t0) / 1000;
    console.log(`seeded ${seeded.rows[0]!.n} open invoices, ${ACCOUNTS} customers, ${OVERDUE} overdue, in ${seedS.toFixed(1)} s (load ${load1()})`);

    if (process.env.BENCH_SEED_ONLY === '1') return null;
    const sweeper = createSweeper({ db, logger: createLogger('warn'), metrics: new Metrics({ defaultMetrics: false }), getPolicies: () => [policy], holder: 'bench', concurrency: process.env.BENCH_SWEEP_CONCURRENCY ? Number(process.env.BENCH_SWEEP_CONCURRENCY) : undefined });
    const [first, day] = await phase(name, () => sweeper.sweepOnce(NOW));
    if (profile.size > 0) {
      for (const [k, v] of [...profile.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`${v.ms.toFixed(0).padStart(8)} ms ${String(v.n).padStart(6)}x  ${k}`);
      profile.clear();
    }
    console.log(`sweep 1 (day boundary): ${describe(day)}`, JSON.stringify(first));
    const [second, steady] = await phase(name, () => sweeper.sweepOnce(NOW + 15 * 60_000));
    console.log(`sweep 2 (steady state): ${describe(steady)}`, JSON.stringify(second));
    console.log(JSON.stringify({ bench: 'dunning-sweep', openInvoices: seeded.rows[0]!.n, overdueAccounts: first.overdueAccounts, dayBoundarySweepS: +day.s.toFixed(2), steadySweepS: +steady.s.toFixed(2), dayBoundaryPgCpuS: day.pgCpuS, goalS: 60 }));
    return { invoices: seeded.rows[0]!.n, accounts: ACCOUNTS, overdue: OVERDUE, seedS, day, steady, first };
  } finally {
    await db.close();
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${dbUrl}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const cpu = (c: number | null) => (c === null ? 'n/a' : `${c.toFixed(2)} s`);
const describe = (p: Phase) => `${p.s.toFixed(2)} s (CPU: node ${p.nodeCpuS.toFixed(2)} s, PostgreSQL ${cpu(p.pgCpuS)}; load ${p.load})`;
/** µs per open invoice of a phase: wall, and node + server CPU. */
const per = (p: Phase, n: number) => `${((p.s * 1e6) / n).toFixed(2)} µs wall, ${(((p.nodeCpuS + (p.pgCpuS ?? 0)) * 1e6) / n).toFixed(2)} µs CPU`;
const ratio = (a: number, b: number) => (b > 0 ? `x${(a / b).toFixed(2)}` : 'n/a');

const results: SizeResult[] = [];
for (const n of SIZES) {
  console.log(`--- ${n.toLocaleString('en-GB')} open invoices (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const r = await runSize(n, SIZES.length === 1);
  if (r) results.push(r);
}
if (results.length > 1) {
  // The growth curve: per size, each sweep's seconds and cost per open invoice; then each size against the one before.
  console.log('\ngrowth: invoices | seed s | day boundary: s, CPU node+pg, per invoice | steady: s, CPU node+pg, per invoice | load');
  for (const r of results) {
    const c = (p: Phase) => `${(p.nodeCpuS + (p.pgCpuS ?? 0)).toFixed(2)} s`;
    console.log(`${r.invoices.toLocaleString('en-GB')} | ${r.seedS.toFixed(1)} | ${r.day.s.toFixed(2)} s, ${c(r.day)}, ${per(r.day, r.invoices)} | ${r.steady.s.toFixed(2)} s, ${c(r.steady)}, ${per(r.steady, r.invoices)} | ${r.day.load}-${r.steady.load}`);
  }
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1]!, results[i]!];
    const cpuOf = (p: Phase) => p.nodeCpuS + (p.pgCpuS ?? 0);
    console.log(`${a.invoices.toLocaleString('en-GB')} -> ${b.invoices.toLocaleString('en-GB')} (${ratio(b.invoices, a.invoices)} invoices): ` +
      `day boundary ${ratio(b.day.s, a.day.s)} wall, ${ratio(cpuOf(b.day), cpuOf(a.day))} CPU; steady ${ratio(b.steady.s, a.steady.s)} wall, ${ratio(cpuOf(b.steady), cpuOf(a.steady))} CPU; seeding ${ratio(b.seedS, a.seedS)}`);
  }
  console.log(JSON.stringify({ bench: 'dunning-sweep-growth', sizes: results.map((r) => ({ invoices: r.invoices, seedS: +r.seedS.toFixed(1), day: r.day, steady: r.steady })) }));
}
