// Read queries behind GET /v1/accounts and GET /v1/accounts/{id}: one statement each, set-based, parameterised.
// Effective status is computed live from holds (an account is suspended when it or an ancestor holds one), never
// from the last published status. Must never build SQL from request text: every value is a parameter.
import type { Account, AccountType, Hold } from '../src/domain/types.js';
import type { Queryable } from '../src/store/db.js';
import { iso, isoOrNull, toAccount, toHold, type AccountRow, type HoldRow } from '../src/store/rows.js';

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

/** A page of accounts ordered by id, with each one's effective status. */
export async function listAccounts(db: Queryable, f: ListFilter): Promise<Array<{ account: Account; suspended: boolean }>> {
  const params: unknown[] = [];
  const p = (v: unknown): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const ctes = [
    `suspended AS (
       SELECT DISTINCT account_id AS id FROM holds
       UNION
       SELECT a.id FROM accounts a JOIN suspended s ON a.parent_id = s.id)`,
  ];
  const where: string[] = [];
  if (f.scopeRoot !== null) {
    ctes.push(`scope AS (
       SELECT ${p(f.scopeRoot)}::text AS id
       UNION
       SELECT a.id FROM accounts a JOIN scope s ON a.parent_id = s.id)`);
    where.push('a.id IN (SELECT id FROM scope)');
  }
  if (f.type) where.push(`a.type = ${p(f.type)}`);
  if (f.parent) where.push(`a.parent_id = ${p(f.parent)}`);
  if (f.q) where.push(`lower(a.id || ' ' || coalesce(a.name, '')) LIKE ${p(`%${escapeLike(f.q.toLowerCase())}%`)} ESCAPE '\\'`);
  if (f.status === 'suspended') where.push('a.id IN (SELECT id FROM suspended)');
  if (f.status === 'active') where.push('a.id NOT IN (SELECT id FROM suspended)');
  if (f.after !== undefined) where.push(`a.id > ${p(f.after)}`);
  const sql = `WITH RECURSIVE ${ctes.join(',\n')}
    SELECT a.id, a.type, a.parent_id, a.name, a.main_contact, a.timezone, a.currency, a.tags, a.closed, a.updated_at,
           (a.id IN (SELECT id FROM suspended)) AS is_suspended
      FROM accounts a
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.id
     LIMIT ${p(f.limit)}`;
  const { rows } = await db.query<AccountRow & { is_suspended: boolean }>(sql, params);
  return rows.map((r) => ({ account: toAccount(r), suspended: r.is_suspended }));
}
