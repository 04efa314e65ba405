// HTTP ingest (POST /v1/events/{accounts,cdrs,invoices}): the API splits the body into one Buffer per record and
// this feeds them through the same pipeline as Kafka. HTTP CDRs have their own fraud engine, checkpointed under
// (cdrs topic, partition -1) in the same transaction as the records' effects, so a 2xx answer means durable.
// Requests are serialised per input by the pipeline's lane. A record that fails on its own is answered `rejected`
// (the pipeline dead-letters it; the others are kept); when the database or broker is unavailable, or another
// replica moved the HTTP checkpoint meanwhile, nothing is kept and the error is a retryable DbError (503 with
// Retry-After), never a 500. Never: parses HTTP, or answers before the commit.
import type { InputKind } from '../events/decode-record.js';
import { DbError, DbTransientError } from '../store/errors.js';
import { isRetryableIngestError } from './error-kinds.js';
import type { Pipeline } from './pipeline.js';
import { CheckpointConflictError, type RecordResult } from './types.js';

export type HttpIngest = (topic: InputKind, records: Buffer[]) => Promise<RecordResult[]>;

export function createHttpIngest(
  pipeline: Pipeline,
  topics: { accounts: string; cdrs: string; invoices: string } = { accounts: 'accounts', cdrs: 'cdrs', invoices: 'invoices' },
  now: () => number = Date.now,
): HttpIngest {
  return async (topic, records) => {
    if (records.length === 0) return [];
    const arrivedAtMs = now();
    try {
      const res = await pipeline.processBatch(
        { kind: topic, topicName: topics[topic], partition: 'http' },
        records.map((value) => ({ key: null, value, arrivedAtMs })),
      );
      return res.results;
    } catch (err) {
      if (err instanceof DbError || !(err instanceof CheckpointConflictError || isRetryableIngestError(err))) throw err;
      throw new DbTransientError(`ingest: ${(err as Error).message}; nothing was kept, retry later`, (err as { code?: string }).code, err);
    }
  };
}
