// Errors crossing from an ingest worker to the main thread (src/ingest/worker-protocol.ts): a checkpoint conflict
// stays one (the Kafka consumer seeks back to the checkpoint on it), any other error keeps its name and message.
import { describe, expect, it } from 'vitest';
import { fromWire, toWire } from '../../../src/ingest/worker-protocol.js';
import { CheckpointConflictError } from '../../../src/ingest/types.js';
import { isRetryableIngestError } from '../../../src/ingest/error-kinds.js';
import { DbConnectionError, DbError } from '../../../src/store/errors.js';

const across = (err: unknown) => fromWire(structuredClone(toWire(err)));

describe('errors from a worker', () => {
  it('a checkpoint conflict arrives as a CheckpointConflictError with its resume offset', () => {
    const back = across(new CheckpointConflictError('effects offset of cdrs:3 moved under us', 120));
    expect(back).toBeInstanceOf(CheckpointConflictError);
    expect((back as CheckpointConflictError).resumeAt).toBe(120);
    expect(back.message).toBe('effects offset of cdrs:3 moved under us');
  });

  it('a database outage stays retryable, with its code; a data error stays not retryable', () => {
    const outage = across(new DbConnectionError('connection refused', 'ECONNREFUSED', null));
    expect(outage).toBeInstanceOf(DbError);
    expect(isRetryableIngestError(outage)).toBe(true);
    const data = across(new DbError('invalid input syntax', { code: '22P02', retryable: false }));
    expect([isRetryableIngestError(data), (data as DbError).code]).toEqual([false, '22P02']);
  });

  it('another error keeps its name, message and stack; a thrown non-error becomes its text', () => {
    const err = Object.assign(new Error('connection terminated'), { name: 'SomethingError' });
    const back = across(err);
    expect(back).not.toBeInstanceOf(CheckpointConflictError);
    expect([back.name, back.message, back.stack]).toEqual(['SomethingError', 'connection terminated', err.stack]);
    expect(across('boom').message).toBe('boom');
  });
});
