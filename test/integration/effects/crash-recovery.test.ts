// A dispatcher process killed (SIGKILL) after claiming an email and while sending it: the row is not lost. Once the
// lease runs out another dispatcher delivers it, with the Message-ID the row always had.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { createSmtpEmailSink } from '../../../src/effects/email-sinks.js';
import { messageIdFor } from '../../../src/effects/message-id.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { startSmtpServer, type TestSmtpServer } from '../../helpers/smtp.js';
import { drainAll, outboxRows, queueEmail, testDispatcher, until } from './effects-fixtures.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dispatcher-process.ts');
let fresh: FreshDatabase;
let smtp: TestSmtpServer;
let stalling: Server;
const sockets: Socket[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  fresh = await freshDatabase();
  await fresh.db.query(`CREATE TABLE test_deliveries (seq bigserial PRIMARY KEY, dedupe_key text NOT NULL, account_id text NOT NULL, worker text NOT NULL)`);
  smtp = await startSmtpServer();
  // The mail server the doomed dispatcher talks to: it accepts the connection and then says nothing.
  stalling = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => stalling.listen(0, '127.0.0.1', () => r()));
});
afterAll(async ({}, suite) => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  sockets.forEach((s) => s.destroy());
  await new Promise((r) => stalling.close(r));
  await smtp.close();
  await fresh.drop(suite);
});

it('a dispatcher killed between claiming a mail and sending it leads to one delivery by another, never none', async () => {
  const key = await queueEmail(fresh.db, { accountId: 'crash-acc', template: 'suspension-fraud', to: { email: 'victim@crash.example' } });
  const stallUrl = `smtp://127.0.0.1:${(stalling.address() as { port: number }).port}`;
  child = spawn(process.execPath, ['--import', 'tsx', script, fresh.url, stallUrl, 'doomed'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => (await outboxRows(fresh.db, `dedupe_key = '${key}'`))[0]?.claimed_by === 'doomed', 30_000, 'the claim');
  await until(() => sockets.length > 0, 30_000, 'the doomed send');
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGKILL');
  await exited;

  const [orphan] = await outboxRows(fresh.db, `dedupe_key = '${key}'`);
  expect(orphan).toMatchObject({ state: 'pending', attempts: 1, claimed_by: 'doomed' });

  // A surviving replica: nothing while the dead one's lease (60 s by default) lasts, the delivery once it has run out.
  const clock = new ManualClock(new Date());
  const sink = createSmtpEmailSink({ url: smtp.url, from: 'suspensions@telecom.example' });
  try {
    const { dispatcher } = testDispatcher(fresh.db, { sinks: { email: sink }, clock, leaseMs: 60_000, sendTimeoutMs: 10_000 });
    await drainAll(dispatcher);
    expect(smtp.received).toHaveLength(0);
    clock.advance(61_000);
    await drainAll(dispatcher);
  } finally {
    await sink.close();
  }
  expect(smtp.received).toHaveLength(1);
  expect(smtp.received[0]!.messageId).toBe(messageIdFor({ id: String(orphan!.id), dedupeKey: key }));
  expect((await outboxRows(fresh.db, `dedupe_key = '${key}'`))[0]).toMatchObject({ state: 'done', attempts: 2 });
});
