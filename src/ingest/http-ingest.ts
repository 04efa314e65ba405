// HTTP ingest (POST /v1/events/{accounts,cdrs,invoices}): the API splits the body into one Buffer per record and
// this feeds them through the same pipeline as Kafka. HTTP CDRs have their own fraud engine, checkpointed under
// (cdrs topic, partition -1) in the same transaction as the records' effects, so a 2xx answer means durable.
// Requests are serialised per input by the pipeline's lane. Never: parses HTTP, or answers before the commit.
import type { InputKind } from '../events/decode-record.js';
import type { Pipeline } from './pipeline.js';
import type { RecordResult } from './types.js';

export type HttpIngest = (topic: InputKind, records: Buffer[]) => Promise<RecordResult[]>;

export function createHttpIngest(
  pipeline: Pipeline,
  topics: { accounts: string; cdrs: string; invoices: string } = { accounts: 'accounts', cdrs: 'cdrs', invoices: 'invoices' },
  now: () => number = Date.now,
): HttpIngest {
  return async (topic, records) => {
    if (records.length === 0) return [];
    const arrivedAtMs = now();
    const res = await pipeline.processBatch(
      { kind: topic, topicName: topics[topic], partition: 'http' },
      records.map((value) => ({ key: null, value, arrivedAtMs })),
    );
    return res.results;
  };
}
