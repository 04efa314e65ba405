// A `Database` that waits for the real one: lets the HTTP server listen (and /healthz answer) while an embedded
// database is still being created. Every call awaits the opened database; nothing is queued beyond that promise.
import type { Database, Queryable } from './db.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a start that fails is reported by the caller, not as an unhandled rejection
  return { promise, resolve, reject };
}

export function lazyDatabase(kind: Database['kind'], opened: Promise<Database>): Database {
  return {
    kind,
    query: async (text, params) => (await opened).query(text, params),
    exec: async (sql: string) => {
      const db: Queryable = await opened;
      await (db.exec ? db.exec(sql) : db.query(sql));
    },
    transaction: async (fn) => (await opened).transaction(fn),
    listen: async (channels, onNotify, onLost) => {
      const db = await opened;
      if (!db.listen) throw new Error(`the ${db.kind} adapter cannot LISTEN`);
      return db.listen(channels, onNotify, onLost);
    },
    // The composition root closes the real database; closing the proxy is a no-op.
    close: async () => undefined,
  };
}
