// What a delivery pass needs: the database, time, observability and the retry policy. Shared by the status and
// email passes; built once by the dispatcher.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Database } from '../store/db.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';

export interface DeliveryContext {
  db: Database;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  dispatcherId: string;
  batchSize: number;
  leaseMs: number;
  sendTimeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  random: () => number;
  /** How long an email waits for its account's snapshot or main contact before it is parked (EMAIL_WAIT_FOR_CONTACT). */
  waitForContactMs: number;
}

/** When a row that has been tried `attempts` times may be tried again. */
export function retryAt(ctx: DeliveryContext, attempts: number): Date {
  return new Date(ctx.clock.now().getTime() + backoffDelayMs(attempts, ctx.backoff, ctx.random));
}
