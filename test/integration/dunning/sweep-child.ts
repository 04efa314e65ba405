// A separate daemon-like process for the two-process sweep test: opens its own pool, waits until `startAt`
// (wall clock, so both processes sweep at the same moment), runs one sweep at event time `now`, prints its report.
// argv: <databaseUrl> <holder> <now epoch ms> <startAt epoch ms> <bypassLease 0|1>
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { createSweeper } from '../../../src/dunning/sweep.js';
import { evaluateAccounts } from '../../../src/dunning/evaluate.js';
import { Metrics } from '../../../src/metrics.js';
import { createLogger } from '../../../src/log.js';
import { standardPolicy } from './fixtures.js';

const [url, holder, nowText, startText, bypass] = process.argv.slice(2);
const db = createPgDatabase(url!, { max: 4 });
const policies = [standardPolicy()];
const now = Number(nowText);
await new Promise((r) => setTimeout(r, Math.max(0, Number(startText) - Date.now())));
try {
  if (bypass === '1') {
    // No lease: evaluate every account with invoices, as a racing ingest would.
    const ids = (await db.query<{ account_id: string }>('SELECT DISTINCT account_id FROM invoices ORDER BY 1')).rows.map((r) => r.account_id);
    const s = await db.transaction((tx) => evaluateAccounts(tx, ids, now, policies));
    process.stdout.write(JSON.stringify({ ran: true, ...s }) + '\n');
  } else {
    const sweeper = createSweeper({ db, logger: createLogger('silent'), metrics: new Metrics({ defaultMetrics: false }), getPolicies: () => policies, holder });
    process.stdout.write(JSON.stringify(await sweeper.sweepOnce(now)) + '\n');
  }
} finally {
  await db.close();
}
