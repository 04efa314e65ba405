// A dispatcher in a process of its own, for the "two dispatchers share one outbox" test. Usage:
//   node --import tsx dispatcher-process.ts <databaseUrl> <smtpUrl> <name>
// Status messages go to a recording sink (one INSERT per batch into test_deliveries); emails go to the SMTP server.
// Runs until SIGTERM, then stops gracefully (in-flight sends finish) and exits 0.
import { systemClock } from '../../../src/clock.js';
import { createEmailRenderer } from '../../../src/effects/email-renderer.js';
import { createSmtpEmailSink } from '../../../src/effects/email-sinks.js';
import { createOutboxDispatcher } from '../../../src/effects/outbox-dispatcher.js';
import type { StatusSink } from '../../../src/effects/outbox-types.js';
import { loadTemplates } from '../../../src/effects/template-store.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createPgDatabase } from '../../../src/store/pg-database.js';

const [databaseUrl, smtpUrl, name] = process.argv.slice(2) as [string, string, string];
const db = createPgDatabase(databaseUrl, { max: 8, applicationName: `dispatcher-${name}` });
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', process.stderr);
const email = createSmtpEmailSink({ url: smtpUrl, from: 'suspensions@telecom.example' });
const status: StatusSink = {
  async publish(messages) {
    await db.query(
      `INSERT INTO test_deliveries (dedupe_key, account_id, worker)
       SELECT 'status:' || m.account_id || ':' || m.version, m.account_id, $3
         FROM unnest($1::text[], $2::int[]) AS m(account_id, version)`,
      [messages.map((m) => m.accountId), messages.map((m) => (m.value as { version: number }).version), name],
    );
  },
  async close() {},
};
const dispatcher = createOutboxDispatcher({
  db,
  clock: systemClock,
  logger,
  metrics: new Metrics({ defaultMetrics: false }),
  sinks: { status, email },
  render: createEmailRenderer(loadTemplates(), { supportContact: 'support' }),
  batchSize: 100,
  pollIntervalMs: 20,
  dispatcherId: name,
});
dispatcher.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void (async () => {
    await dispatcher.stop();
    await email.close();
    await db.close();
    process.exit(0);
  })();
});
