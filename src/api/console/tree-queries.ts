// The accounts page's query: GET /v1/accounts' filters (type, status, parent, q, scope, id cursor) with the same
// meaning, shaped for 100,000 accounts. A scoped actor's subtree is walked first and materialised (a reseller's
// few thousand rows), so a search never scans the whole table in id order; the effective status of the page's rows
// comes from treeNotes (own holds, suspended ancestors), and the set of suspended accounts (held accounts and their
// descendants, walked on the parent index) is built only when the status filter asks for it. Measured in
// test/integration/console/page-load-100k.test.ts (bench/README.md). Callers run it through withoutJit.
import type { Account, AccountType } from '../../domain/types.js';
import type { Queryable } from '../../store/db.js';
import { toAccount, type AccountRow } from '../../store/rows.js';

export interface TreeFilter {
  /** Null: every account (operator). Otherwise the root of the actor's subtree, itself included. */
  scopeRoot: string | null;
  type?: AccountType | undefined;
  status?: 'active' | 'suspended' | undefined;
  parent?: string | undefined;
  q?: string | undefined;
  after?: string | undefined;
  limit: number;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
const COLUMNS = 'a.id, a.type, a.parent_id, a.name, a.main_contact, a.timezone, a.currency, a.tags, a.closed, a.updated_at';

export async function findAccounts(db: Queryable, f: TreeFilter): Promise<Account[]> {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const ctes: string[] = [];
  const where: string[] = [];
  if (f.type) where.push(`a.type = ${p(f.type)}`);
  if (f.parent) where.push(`a.parent_id = ${p(f.parent)}`);
  if (f.q) where.push(`lower(a.id || ' ' || coalesce(a.name, '')) LIKE ${p(`%${escapeLike(f.q.toLowerCase())}%`)} ESCAPE '\\'`);
  if (f.after !== undefined) where.push(`a.id > ${p(f.after)}`);
  if (f.status) {
    // LATERAL ... OFFSET 0 keeps each level a parameterised index scan (see 0007_dunning_perf.sql for why).
    ctes.push(`suspended AS (
       SELECT h.account_id AS id FROM holds h
       UNION
       SELECT k.id FROM suspended s CROSS JOIN LATERAL (SELECT c.id FROM accounts c WHERE c.parent_id = s.id OFFSET 0) k)`);
    where.push(`${f.status === 'suspended' ? '' : 'NOT '}EXISTS (SELECT 1 FROM suspended s WHERE s.id = a.id)`);
  }
  let from = 'accounts a';
  if (f.scopeRoot !== null) {
    ctes.push(`scope AS (
       SELECT ${COLUMNS} FROM accounts a WHERE a.id = ${p(f.scopeRoot)}
       UNION
       SELECT k.* FROM scope s CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM accounts a WHERE a.parent_id = s.id OFFSET 0) k)`);
    from = 'scope a';
  }
  const sql = `${ctes.length > 0 ? `WITH RECURSIVE ${ctes.join(',\n')}` : ''}
    SELECT ${COLUMNS} FROM ${from}
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.id
     LIMIT ${p(f.limit)}`;
  const { rows } = await db.query<AccountRow>(sql, params);
  return rows.map(toAccount);
}
