// The sweep lease: a row in PostgreSQL that one replica holds at a time, with an expiry in server time (now()), so a
// crashed holder frees it by itself. Renewed between batches; released at the end of a sweep.
// Never uses the injected clock: the lease is about real processes, not event time.
import type { Queryable } from '../store/db.js';

export interface Lease {
  /** True when `holder` now holds the lease for `ttlMs` from the server's now(). */
  acquire(q: Queryable): Promise<boolean>;
  /** Extends a lease we hold; false when it was lost (expired and taken). */
  renew(q: Queryable): Promise<boolean>;
  release(q: Queryable): Promise<void>;
}

export function sweepLease(holder: string, ttlMs: number, name = 'sweep'): Lease {
  const take = `UPDATE dunning_lease SET holder = $1, until = now() + make_interval(secs => $2::double precision / 1000)
                 WHERE name = $3 AND (until < now() OR holder = $1) RETURNING holder`;
  return {
    async acquire(q) {
      await q.query('INSERT INTO dunning_lease (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
      return (await q.query(take, [holder, ttlMs, name])).rowCount > 0;
    },
    async renew(q) {
      return (await q.query(take, [holder, ttlMs, name])).rowCount > 0;
    },
    async release(q) {
      await q.query(`UPDATE dunning_lease SET until = '-infinity', last_sweep = now() WHERE name = $1 AND holder = $2`, [name, holder]);
    },
  };
}
