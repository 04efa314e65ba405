// One dunning sweep: under the lease, one set-based scan finds the accounts the ladder has work for, then they are
// evaluated in batches (one transaction each, a few set-based statements per batch plus one domain transition per
// suspension or reactivation). On PostgreSQL two batches run at once on two pooled connections, so the server loads
// and writes one batch while Node runs the ladder for the other (the batches hold disjoint accounts, each stays its
// own transaction; the ingest already evaluates accounts concurrently with a sweep, under the same locks).
// Never runs without the lease; never reads the clock (`now` is passed in).
// Never silent: a sweep whose scan fails (nobody dunned) or with a failed batch (some accounts not dunned) is counted
// (suspensiond_dunning_sweep_failures_total) and kept as the sweeper's health until a later sweep succeeds.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Database } from '../store/db.js';
import type { DunningPolicy } from '../rules/types.js';
import type { Metrics } from '../metrics.js';
import type { Logger } from '../log.js';
import { inTransactionWithRetry } from '../store/transitions.js';
import { evaluateAccounts, type EvaluateSummary, type TransitionRunner } from './evaluate.js';
import { sweepLease, type Lease } from './lease.js';
import { scanSweepCandidates } from './sweep-query.js';

export interface SweepDeps {
  db: Database;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  metrics: Pick<Metrics, 'decision' | 'observeSweep' | 'setOverdueAccounts' | 'sweepFailed'>;
  getPolicies: () => readonly DunningPolicy[];
  defaultTimezone?: string;
  /** Lease holder id; default `<host>:<pid>:<random>`. */
  holder?: string;
  leaseTtlMs?: number;
  batchSize?: number;
  /** Batches in flight at once; default 2 on PostgreSQL, 1 on PGlite (one connection). */
  concurrency?: number;
  /** ENFORCE (default true); see EvaluateOptions.enforce. */
  enforce?: boolean;
  transition?: TransitionRunner;
}

export interface SweepReport extends Omit<EvaluateSummary, 'decisions'> {
  /** False when another replica holds the lease (nothing was done). */
  ran: boolean;
  candidates: number;
  batchesFailed: number;
  /** The error of the last failed batch, for /readyz. */
  lastError?: string;
  durationMs: number;
}

export function defaultHolder(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const empty = (): SweepReport => ({
  ran: false, candidates: 0, batchesFailed: 0, durationMs: 0,
  evaluated: 0, overdueAccounts: 0, stagesFired: 0, emails: 0, suspended: 0, activated: 0, failed: 0,
});

export interface SweepHealth {
  /** The last sweep that ran and failed (its scan threw, or a batch did), until a later sweep runs clean. */
  lastFailure: { at: string; part: 'scan' | 'batch'; error: string } | null;
}

export interface Sweeper {
  sweepOnce(now: number): Promise<SweepReport>;
  health(): SweepHealth;
}

export function createSweeper(deps: SweepDeps): Sweeper {
  const lease: Lease = sweepLease(deps.holder ?? defaultHolder(), deps.leaseTtlMs ?? 5 * 60_000);
  const health: SweepHealth = { lastFailure: null };
  return {
    async sweepOnce(now) {
      try {
        const report = await sweepOnce(deps, lease, now);
        if (report.ran) {
          if (report.batchesFailed > 0) {
            deps.metrics.sweepFailed('batch');
            health.lastFailure = { at: new Date(now).toISOString(), part: 'batch', error: report.lastError ?? 'a batch failed' };
          } else health.lastFailure = null;
        }
        return report;
      } catch (err) {
        deps.metrics.sweepFailed('scan');
        health.lastFailure = { at: new Date(now).toISOString(), part: 'scan', error: (err as Error).message ?? String(err) };
        throw err;
      }
    },
    health: () => ({ lastFailure: health.lastFailure }),
  };
}

async function sweepOnce(deps: SweepDeps, lease: Lease, now: number): Promise<SweepReport> {
  const report = empty();
  if (!(await lease.acquire(deps.db))) {
    deps.logger.debug({ now: new Date(now).toISOString() }, 'dunning sweep skipped: another replica holds the lease');
    return report;
  }
  const started = performance.now();
  report.ran = true;
  try {
    const policies = deps.getPolicies();
    const tz = deps.defaultTimezone ?? 'UTC';
    const scan = await scanSweepCandidates(deps.db, now, tz, policies);
    report.candidates = scan.accountIds.length;
    report.overdueAccounts = scan.overdueAccounts;
    deps.metrics.setOverdueAccounts(scan.overdueAccounts);
    const size = deps.batchSize ?? 500;
    const ids = scan.accountIds;
    let next = 0;
    let lost = false;
    // Each worker takes the next batch; the lease is renewed before every batch but the first, as when serial. A
    // renewal that throws stops both workers, and the sweep fails only once the other's batch has ended.
    const worker = async () => {
      try {
        while (!lost && next < ids.length) {
          const i = next;
          next += size;
          if (i > 0 && !(await lease.renew(deps.db))) {
            if (!lost) deps.logger.warn({ done: i, of: ids.length }, 'dunning sweep lost its lease; stopping');
            lost = true;
            break;
          }
          if (lost) break;
          await runBatch(deps, ids.slice(i, i + size), now, policies, tz, report);
        }
      } catch (err) {
        lost = true;
        throw err;
      }
    };
    const want = Math.floor(deps.concurrency ?? (deps.db.kind === 'postgres' ? 2 : 1)) || 1;
    const inFlight = Math.max(1, Math.min(want, Math.ceil(ids.length / size)));
    const ended = await Promise.allSettled(Array.from({ length: inFlight }, worker));
    const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await lease.release(deps.db).catch((err: unknown) => deps.logger.error({ err }, 'dunning lease release failed'));
    report.durationMs = performance.now() - started;
    deps.metrics.observeSweep(report.durationMs / 1000);
  }
  deps.logger.info({ ...report, now: new Date(now).toISOString() }, 'dunning sweep done');
  return report;
}

/** One batch in its own transaction; its counts are added to `report` once it commits, a failure is recorded. */
async function runBatch(deps: SweepDeps, batch: string[], now: number, policies: readonly DunningPolicy[], tz: string, report: SweepReport): Promise<void> {
  try {
    const s = await inTransactionWithRetry(deps.db, (tx) =>
      evaluateAccounts(tx, batch, now, policies, { defaultTimezone: tz, logger: deps.logger, transition: deps.transition, enforce: deps.enforce }),
    );
    report.evaluated += s.evaluated;
    report.stagesFired += s.stagesFired;
    report.emails += s.emails;
    report.suspended += s.suspended;
    report.activated += s.activated;
    report.failed += s.failed;
    for (const d of s.decisions) deps.metrics.decision('non_payment', 'dunning', d);
  } catch (err) {
    report.batchesFailed += 1;
    report.lastError = (err as Error).message ?? String(err);
    deps.logger.error({ err, accounts: batch.length, first: batch[0] }, 'dunning sweep batch failed; the next sweep retries it');
  }
}
