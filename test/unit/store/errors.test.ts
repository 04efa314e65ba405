// Database error classification: what is worth retrying and what is a bug or bad data.
import { describe, expect, it } from 'vitest';
import {
  classifyDbError,
  DbConnectionError,
  DbQueryError,
  DbTransientError,
  isRetryableDbError,
  isUniqueViolation,
  IntegrityConstraintViolationError,
  UniqueViolationError,
} from '../../../src/store/errors.js';
import { DomainError } from '../../../src/domain/errors.js';
import { parseInt8 } from '../../../src/store/pg-database.js';

const pgError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`pg ${code}`), { code, ...extra });

describe('classifyDbError', () => {
  it.each(['08006', '08001', '57P01', '57P03', '53300'])('treats SQLSTATE %s as a retryable connection error', (code) => {
    const e = classifyDbError(pgError(code));
    expect(e).toBeInstanceOf(DbConnectionError);
    expect(isRetryableDbError(pgError(code))).toBe(true);
  });

  it.each(['40001', '40P01', '55P03'])('treats SQLSTATE %s as a retryable lost race', (code) => {
    expect(classifyDbError(pgError(code))).toBeInstanceOf(DbTransientError);
    expect(isRetryableDbError(pgError(code))).toBe(true);
  });

  it('treats refused and reset sockets, and a terminated connection, as retryable', () => {
    expect(isRetryableDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryableDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(classifyDbError(new Error('timeout exceeded when trying to connect'))).toBeInstanceOf(DbConnectionError);
  });

  it('does not retry syntax errors, statement timeouts, constraint violations or domain errors', () => {
    expect(isRetryableDbError(pgError('42601'))).toBe(false);
    expect(classifyDbError(pgError('42601'))).toBeInstanceOf(DbQueryError);
    expect(isRetryableDbError(pgError('57014'))).toBe(false);
    expect(isRetryableDbError(pgError('23505'))).toBe(false);
    expect(isRetryableDbError(new DomainError('not_found', 'x'))).toBe(false);
    expect(isRetryableDbError(new TypeError('boom'))).toBe(false);
  });

  it('keeps the constraint, table and cause of an integrity violation', () => {
    const raw = pgError('23505', { constraint: 'holds_account_reason_source_key', table: 'holds', detail: 'Key exists' });
    const e = classifyDbError(raw);
    expect(e).toBeInstanceOf(UniqueViolationError);
    expect(e).toMatchObject({ constraint: 'holds_account_reason_source_key', table: 'holds', code: '23505', cause: raw });
    expect(isUniqueViolation(raw, 'holds_account_reason_source_key')).toBe(true);
    expect(isUniqueViolation(raw, 'other')).toBe(false);
    expect(classifyDbError(pgError('23503'))).toBeInstanceOf(IntegrityConstraintViolationError);
    expect(classifyDbError(e)).toBe(e);
  });
});

describe('parseInt8', () => {
  it('returns safe integers as numbers and larger ones as exact strings', () => {
    expect(parseInt8('42')).toBe(42);
    expect(parseInt8('-9007199254740991')).toBe(-9007199254740991);
    expect(parseInt8('9007199254740993')).toBe('9007199254740993');
  });
});
