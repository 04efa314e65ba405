// Which failures of the ingest path are "try the batch again later" and which belong to one record (STYLE habit 7:
// decide between retry and dead-letter from the error's kind). Retryable: the database or the broker is unavailable
// (connection errors, SQLSTATE classes 08, 53 and 57P0x, a lost race: 40001, 40P01, 55P03; any kafkajs error,
// which only the DLQ producer can raise here). Everything else -- a data error (22xxx), a constraint (23xxx), a bug
// in one record's path -- is retried once as a batch and then isolated to the record that causes it.
// Never: retries, logs or swallows anything itself.
import { isRetryableDbError } from '../store/errors.js';

/** kafkajs names every error it raises `KafkaJS...`: a broker that refuses or is unreachable. */
function isBrokerError(err: unknown): boolean {
  return err instanceof Error && err.name.startsWith('KafkaJS');
}

export function isRetryableIngestError(err: unknown): boolean {
  return isBrokerError(err) || isRetryableDbError(err);
}
