// Database error classification (STYLE: errors with a type and a cause). Callers decide between retry (pause and
// try again: the database is down or a transaction lost a race) and failure (a bug or bad data) from the kind.
// Owns: the typed error tree and `classifyDbError`. Never: log, retry or swallow anything itself.

/** SQLSTATE codes (and classes, by their two-character prefix) that mean "try again later". */
const RETRYABLE_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '25006', // read_only_sql_transaction (a failover to a replica)
]);
const NON_RETRYABLE_IN_RETRYABLE_CLASSES = new Set([
  '57014', // query_canceled (statement timeout): the same query will time out again
]);
/** Node socket errors and node-postgres messages of a lost or refused connection. */
const RETRYABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const RETRYABLE_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /connection (?:is )?closed/i,
  /Client has encountered a connection error/i,
  /the database system is (?:starting up|shutting down)/i,
];

interface PgErrorFields {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
  detail?: string;
  schema?: string;
}

/** Base of every database error. `code` is the SQLSTATE (or the Node socket error code) when there is one. */
export class DbError extends Error {
  readonly code: string | undefined;
  readonly retryable: boolean;
  constructor(message: string, opts: { code?: string | undefined; retryable: boolean; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.name = 'DbError';
    this.code = opts.code;
    this.retryable = opts.retryable;
  }
}

/** The connection failed, was refused, or the server is shutting down / overloaded. Retry after a pause. */
export class DbConnectionError extends DbError {
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { code, retryable: true, cause });
    this.name = 'DbConnectionError';
  }
}

/** The transaction lost a race (serialization failure, deadlock, lock timeout). Retry the whole transaction. */
export class DbTransientError extends DbError {
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { code, retryable: true, cause });
    this.name = 'DbTransientError';
  }
}

/** An integrity constraint refused the row (class 23). Not retryable; carries what was violated. */
export class IntegrityConstraintViolationError extends DbError {
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
  readonly detail: string | undefined;
  constructor(message: string, fields: PgErrorFields, cause: unknown) {
    super(message, { code: fields.code, retryable: false, cause });
    this.name = 'IntegrityConstraintViolationError';
    this.constraint = fields.constraint;
    this.table = fields.table;
    this.column = fields.column;
    this.detail = fields.detail;
  }
}

/** 23505 */
export class UniqueViolationError extends IntegrityConstraintViolationError {
  constructor(message: string, fields: PgErrorFields, cause: unknown) {
    super(message, fields, cause);
    this.name = 'UniqueViolationError';
  }
}

/** Any other database error: a bug in the SQL or bad data. Not retryable. */
export class DbQueryError extends DbError {
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { code, retryable: false, cause });
    this.name = 'DbQueryError';
  }
}

/** The schema is newer than this code, or a migration failed. Never retryable. */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

function fieldsOf(err: unknown): PgErrorFields & { message: string } {
  const e = (err ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    message: err instanceof Error ? err.message : String(err),
    code: str(e.code),
    constraint: str(e.constraint),
    table: str(e.table),
    column: str(e.column),
    detail: str(e.detail),
    schema: str(e.schema),
  };
}

function isSqlstate(code: string | undefined): code is string {
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code);
}

/** Maps any error thrown by pg or PGlite to the typed tree. A `DbError` is returned unchanged. */
export function classifyDbError(err: unknown): DbError {
  if (err instanceof DbError) return err;
  const f = fieldsOf(err);
  const code = f.code;
  if (isSqlstate(code)) {
    const cls = code.slice(0, 2);
    if (cls === '23') {
      return code === '23505' ? new UniqueViolationError(f.message, f, err) : new IntegrityConstraintViolationError(f.message, f, err);
    }
    if (cls === '08' || code === '57P01' || code === '57P02' || code === '57P03' || cls === '53') {
      return new DbConnectionError(f.message, code, err);
    }
    if (RETRYABLE_SQLSTATES.has(code) || (RETRYABLE_SQLSTATE_CLASSES.has(cls) && !NON_RETRYABLE_IN_RETRYABLE_CLASSES.has(code))) {
      return new DbTransientError(f.message, code, err);
    }
    return new DbQueryError(f.message, code, err);
  }
  if ((code !== undefined && RETRYABLE_NODE_CODES.has(code)) || RETRYABLE_MESSAGES.some((re) => re.test(f.message))) {
    return new DbConnectionError(f.message, code, err);
  }
  return new DbQueryError(f.message, code, err);
}

/** True when the error means "the database is unavailable or the transaction lost a race: try again later". */
export function isRetryableDbError(err: unknown): boolean {
  if (err instanceof DbError) return err.retryable;
  if (err instanceof Error && err.name === 'DomainError') return false;
  const f = fieldsOf(err);
  if (!isSqlstate(f.code) && f.code === undefined && !RETRYABLE_MESSAGES.some((re) => re.test(f.message))) return false;
  return classifyDbError(err).retryable;
}

/** True for a unique-key violation, optionally of the named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err instanceof DbError ? err : classifyDbError(err);
  return e instanceof UniqueViolationError && (constraint === undefined || e.constraint === constraint);
}
