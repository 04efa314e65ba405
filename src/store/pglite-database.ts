// The embedded adapter of `Database`: PGlite (PostgreSQL in WebAssembly) with its data in `${dataDir}/pg`.
// Owns: opening/closing the embedded instance, mapping its results and errors to the `Database` shape.
// Never: serve more than one process. PGlite is ONE connection: transactions are serialised by PGlite itself, and
// advisory locks are always granted (nobody else can hold them) — sound only because the embedded mode is for a
// single process. Inside `transaction(fn)`, use the `tx` given to `fn`; calling the Database itself there waits
// for the transaction to end, i.e. forever.
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Database, Queryable, QueryResult } from './db.js';
import { classifyDbError } from './errors.js';
import { ensurePgliteCluster, PGLITE_START_PARAMS } from './pglite-cluster.js';
import { parseInt8 } from './pg-database.js';

const INT8_OID = 20;

type Runner = Pick<PGlite, 'query' | 'exec'> | Transaction;

async function run<R>(conn: Runner, text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
  try {
    const res = await conn.query<R>(text, params as unknown[] | undefined);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  } catch (err) {
    throw classifyDbError(err);
  }
}

function queryable(conn: Runner): Queryable {
  return {
    query: <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) => run<R>(conn, text, params),
    exec: async (sql: string) => {
      try {
        await conn.exec(sql);
      } catch (err) {
        throw classifyDbError(err);
      }
    },
  };
}

/** Opens (creating if needed) the embedded database kept in `${dataDir}/pg`. */
export async function createPgliteDatabase(dataDir: string): Promise<Database> {
  const dir = path.resolve(dataDir, 'pg');
  // A first start builds the cluster off the event loop (see pglite-cluster.ts); every start then opens it here.
  await ensurePgliteCluster(dir);
  // pg_trgm is loaded at every open: the trigram index of 0001_core needs its operator class once it exists. It
  // costs little (~0.1 s of the ~1.5 s CPU of an open). relaxedDurability is not set: with the Node filesystem,
  // PGlite writes straight to the files and has nothing to sync, so the option would change nothing.
  const pglite = await PGlite.create(dir, {
    extensions: { pg_trgm },
    startParams: [...PGLITE_START_PARAMS],
    parsers: { [INT8_OID]: parseInt8 },
  });
  let closed: Promise<void> | null = null;
  const base = queryable(pglite);

  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec!,
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      // PGlite runs BEGIN, then COMMIT, or ROLLBACK when fn throws; its mutex serialises transactions.
      return pglite.transaction((tx) => fn(queryable(tx)));
    },
    close(): Promise<void> {
      closed ??= pglite.closed ? Promise.resolve() : pglite.close();
      return closed;
    },
    async listen(channels, onNotify) {
      // One connection: its own NOTIFYs come back to it; it cannot be lost short of close().
      const unlisten = await Promise.all(channels.map((c) => pglite.listen(c, (payload) => onNotify(c, payload))));
      return { close: async () => void (await Promise.all(unlisten.map((u) => u()))) };
    },
  };
}
