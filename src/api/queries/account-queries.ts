// Read queries behind GET /v1/accounts and GET /v1/accounts/{id}: one statement each, parameterised.
// Effective status is computed live from holds (an account is suspended when it or an ancestor holds one), never
// from the last published status. Must never build SQL from request text: every value is a parameter.
import type { Account, AccountType, Hold } from '../../domain/types.js';
import type { Queryable } from '../../store/db.js';
import { iso, isoOrNull, toAccount, toHold, type AccountRow, type HoldRow } from '../../store/rows.js';

export { iso, isoOrNull };

export interface AccountView {
  account: Account;
  holds: Hold[];
  /** Nearest first. */
  ancestors: Account[];
  /** Suspended ancestors, nearest first. */
  inheritedFrom: string[];
}

/** The account, its own holds and its ancestor chain (with which of them hold), in one round trip. */
export async function loadAccountView(db: Queryable, id: string): Promise<AccountView | null> {
  const { rows } = await db.query<AccountRow & { depth: number; held: boolean; holds: HoldRow[] | null }>(
    `WITH RECURSIVE chain AS (
       SELECT a.*, 0 AS depth, ARRAY[a.id] AS path FROM accounts a WHERE a.id = $1
       UNION ALL
       SELECT p.*, c.depth + 1, c.path || p.id FROM accounts p JOIN chain c ON p.id = c.parent_id
        WHERE NOT p.id = ANY (c.path) AND c.depth < 32
     )
     SELECT c.id, c.type, c.parent_id, c.name, c.main_contact, c.timezone, c.currency, c.tags, c.closed, c.updated_at,
            c.depth,
            EXISTS (SELECT 1 FROM holds h WHERE h.account_id = c.id) AS held,
            CASE WHEN c.depth = 0 THEN
              (SELECT json_agg(json_build_object('id', h.id, 'account_id', h.account_id, 'reason', h.reason,
                        'source', h.source, 'evidence', h.evidence, 'note', h.note, 'placed_at', h.placed_at,
                        'expires_at', h.expires_at) ORDER BY h.placed_at, h.id)
                 FROM holds h WHERE h.account_id = c.id)
            END AS holds
       FROM chain c ORDER BY c.depth`,
    [id],
  );
  const self = rows[0];
  if (!self) return null;
  const ancestors = rows.slice(1);
  return {
    account: toAccount(self),
    holds: (self.holds ?? []).map(toHold),
    ancestors: ancestors.map(toAccount),
    inheritedFrom: ancestors.filter((a) => a.held).map((a) => a.id),
  };
}

export interface ListFilter {
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

/**
 * A page of accounts ordered by id, with each one's effective status (GET /v1/accounts and the console's
 * /v1/account-tree). Shaped for 100,000 accounts: every tree walk goes one level at a time through
 * LATERAL ... OFFSET 0, a parameterised scan of the parent index, instead of the hash join of a sequential scan
 * that a misestimated recursive CTE gets; a scoped actor's subtree is materialised first; the set of suspended
 * accounts is built only when the status filter asks for it, else each page row walks up its own ancestors.
 * Callers run it through withoutJit (the walks' estimates would trigger a ~0.5 s JIT compile).
 */
export async function listAccounts(db: Queryable, f: ListFilter): Promise<Array<{ account: Account; suspended: boolean }>> {
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
  // Held accounts and all their descendants (UNION: a cycle in bad data ends the walk).
  let suspended = `EXISTS (WITH RECURSIVE up AS (
         SELECT a.id AS id, a.parent_id AS parent_id
         UNION
         SELECT k.id, k.parent_id FROM up u CROSS JOIN LATERAL (SELECT c.id, c.parent_id FROM accounts c WHERE c.id = u.parent_id OFFSET 0) k)
       SELECT 1 FROM up JOIN holds h ON h.account_id = up.id)`;
  if (f.status) {
    ctes.push(`suspended AS (
       SELECT h.account_id AS id FROM holds h
       UNION
       SELECT k.id FROM suspended s CROSS JOIN LATERAL (SELECT c.id FROM accounts c WHERE c.parent_id = s.id OFFSET 0) k)`);
    where.push(`${f.status === 'suspended' ? '' : 'NOT '}EXISTS (SELECT 1 FROM suspended s WHERE s.id = a.id)`);
    suspended = f.status === 'suspended' ? 'true' : 'false';
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
    SELECT ${COLUMNS}, ${suspended} AS is_suspended
      FROM ${from}
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.id
     LIMIT ${p(f.limit)}`;
  const { rows } = await db.query<AccountRow & { is_suspended: boolean }>(sql, params);
  return rows.map((r) => ({ account: toAccount(r), suspended: r.is_suspended }));
}
