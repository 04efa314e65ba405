// Finds the records that make a step fail, by bisection: a run of units is tried whole; when it fails with an
// error that is not retryable, each half is tried again, down to single units, which are then reported as failed.
// One bad record in n costs about 2*log2(n) attempts; the good units are applied in their original order.
// Inside a transaction every attempt runs under a savepoint, so a failed attempt leaves no trace and the batch's
// other writes (and its checkpoint) still commit together.
// Never: swallows a retryable error (the database or broker is down: the whole batch is retried later).
import type { Queryable } from '../store/db.js';
import { isRetryableIngestError } from './error-kinds.js';

/** Runs one attempt so that its failure leaves nothing behind. */
export type Guard = <R>(attempt: () => Promise<R>) => Promise<R>;

export const unguarded: Guard = (attempt) => attempt();

/** Each attempt under a savepoint of the caller's transaction. */
export function savepointGuard(tx: Queryable): Guard {
  return async (attempt) => {
    await tx.query('SAVEPOINT ingest_isolate');
    try {
      const result = await attempt();
      await tx.query('RELEASE SAVEPOINT ingest_isolate');
      return result;
    } catch (err) {
      await tx.query('ROLLBACK TO SAVEPOINT ingest_isolate');
      await tx.query('RELEASE SAVEPOINT ingest_isolate');
      throw err;
    }
  };
}

export interface Isolated<U, R> {
  /** What each successful attempt returned, in order. */
  applied: R[];
  failed: { unit: U; error: unknown }[];
}

export async function isolateFailures<U, R>(units: readonly U[], apply: (run: readonly U[]) => Promise<R>, guard: Guard): Promise<Isolated<U, R>> {
  const out: Isolated<U, R> = { applied: [], failed: [] };
  const attempt = async (run: readonly U[]): Promise<void> => {
    if (run.length === 0) return;
    try {
      out.applied.push(await guard(() => apply(run)));
    } catch (err) {
      if (isRetryableIngestError(err)) throw err;
      if (run.length === 1) {
        out.failed.push({ unit: run[0]!, error: err });
        return;
      }
      const mid = Math.ceil(run.length / 2);
      await attempt(run.slice(0, mid));
      await attempt(run.slice(mid));
    }
  };
  await attempt(units);
  return out;
}
