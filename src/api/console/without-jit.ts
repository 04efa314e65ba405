// Runs the console's tree-walking reads in a transaction with JIT off. A recursive walk's row estimate is a guess
// (millions of rows for a few thousand real ones), which pushes the plan's cost over jit_above_cost; compiling it
// then takes ~0.5 s for a query that runs in a few milliseconds. Read-only; the setting ends with the transaction.
import type { Database, Queryable } from '../../store/db.js';

export async function withoutJit<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  // PGlite (WebAssembly) has no JIT.
  if (db.kind === 'pglite') return fn(db);
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL jit = off');
    return fn(tx);
  });
}
