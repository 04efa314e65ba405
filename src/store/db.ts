// The one database interface. Implemented by node-postgres (a pool) and by PGlite (embedded, one connection).
// Repositories take a `Queryable` so the same code runs inside or outside a transaction.
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /**
   * Runs a script of several statements without parameters (migrations). Optional: the pg and PGlite adapters
   * provide it; where absent, callers fall back to `query(script)`, which pg also accepts.
   */
  exec?(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * LISTEN on `channels`: `onNotify` gets each payload after its transaction commits. pg: one dedicated connection
   * (not from the pool); `onLost` is called once if it drops, and the caller listens again. PGlite: its own
   * connection, so only this process's notifications (enough: PGlite serves one process).
   */
  listen?(channels: readonly string[], onNotify: (channel: string, payload: string) => void, onLost: (err: Error) => void): Promise<Listening>;
}

export interface Listening {
  close(): Promise<void>;
}
