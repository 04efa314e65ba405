import { listAccounts as oldList } from './.old-aq.js';
import { listAccounts as newList } from '../src/api/queries/account-queries.js';
import { withoutJit } from '../src/api/console/without-jit.js';
import { migrate } from '../src/store/migrate.js';
import { createPgDatabase } from '../src/store/pg-database.js';
const db = createPgDatabase('postgres://postgres@127.0.0.1:5432/i17_reads_exp', { max: 2 });
await migrate(db);
const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM accounts');
if (rows[0]!.n === '0') {
  await db.query(`
    INSERT INTO accounts (id, type, parent_id, name, main_contact, updated_at)
    SELECT 'r' || r, 'reseller', NULL, 'Reseller ' || r, NULL::jsonb, now() FROM generate_series(1, 100) r
    UNION ALL
    SELECT 'r' || r || '-c' || c, 'channel', 'r' || r, 'Channel ' || c, NULL::jsonb, now() FROM generate_series(1, 100) r, generate_series(1, 10) c
    UNION ALL
    SELECT 'r' || r || '-c' || (u % 10 + 1) || '-u' || u, 'customer', 'r' || r || '-c' || (u % 10 + 1), 'Customer ' || u,
           jsonb_build_object('email', 'u' || u || '@example.test'), now()
      FROM generate_series(1, 100) r, generate_series(1, 989) u`);
  await db.query(`INSERT INTO holds (id, account_id, reason, source, evidence, placed_at)
    SELECT 'h-' || id, id, 'fraud', 'rule:bench', '{}', now() FROM accounts WHERE hashtext(id) % 100 = 0`);
  await db.query('ANALYZE');
}
const cases: Array<[string, Parameters<typeof newList>[1]]> = [
  ['operator, first page', { scopeRoot: null, limit: 51 }],
  ['operator, status=suspended', { scopeRoot: null, status: 'suspended', limit: 51 }],
  ['operator, q=customer 98', { scopeRoot: null, q: 'customer 98', limit: 51 }],
  ['reseller r7, first page', { scopeRoot: 'r7', limit: 51 }],
  ['reseller r7, status=active type=channel', { scopeRoot: 'r7', status: 'active', type: 'channel', limit: 51 }],
  ['reseller r7, q=customer 98', { scopeRoot: 'r7', q: 'customer 98', limit: 51 }],
];
const time = async (fn: () => Promise<unknown>) => { const t = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t) / 1e6; };
const med = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, f] of cases) {
  const o: number[] = [], n: number[] = [];
  let same = true;
  for (let i = 0; i < 3; i++) {
    o.push(await time(() => oldList(db, f)));
    n.push(await time(() => withoutJit(db, (tx) => newList(tx, f))));
  }
  const a = JSON.stringify(await oldList(db, f)), b = JSON.stringify(await withoutJit(db, (tx) => newList(tx, f)));
  same = a === b;
  console.log(`${name}: before ${med(o).toFixed(1)} ms, after ${med(n).toFixed(1)} ms (median of 3), same rows: ${same}`);
}
await db.close();
