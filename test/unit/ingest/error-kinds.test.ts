import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetryableIngestError } from '../../../src/ingest/error-kinds.js';
import { CheckpointConflictError } from '../../../src/ingest/types.js';
import { classifyDbError } from '../../../src/store/errors.js';

/** An error shaped as node-postgres raises it for a SQLSTATE. */
const pgError = (code: string, message = `error ${code}`) => Object.assign(new Error(message), { code });

describe('ingest error kinds', () => {
  it.each([
    ['08006', 'connection_failure'],
    ['08001', 'sqlclient_unable_to_establish_sqlconnection'],
    ['53300', 'too_many_connections'],
    ['57P01', 'admin_shutdown'],
    ['57P03', 'cannot_connect_now'],
    ['40001', 'serialization_failure'],
    ['40P01', 'deadlock_detected'],
    ['55P03', 'lock_not_available'],
  ])('retries the batch when PostgreSQL answers %s (%s)', (code) => {
    expect(isRetryableIngestError(pgError(code))).toBe(true);
    expect(isRetryableIngestError(classifyDbError(pgError(code)))).toBe(true);
  });

  it.each([
    ['22021', 'character_not_in_repertoire (a NUL in text)'],
    ['22P05', 'untranslatable_character (\\u0000 in jsonb)'],
    ['22P02', 'invalid_text_representation'],
    ['23505', 'unique_violation'],
    ['23514', 'check_violation'],
    ['57014', 'query_canceled (a statement timeout repeats)'],
    ['42703', 'undefined_column (a bug)'],
  ])('isolates the record when PostgreSQL answers %s (%s)', (code) => {
    expect(isRetryableIngestError(pgError(code))).toBe(false);
    expect(isRetryableIngestError(classifyDbError(pgError(code)))).toBe(false);
  });

  it('retries on a refused or lost connection without a SQLSTATE', () => {
    expect(isRetryableIngestError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryableIngestError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('retries when the broker (the DLQ producer) is unavailable', () => {
    expect(isRetryableIngestError(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
    expect(isRetryableIngestError(new KafkaJSNumberOfRetriesExceeded(new Error('timeout'), { retryCount: 5, retryTime: 1000 }))).toBe(true);
  });

  it('treats a bug in one record path (a plain TypeError) as that record\'s', () => {
    expect(isRetryableIngestError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
  });

  it('leaves checkpoint conflicts to the consumer (not retried as a dependency outage, not a record error)', () => {
    expect(isRetryableIngestError(new CheckpointConflictError('moved', null))).toBe(false);
  });
});
