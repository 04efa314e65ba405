// The typed result of one record through one step of the ingest path (decode -> evaluate -> commit), after
// PostHog's ingestion pipeline results: a step never throws for one record's sake; it says what became of it, and
// the pipeline acts on that after the batch's COMMIT (metrics, logs, the HTTP answer, the DLQ).
// - ok: the record goes on to the next step (carrying what the step made of it);
// - duplicate: already applied (a redelivery behind the checkpoint, a repeated CDR or invoice event id);
// - dead_letter: this record alone is set aside, with its bytes and a reason naming the field or the error;
// - retry: a dependency (database, broker) is unavailable; the whole batch is tried again later, unchanged.
// Never: carries an exception across steps (the error is turned into a reason here, or retried as a batch).
import type { BatchResult, RecordOutcome, RecordResult } from './types.js';

export type StepResult<T> =
  | { readonly type: 'ok'; readonly value: T }
  | { readonly type: 'duplicate' }
  | { readonly type: 'dead_letter'; readonly reason: string; readonly error?: unknown }
  | { readonly type: 'retry'; readonly error: unknown };

export const ok = <T>(value: T): StepResult<T> => ({ type: 'ok', value });
export const duplicate = <T = never>(): StepResult<T> => ({ type: 'duplicate' });
export const deadLetter = <T = never>(reason: string, error?: unknown): StepResult<T> => ({ type: 'dead_letter', reason, ...(error === undefined ? {} : { error }) });
export const retry = <T = never>(error: unknown): StepResult<T> => ({ type: 'retry', error });

/** The wire vocabulary of CONTRACT §2/§7 (HTTP answers, suspensiond_events_total) for a final result. */
export function outcomeOf(result: StepResult<unknown>): RecordOutcome {
  switch (result.type) {
    case 'ok':
      return 'accepted';
    case 'duplicate':
      return 'duplicate';
    case 'dead_letter':
      return 'rejected';
    case 'retry':
      throw new Error('a retry result has no outcome: the batch is tried again');
  }
}

/** An error as a dead letter's reason: its SQLSTATE (when any) and message, on one line. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const prefix = typeof code === 'string' && code !== '' && !message.includes(code) ? `${code} ` : '';
  return `${prefix}${message}`.replace(/\s+/g, ' ').trim();
}

/**
 * Gives `result` its `results`, built by `build` on first read and then kept. Most batches' answers are read only for
 * their offsets (the Kafka consumer): building one small object per record for each of them was garbage the
 * collector had to handle (the pipeline; a worker's answer on the main thread, batch-wire.ts).
 */
export function lazyResults<T extends Omit<BatchResult, 'results'>>(result: T, build: () => RecordResult[]): T & BatchResult {
  let results: RecordResult[] | null = null;
  Object.defineProperty(result, 'results', {
    enumerable: true,
    configurable: true,
    get: () => (results ??= build()),
    set: (v: RecordResult[]) => void (results = v),
  });
  return result as T & BatchResult;
}
