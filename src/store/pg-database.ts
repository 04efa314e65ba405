// The node-postgres adapter of `Database`: a connection pool; a transaction runs on one dedicated client.
// Owns: pool lifecycle, BEGIN/COMMIT/ROLLBACK, mapping driver errors to the typed tree (errors.ts).
// Never: retries (callers decide from the error kind), reads config or the environment.
//
// Type parsing (the same on PGlite, see pglite-database.ts): int8/bigint columns (bigserial ids, versions,
// count(*), micro-unit sums) come back as JS numbers when they are safe integers, otherwise as the exact decimal
// string, so precision is never lost silently. numeric stays a string. timestamptz is a JS Date, jsonb is parsed.
import pg from 'pg';
import type { Database, Listening, Queryable, QueryResult } from './db.js';
import { classifyDbError } from './errors.js';

const INT8_OID = 20;

/** int8 text -> number when it is a safe integer, else the exact string. */
export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

const customTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8_OID && format !== 'binary') return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PgDatabaseOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Called when an idle pooled client fails (the server went away); the pool replaces it. */
  onIdleError?: (err: Error) => void;
  connectionTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  /** `application_name` shown in pg_stat_activity (default `suspensiond`). */
  applicationName?: string;
}

/** Runs a multi-statement script (simple protocol; pg then answers with an array of results, ignored here). */
async function script(client: pg.Pool | pg.PoolClient, sql: string): Promise<void> {
  try {
    await client.query(sql);
  } catch (err) {
    throw classifyDbError(err);
  }
}

async function run<R>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
  try {
    const res = await client.query(text, params as unknown[] | undefined);
    return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
  } catch (err) {
    throw classifyDbError(err);
  }
}

function clientQueryable(client: pg.PoolClient): Queryable {
  return {
    query: <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => run<R>(client, text, params),
    exec: (sql: string) => script(client, sql),
  };
}

export function createPgDatabase(url: string, opts: PgDatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 30_000,
    application_name: opts.applicationName ?? 'suspensiond',
    types: customTypes,
  });
  // Without a listener an idle client's error would crash the process; the pool discards that client itself.
  pool.on('error', (err) => opts.onIdleError?.(err));
  let closed: Promise<void> | null = null;

  return {
    kind: 'postgres',
    query: <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => run<R>(pool, text, params),
    exec: (sql: string) => script(pool, sql),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classifyDbError(err);
      }
      let broken: Error | undefined;
      try {
        await run(client, 'BEGIN');
        const result = await fn(clientQueryable(client));
        await run(client, 'COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is unusable: destroy it rather than return it to the pool.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    close(): Promise<void> {
      closed ??= pool.end();
      return closed;
    },
    listen: (channels, onNotify, onLost) => listenOn(url, opts, channels, onNotify, onLost),
  };
}

/** LISTEN on a dedicated client of its own (a pooled client could be handed to someone else). */
async function listenOn(
  url: string,
  opts: PgDatabaseOptions,
  channels: readonly string[],
  onNotify: (channel: string, payload: string) => void,
  onLost: (err: Error) => void,
): Promise<Listening> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 10_000,
    application_name: `${opts.applicationName ?? 'suspensiond'}-listen`,
    keepAlive: true,
  });
  let closing = false;
  let lost = false;
  const lose = (err: Error) => {
    if (closing || lost) return;
    lost = true;
    onLost(err);
  };
  client.on('error', lose);
  client.on('end', () => lose(new Error('the LISTEN connection ended')));
  client.on('notification', (n) => {
    if (channels.includes(n.channel)) onNotify(n.channel, n.payload ?? '');
  });
  try {
    await client.connect();
    for (const channel of channels) await client.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
  } catch (err) {
    closing = true;
    await client.end().catch(() => undefined);
    throw classifyDbError(err);
  }
  return {
    async close() {
      closing = true;
      await client.end().catch(() => undefined);
    },
  };
}
