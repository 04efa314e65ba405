// Named builders for the effects tests: seeded account trees, outbox rows written the way the store writes them,
// a dispatcher wired to test sinks, and readers for the outbox and the audit trail.
import { systemClock, type Clock } from '../../../src/clock.js';
import type { Account } from '../../../src/domain/types.js';
import { createEmailRenderer } from '../../../src/effects/email-renderer.js';
import { createOutboxDispatcher, type OutboxDispatcher, type OutboxDispatcherOptions } from '../../../src/effects/outbox-dispatcher.js';
import type { EmailSink, OutgoingEmail, StatusMessage, StatusSink } from '../../../src/effects/outbox-types.js';
import { loadTemplates } from '../../../src/effects/template-store.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { upsertAccounts } from '../../../src/store/accounts-repo.js';
import type { Database, Queryable } from '../../../src/store/db.js';
import { insertOutbox } from '../../../src/store/outbox-repo.js';

export const SUPPORT = 'the Acme Telecom support desk (support@telecom.example, 0800 000 000)';
export const quietLogger = () => createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

export async function seedAccounts(db: Database, accounts: Account[]): Promise<void> {
  await upsertAccounts(db, accounts);
}

let seq = 0;
/** An email row as executeTransition writes it. */
export async function queueEmail(
  db: Queryable,
  row: { accountId: string; template: string; to?: { name?: string; email: string } | null; data?: Record<string, unknown>; dedupeKey?: string },
  now = new Date(),
): Promise<string> {
  const dedupeKey = row.dedupeKey ?? `test:${row.template}:${row.accountId}:${++seq}:${Math.random().toString(36).slice(2)}`;
  await insertOutbox(
    db,
    [{ accountId: row.accountId, kind: 'email', dedupeKey, payload: { template: row.template, accountId: row.accountId, to: row.to === undefined ? { name: 'Jo Bloggs', email: `${row.accountId}@example.test` } : row.to, data: row.data ?? {} } }],
    now.toISOString(),
  );
  return dedupeKey;
}

export interface OutboxRowView {
  id: number;
  account_id: string;
  kind: string;
  state: string;
  attempts: number;
  last_error: string | null;
  dedupe_key: string;
  claimed_by: string | null;
}

export async function outboxRows(db: Queryable, where = 'true'): Promise<OutboxRowView[]> {
  const res = await db.query<OutboxRowView>(`SELECT id, account_id, kind, state, attempts, last_error, dedupe_key, claimed_by FROM outbox WHERE ${where} ORDER BY id`);
  return res.rows;
}

export async function auditOf(db: Queryable, accountId: string): Promise<{ kind: string; actor: string; note: string | null; evidence: Record<string, unknown> | null }[]> {
  const res = await db.query<{ kind: string; actor: string; note: string | null; evidence: Record<string, unknown> | null }>(
    'SELECT kind, actor, note, evidence FROM audit WHERE account_id = $1 ORDER BY id',
    [accountId],
  );
  return res.rows;
}

/** A status sink that keeps what it is given (and can be told to fail). */
export function memoryStatusSink(): StatusSink & { published: StatusMessage[]; failNext: number } {
  const sink = {
    published: [] as StatusMessage[],
    failNext: 0,
    async publish(messages: StatusMessage[]) {
      if (sink.failNext > 0) {
        sink.failNext -= 1;
        throw new Error('broker unavailable (test)');
      }
      sink.published.push(...messages);
    },
    async close() {},
  };
  return sink;
}

/** An email sink that keeps what it is given. */
export function memoryEmailSink(): EmailSink & { sent: OutgoingEmail[] } {
  const sink = {
    sent: [] as OutgoingEmail[],
    async send(mail: OutgoingEmail) {
      sink.sent.push(mail);
    },
    async close() {},
  };
  return sink;
}

export const templates = loadTemplates();
export const render = createEmailRenderer(templates, { supportContact: SUPPORT });

export function testDispatcher(
  db: Database,
  over: Partial<OutboxDispatcherOptions> & { sinks: OutboxDispatcherOptions['sinks']; clock?: Clock },
): { dispatcher: OutboxDispatcher; metrics: Metrics } {
  const metrics = over.metrics ?? new Metrics({ defaultMetrics: false });
  const dispatcher = createOutboxDispatcher({
    db,
    clock: systemClock,
    logger: quietLogger(),
    render,
    pollIntervalMs: 50,
    backoff: { baseMs: 20, maxMs: 200, jitter: 0.5 },
    maxAttempts: 5,
    ...over,
    metrics,
  });
  return { dispatcher, metrics };
}

/** Runs passes until nothing is claimed (or `maxPasses`). */
export async function drainAll(d: OutboxDispatcher, maxPasses = 1000): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxPasses; i++) {
    const n = await d.drainOnce();
    if (n.status + n.email === 0) return total;
    total += n.status + n.email;
  }
  return total;
}

export async function until<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (want.every((w) => line.includes(w))) return Number(line.split(' ').pop());
  }
  return 0;
}
