// The single-process setup (no DATABASE_URL, no SMTP_URL, no Kafka): PGlite, mails as .eml files in $DATA_DIR/mail,
// status rows skipped. Wired through createEffects from the configuration, as src/main.ts does.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config.js';
import { createEffects, type Effects } from '../../../src/effects/create-effects.js';
import { Metrics } from '../../../src/metrics.js';
import type { Database } from '../../../src/store/db.js';
import { migrate } from '../../../src/store/migrate.js';
import { createPgliteDatabase } from '../../../src/store/pglite-database.js';
import { withTransition } from '../../../src/store/transitions.js';
import { channel, customer, reseller, ruleActor } from '../../helpers/accounts.js';
import { auditOf, outboxRows, quietLogger, seedAccounts, until } from './effects-fixtures.js';

let dataDir: string;
let db: Database;
let effects: Effects;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'suspensiond-effects-'));
  db = await createPgliteDatabase(dataDir);
  await migrate(db);
  await seedAccounts(db, [reseller('p-res'), channel('p-chan', 'p-res'), customer('p-cust', 'p-chan', { name: 'Pglite Ltd', mainContact: { name: 'Pat', email: 'pat@pglite.example' } })]);
  const config = loadConfig({ DATA_DIR: dataDir, SUPPORT_CONTACT: 'support@telecom.example', MAIL_FROM: 'suspensions@telecom.example' });
  effects = createEffects({ config, db, clock: systemClock, logger: quietLogger(), metrics: new Metrics({ defaultMetrics: false }), tuning: { pollIntervalMs: 50 } });
  effects.dispatcher.start();
}, 120_000);
afterAll(async () => {
  await effects?.close();
  await db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

it('without SMTP_URL a suspension mail is written to $DATA_DIR/mail as an .eml file named by its Message-ID', async () => {
  await withTransition(db, { kind: 'suspend', accountId: 'p-cust', actor: ruleActor('call-burst'), reason: 'fraud', source: 'rule:call-burst' }, { now: new Date() });
  effects.dispatcher.notify();
  const mailDir = path.join(dataDir, 'mail');
  const files = await until(async () => {
    const names = await readdir(mailDir).catch(() => [] as string[]);
    return names.filter((n) => n.endsWith('.eml')).length === 1 ? names : undefined;
  }, 20_000, 'an .eml file');
  const parsed = await simpleParser(await readFile(path.join(mailDir, files[0]!)));
  expect(parsed.subject).toBe('Your account Pglite Ltd has been suspended: suspected fraudulent dialling');
  expect(parsed.text).toContain('Inbound calls: you can still receive calls.');
  expect(files[0]).toBe(`${parsed.messageId!.replace(/^<|>$/g, '')}.eml`);
  expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : '').toContain('pat@pglite.example');
  const history = await auditOf(db, 'p-cust');
  expect(history.find((h) => h.kind === 'email_sent')?.evidence).toMatchObject({ messageId: parsed.messageId });
});

it('without Kafka the status rows are skipped, so nothing piles up in the outbox', async () => {
  await until(async () => (await outboxRows(db, `state = 'pending'`)).length === 0, 10_000, 'an empty backlog');
  const status = await outboxRows(db, `kind = 'status'`);
  expect(status.length).toBeGreaterThan(0);
  expect(new Set(status.map((r) => r.state))).toEqual(new Set(['skipped']));
});
