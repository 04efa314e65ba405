// Benchmark: one dunning sweep over 1,000,000 open invoices with 100,000 accounts overdue at different stages, on real
// PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test). Goal: <= 30 s.
// It creates its own database, seeds it with set-based SQL in the state "yesterday's sweeps left it", sweeps once at
// "today" (accounts crossing 3, 10 or 14 days past due fire: about 10,000 stages and 3,300 suspensions), then sweeps
// again (steady state: nothing due). Drops the database at the end. Run: npx tsx bench/dunning-sweep.ts
import pg from 'pg';
import { createPgDatabase } from '../src/store/pg-database.js';
import { migrate } from '../src/store/migrate.js';
import { createSweeper } from '../src/dunning/sweep.js';
import { Metrics } from '../src/metrics.js';
import { createLogger } from '../src/log.js';
import type { DunningPolicy } from '../src/rules/types.js';

const server = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 250_000);
const OVERDUE = Number(process.env.BENCH_OVERDUE ?? 100_000);
const INVOICES = Number(process.env.BENCH_INVOICES ?? 1_000_000);
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

const name = `suspensiond_bench_dunning_${process.pid}`;
const dbUrl = (() => { const u = new URL(server); u.pathname = `/${name}`; return u.toString(); })();
const admin = new pg.Client({ connectionString: server });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const base = createPgDatabase(dbUrl, { max: 4 });
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
const t = () => performance.now();
try {
  await migrate(db);
  let t0 = t();
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
      FROM generate_series(1, $1::int) g`, [INVOICES - overdueInvoices, ACCOUNTS]);
  // Yesterday's state: episodes with the stages due at d - 1 fired, and the dunning hold where 14d had fired.
  await db.query(`INSERT INTO dunning_episodes (account_id, id, currency, policy_id, opened_at, anchor_due_at, fired_stages, suspended)
    SELECT 'c-' || a, 'GBP-1', 'GBP', 'standard', now(), DATE '2026-11-20' - (1 + a % 30),
           ARRAY(SELECT s FROM unnest(ARRAY[3, 10, 14], ARRAY['3d', '10d', '14d']) u(d, s) WHERE u.d <= a % 30), a % 30 >= 14
      FROM generate_series(1, $1::int) a`, [OVERDUE]);
  await db.query(`INSERT INTO holds (id, account_id, reason, source, evidence, placed_at)
    SELECT 'h-bench-' || a, 'c-' || a, 'non_payment', 'dunning:standard', '{}', now() FROM generate_series(1, $1::int) a WHERE a % 30 >= 14`, [OVERDUE]);
  await db.query('ANALYZE');
  const seeded = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM invoices WHERE closed_at IS NULL AND outstanding_micros > 0`);
  console.log(`seeded ${seeded.rows[0]!.n} open invoices, ${ACCOUNTS} customers, ${OVERDUE} overdue, in ${((t() - t0) / 1000).toFixed(1)} s`);

  if (process.env.BENCH_SEED_ONLY === '1') throw new Error(`seeded only: ${dbUrl}`);
  const sweeper = createSweeper({ db, logger: createLogger('warn'), metrics: new Metrics({ defaultMetrics: false }), getPolicies: () => [policy], holder: 'bench' });
  t0 = t();
  const first = await sweeper.sweepOnce(NOW);
  const firstS = (t() - t0) / 1000;
  if (profile.size > 0) {
    for (const [k, v] of [...profile.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) console.log(`${v.ms.toFixed(0).padStart(8)} ms ${String(v.n).padStart(6)}x  ${k}`);
    profile.clear();
  }
  console.log(`sweep 1 (day boundary): ${firstS.toFixed(2)} s`, JSON.stringify(first));
  t0 = t();
  const second = await sweeper.sweepOnce(NOW + 15 * 60_000);
  const secondS = (t() - t0) / 1000;
  console.log(`sweep 2 (steady state): ${secondS.toFixed(2)} s`, JSON.stringify(second));
  console.log(JSON.stringify({ bench: 'dunning-sweep', openInvoices: seeded.rows[0]!.n, overdueAccounts: first.overdueAccounts, dayBoundarySweepS: +firstS.toFixed(2), steadySweepS: +secondS.toFixed(2), goalS: 30 }));
} finally {
  await db.close();
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${dbUrl}`);
  else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
