// `suspensiond demo`: loads the sample platform of examples/ into a running daemon and plays its day of traffic
// (CDRs and invoice events) through the HTTP ingest, or the Kafka topics with --kafka, compressed by --speed, with
// the operator's scripted actions through the API. By the end the daemon has made the decisions the README's
// walk-through shows. Never: talks to the database, or decides anything itself.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiClient, type ApiClient } from '../api-client.js';
import { buildTimetable, parseSpeed, type DemoRecord, type OperatorAction } from '../demo/schedule.js';
import { createDemoTopics, httpSender, kafkaSender, type DemoSender, type SendOutcome } from '../demo/senders.js';
import { progressBar } from '../demo/progress.js';
import { readDemoSet, type DemoPlan } from '../demo/sample-set.js';
import { EXIT, println, UsageError, type CliIo } from '../io.js';

export const DEMO_USAGE = `usage: suspensiond demo [--url URL] [--token T] [--speed N|max] [--kafka] [--brokers host:port,...] [--dir examples]
       suspensiond demo --kafka --create-topics [--brokers host:port,...]

Loads the sample platform (2 resellers, 5 channels, ~200 customers) into a running daemon and plays a day of its
traffic. --speed is simulated seconds per real second (default 1440: the day in a minute); max sends as fast as the
daemon takes it. The token defaults to SUSPENSIOND_TOKEN, then to $DATA_DIR/operator-token (written by the first
\`npm start\`). --kafka publishes to the input topics (TOPIC_ACCOUNTS, TOPIC_CDRS, TOPIC_INVOICES) of KAFKA_BROKERS
instead of posting to the HTTP ingest; operator actions still go through the API. --kafka --create-topics creates
the daemon's topics (6 partitions each, account-status compacted) where they are missing, then exits.
`;

const DEFAULT_DIR = path.resolve(import.meta.dirname, '../../../examples');

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      speed: { type: 'string' },
      kafka: { type: 'boolean', default: false },
      'create-topics': { type: 'boolean', default: false },
      brokers: { type: 'string' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(DEMO_USAGE);
    return EXIT.ok;
  }
  let speed: number;
  try {
    speed = parseSpeed(values.speed, 1440);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  const topics = { accounts: io.env.TOPIC_ACCOUNTS ?? 'accounts', cdrs: io.env.TOPIC_CDRS ?? 'cdrs', invoices: io.env.TOPIC_INVOICES ?? 'invoices' };
  if ((values.kafka || values['create-topics']) && brokers.length === 0) throw new UsageError('--kafka needs --brokers or KAFKA_BROKERS');
  if (values['create-topics']) {
    const made = await createDemoTopics(brokers, { ...topics, status: io.env.TOPIC_STATUS ?? 'account-status', dlq: io.env.TOPIC_DLQ ?? 'suspensiond-dlq' });
    println(io.stdout, made.length > 0 ? `created topics: ${made.join(', ')}` : 'topics already exist');
    return EXIT.ok;
  }
  const url = values.url ?? io.env.SUSPENSIOND_URL ?? `http://${io.env.HTTP_HOST ?? '127.0.0.1'}:${io.env.HTTP_PORT ?? '8080'}`;
  const token = values.token ?? io.env.SUSPENSIOND_TOKEN ?? (await readOperatorToken(io.env.DATA_DIR ?? './data'));
  if (!token) throw new UsageError('no token: pass --token, set SUSPENSIOND_TOKEN, or start the daemon once on embedded defaults');
  const set = await readDemoSet(values.dir ? path.resolve(values.dir) : DEFAULT_DIR);
  const api = createApiClient(url, token);

  let sender: DemoSender;
  if (values.kafka) {
    sender = await kafkaSender(brokers, topics);
  } else {
    sender = httpSender(url, token);
  }
  try {
    await play(set.records, set.plan, speed, sender, api, io);
  } finally {
    await sender.close();
  }
  if (values.kafka) await new Promise((r) => setTimeout(r, 3_000)); // let the consumer catch up before the summary
  await printSummary(api, io, url);
  return EXIT.ok;
}

async function play(records: DemoRecord[], plan: DemoPlan, speed: number, sender: DemoSender, api: ApiClient, io: CliIo): Promise<void> {
  const dayStart = Date.parse(plan.day);
  const { history, ticks } = buildTimetable(records, plan.operatorActions, dayStart, speed);
  const total = history.length + ticks.reduce((n, t) => n + t.records.length, 0);
  const outcome: SendOutcome = { accepted: 0, duplicate: 0, rejected: 0, reasons: [] };
  const add = (o: SendOutcome): void => {
    outcome.accepted += o.accepted;
    outcome.duplicate += o.duplicate;
    outcome.rejected += o.rejected;
    outcome.reasons.push(...o.reasons.slice(0, Math.max(0, 5 - outcome.reasons.length)));
  };
  println(io.stdout, `demo: ${count(records, 'accounts')} accounts, ${count(records, 'cdrs')} CDRs, ${count(records, 'invoices')} invoice events; day ${plan.day.slice(0, 10)} at ${Number.isFinite(speed) ? `${speed}x` : 'max speed'}`);
  const bar = progressBar(io.stderr, total);
  add(await sender.send(history));
  bar.update(history.length, 'history');
  const started = Date.now();
  let sent = history.length;
  for (const tick of ticks) {
    const wait = started + tick.atRealMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (tick.records.length > 0) add(await sender.send(tick.records));
    for (const action of tick.actions) await operatorAction(api, action, io);
    sent += tick.records.length;
    bar.update(sent, new Date(tick.simulatedMs).toISOString().slice(11, 16));
  }
  bar.done();
  println(io.stdout, `sent: ${outcome.accepted} accepted, ${outcome.duplicate} duplicate, ${outcome.rejected} rejected`);
  for (const r of outcome.reasons) println(io.stdout, `  rejected: ${r}`);
}

async function operatorAction(api: ApiClient, a: OperatorAction, io: CliIo): Promise<void> {
  const body = a.action === 'suspend' ? { reason: a.reason ?? 'fraud', note: a.note } : { note: a.note };
  await api.post(`/v1/accounts/${encodeURIComponent(a.account)}/${a.action}`, body);
  println(io.stdout, `\noperator: ${a.action} ${a.account}${a.reason ? ` (${a.reason})` : ''}${a.note ? `: ${a.note}` : ''}`);
}

interface Summary {
  items: Array<{ id: string; type: string; name: string | null }>;
  nextCursor: string | null;
}

/**
 * The day's outcome as a newcomer reads it: every account suspended by a hold of its own (the storyline: a rule's
 * fraud hold, dunning, an operator), with its reasons, before the accounts that only inherit a suspension, which
 * are counted by the account they inherit from (a suspended channel's customers would otherwise fill the list and
 * hide the fraud hold the demo is about).
 */
async function printSummary(api: ApiClient, io: CliIo, url: string): Promise<void> {
  const suspended = (await api.get('/v1/accounts', { status: 'suspended', limit: '200' })) as Summary;
  const pending = (await api.get('/v1/decisions', { state: 'pending' })) as { items: unknown[] };
  const own: string[] = [];
  const inherited = new Map<string, number>();
  for (const a of suspended.items) {
    const d = (await api.get(`/v1/accounts/${encodeURIComponent(a.id)}`)) as {
      holds: Array<{ reason: string; source: string }>;
      inheritedFrom: string[];
    };
    if (d.holds.length > 0) own.push(`  ${a.id.padEnd(20)} ${a.type.padEnd(9)} ${d.holds.map((h) => `${h.reason} by ${h.source}`).join(', ')}`);
    else for (const from of d.inheritedFrom) inherited.set(from, (inherited.get(from) ?? 0) + 1);
  }
  const more = suspended.nextCursor !== null ? ' (the first 200)' : '';
  println(io.stdout, `\nsuspended now: ${suspended.items.length} accounts${more}, ${own.length} by a hold of their own`);
  for (const line of own) println(io.stdout, line);
  for (const [from, n] of inherited) println(io.stdout, `  ${n} ${n === 1 ? 'account inherits' : 'accounts inherit'} the suspension of ${from}`);
  println(io.stdout, `review decisions waiting: ${pending.items.length}`);
  println(io.stdout, `\nopen ${url.replace(/\/+$/, '')}/console and sign in with the operator token to look around`);
}

async function readOperatorToken(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(path.join(dataDir, 'operator-token'), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

const count = (records: readonly DemoRecord[], kind: DemoRecord['kind']): number => records.filter((r) => r.kind === kind).length;
