// The outbox dispatcher: drains the rows `executeTransition` wrote, publishing status messages and sending emails.
// One loop per kind, so a dead SMTP server never delays a status message. Loops wake on a short poll and on
// notify() (the pipeline calls it after committing a transition). Delivery is at least once: a claim is a lease
// (claimed_until), so a dispatcher that dies mid-send leaves the row to be claimed again when the lease runs out.
// Never holds a database transaction open across a send, and never throws out of a timer.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/db.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import type { DeliveryContext } from './delivery-context.js';
import { deliverEmailBatch } from './deliver-email.js';
import { deliverStatusBatch } from './deliver-status.js';
import { countPending } from './outbox-sql.js';
import { OUTBOX_KINDS, type EmailRenderer, type EmailSink, type OutboxKind, type StatusSink } from './outbox-types.js';
import { createWaker } from './waker.js';

export interface OutboxDispatcherOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** No status sink (Kafka not configured): status rows are marked `skipped`. */
  sinks: { status?: StatusSink | undefined; email: EmailSink };
  render: EmailRenderer;
  batchSize?: number;
  pollIntervalMs?: number;
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** How long a claim protects a row; must exceed sendTimeoutMs. */
  leaseMs?: number;
  sendTimeoutMs?: number;
  emailConcurrency?: number;
  /** How often suspensiond_outbox_pending is refreshed. */
  pendingRefreshMs?: number;
  dispatcherId?: string;
  random?: () => number;
  /** How long an email waits for its account's snapshot or main contact before it is parked; default 24 h. */
  waitForContactMs?: number;
}

export interface OutboxDispatcher {
  readonly id: string;
  start(): void;
  /**
   * Lets in-flight sends finish, then returns. With `flushMs`, keeps draining what is due for up to that long first
   * (the shutdown order flushes the outbox after the consumers stop). Safe to call twice.
   */
  stop(opts?: { flushMs?: number }): Promise<void>;
  /** Wakes the loops now (after a transition committed). */
  notify(): void;
  /** One pass: at most one claimed batch per kind. Returns the rows handled per kind. */
  drainOnce(): Promise<Record<OutboxKind, number>>;
  refreshPending(): Promise<void>;
}

/** EMAIL_WAIT_FOR_CONTACT's default: a day covers an accounts feed that lags or is replayed behind the CDRs. */
export const DEFAULT_WAIT_FOR_CONTACT_MS = 24 * 3_600_000;

export function createOutboxDispatcher(opts: OutboxDispatcherOptions): OutboxDispatcher {
  const sendTimeoutMs = opts.sendTimeoutMs ?? 30_000;
  const ctx: DeliveryContext = {
    db: opts.db,
    clock: opts.clock,
    logger: opts.logger.child({ component: 'outbox' }),
    metrics: opts.metrics,
    dispatcherId: opts.dispatcherId ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    batchSize: opts.batchSize ?? 100,
    leaseMs: Math.max(opts.leaseMs ?? 60_000, sendTimeoutMs + 1_000),
    sendTimeoutMs,
    maxAttempts: opts.maxAttempts ?? 10,
    backoff: opts.backoff ?? DEFAULT_BACKOFF,
    random: opts.random ?? Math.random,
    waitForContactMs: opts.waitForContactMs ?? DEFAULT_WAIT_FOR_CONTACT_MS,
  };
  const pollIntervalMs = opts.pollIntervalMs ?? 200;
  const emailDeps = { sink: opts.sinks.email, render: opts.render, concurrency: opts.emailConcurrency ?? 5 };
  const wakers = new Map(OUTBOX_KINDS.map((k) => [k, createWaker()]));
  let running = false;
  let loops: Promise<void>[] = [];
  let pendingTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const drainKind = (kind: OutboxKind): Promise<number> =>
    kind === 'status' ? deliverStatusBatch(ctx, opts.sinks.status) : deliverEmailBatch(ctx, emailDeps);

  async function loop(kind: OutboxKind): Promise<void> {
    const waker = wakers.get(kind)!;
    let failures = 0;
    while (running) {
      let handled = 0;
      try {
        handled = await drainKind(kind);
        failures = 0;
      } catch (err) {
        // The database is unreachable or a query failed: wait longer each time, then try again.
        failures += 1;
        ctx.logger.error({ err, kind }, 'outbox pass failed');
        await waker.wait(Math.min(30_000, pollIntervalMs * 2 ** Math.min(failures, 8)));
        continue;
      }
      // A completed row may have unblocked the next row of its account: look again at once.
      if (handled > 0) continue;
      await waker.wait(pollIntervalMs);
    }
  }

  async function refreshPending(): Promise<void> {
    const counts = await countPending(ctx.db);
    for (const kind of OUTBOX_KINDS) ctx.metrics.setOutboxPending(kind, counts.pending.get(kind) ?? 0);
    ctx.metrics.setEmailsWaitingForContact(counts.waiting);
  }

  return {
    id: ctx.dispatcherId,
    start() {
      if (running) return;
      running = true;
      stopping = undefined;
      loops = OUTBOX_KINDS.map((kind) => loop(kind));
      const tick = () => refreshPending().catch((err: unknown) => ctx.logger.warn({ err }, 'outbox pending count failed'));
      void tick();
      pendingTimer = setInterval(tick, opts.pendingRefreshMs ?? 5_000);
      pendingTimer.unref();
      ctx.logger.info({ dispatcherId: ctx.dispatcherId }, 'outbox dispatcher started');
    },
    stop(stopOpts = {}) {
      if (stopping) return stopping;
      if (!running) return Promise.resolve();
      running = false;
      clearInterval(pendingTimer);
      for (const w of wakers.values()) w.wake();
      stopping = (async () => {
        await Promise.all(loops);
        loops = [];
        const deadline = Date.now() + (stopOpts.flushMs ?? 0);
        while (Date.now() < deadline) {
          const n = await Promise.all(OUTBOX_KINDS.map(drainKind)).catch((err: unknown) => {
            ctx.logger.warn({ err }, 'outbox flush failed');
            return [0];
          });
          if (n.every((x) => x === 0)) break;
        }
        ctx.logger.info({ dispatcherId: ctx.dispatcherId }, 'outbox dispatcher stopped');
      })();
      return stopping;
    },
    notify() {
      for (const w of wakers.values()) w.wake();
    },
    async drainOnce() {
      const [status, email] = await Promise.all([drainKind('status'), drainKind('email')]);
      await refreshPending();
      return { status, email };
    },
    refreshPending,
  };
}
