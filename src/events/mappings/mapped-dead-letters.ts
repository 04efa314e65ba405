// Dead letters for records a source mapping could not read (HTTP ingest of a mapped format): the original bytes,
// the x-source-* headers of an HTTP record, `x-mapping` and an `x-error` naming the mapping and the field. Stored in
// dead_letters (GET /v1/dead-letters), produced to the DLQ topic when Kafka is configured, and counted as rejected.
import { insertDeadLetters, toDeadLetter } from '../../ingest/dead-letters.js';
import type { DeadLetterSink } from '../../ingest/types.js';
import type { Metrics } from '../../metrics.js';
import type { Database } from '../../store/db.js';

export function mappedDeadLetters(deps: { db: Database; dlq: DeadLetterSink | null; metrics: Metrics; cdrTopic: string; now: () => number }) {
  return async (format: string, letters: { value: Buffer; error: string }[]): Promise<void> => {
    const at = deps.now();
    const source = { kind: 'cdrs' as const, topicName: deps.cdrTopic, partition: 'http' as const };
    const dead = letters.map((l) => toDeadLetter(source, { key: null, value: l.value, headers: { 'x-mapping': format }, arrivedAtMs: at }, l.error));
    if (deps.dlq) await deps.dlq.send(dead);
    await insertDeadLetters(deps.db, dead, at);
    deps.metrics.eventProcessed('cdrs', 'rejected', letters.length);
  };
}
