// Accounts (the reseller -> channel -> customer tree): set-based upsert where the newer snapshot wins, get, list and
// count with the API's filters. Effective status in lists is derived from holds (an account is suspended when it or
// an ancestor has a hold), never from a cached flag. Never: places holds or publishes status.
import type { Queryable } from './db.js';
import type { Account, AccountType, Status } from '../domain/types.js';
import { ACCOUNT_COLUMNS, decodeCursor, encodeCursor, json, toAccount, type AccountRow } from './rows.js';

/**
 * Upserts snapshots in one statement: a row is written only when its `updatedAt` is newer than the stored one
 * (CONTRACT §2: the latest `updatedAt` wins; an equal one is a duplicate). Within the batch the newest per id wins.
 * Returns the ids actually written; the others were stale or duplicates.
 */
export async function upsertAccounts(q: Queryable, accounts: readonly Account[]): Promise<string[]> {
  return (await upsertAccountRows(q, accounts)).map((r) => r.id);
}

/** What upsertAccountRows wrote: `moved` when the account is new or its parent changed. */
export interface WrittenAccount {
  id: string;
  moved: boolean;
}

/** upsertAccounts, also telling which written accounts are new or have a new parent (their status may change). */
export async function upsertAccountRows(q: Queryable, accounts: readonly Account[]): Promise<WrittenAccount[]> {
  if (accounts.length === 0) return [];
  const newest = new Map<string, Account>();
  for (const a of accounts) {
    const prev = newest.get(a.id);
    if (prev === undefined || Date.parse(a.updatedAt) >= Date.parse(prev.updatedAt)) newest.set(a.id, a);
  }
  // Id order, so two concurrent batches lock rows in the same order and cannot deadlock.
  const rows = [...newest.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  // `prior` reads the statement's snapshot, so it sees the parents from before this upsert.
  const res = await q.query<{ id: string; moved: boolean }>(
    `WITH input AS (
       SELECT r.* FROM jsonb_to_recordset($1::jsonb) AS r(id text, type text, parent_id text, name text, main_contact jsonb,
              timezone text, currency text, tags text[], closed boolean, updated_at timestamptz)
     ), prior AS (
       SELECT a.id, a.parent_id FROM accounts a WHERE a.id IN (SELECT id FROM input)
     ), written AS (
       INSERT INTO accounts AS a (id, type, parent_id, name, main_contact, timezone, currency, tags, closed, updated_at)
       SELECT r.id, r.type, r.parent_id, r.name, r.main_contact, r.timezone, r.currency, coalesce(r.tags, '{}'),
              coalesce(r.closed, false), r.updated_at
         FROM input r
       ON CONFLICT (id) DO UPDATE
         SET type = EXCLUDED.type, parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
             main_contact = EXCLUDED.main_contact, timezone = EXCLUDED.timezone, currency = EXCLUDED.currency,
             tags = EXCLUDED.tags, closed = EXCLUDED.closed, updated_at = EXCLUDED.updated_at
         WHERE a.updated_at < EXCLUDED.updated_at
       RETURNING a.id, a.parent_id
     )
     SELECT w.id, (p.id IS NULL OR p.parent_id IS DISTINCT FROM w.parent_id) AS moved
       FROM written w LEFT JOIN prior p ON p.id = w.id
      ORDER BY w.id`,
    [
      json(
        rows.map((a) => ({
          id: a.id,
          type: a.type,
          parent_id: a.parentId,
          name: a.name,
          main_contact: a.mainContact,
          timezone: a.timezone,
          currency: a.currency,
          tags: a.tags,
          closed: a.closed,
          updated_at: a.updatedAt,
        })),
      ),
    ],
  );
  return res.rows.map((r) => ({ id: r.id, moved: r.moved }));
}

export async function getAccount(q: Queryable, id: string): Promise<Account | null> {
  const res = await q.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
  return res.rows[0] ? toAccount(res.rows[0]) : null;
}

export async function getAccounts(q: Queryable, ids: readonly string[]): Promise<Account[]> {
  if (ids.length === 0) return [];
  const res = await q.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY id`,
    [json(ids)],
  );
  return res.rows.map(toAccount);
}

export interface AccountFilter {
  type?: AccountType | null;
  /** Effective status: suspended when the account or any ancestor has a hold. */
  status?: Status | null;
  /** Direct children of this account. */
  parent?: string | null;
  /** Case-insensitive substring of the id or the name. */
  q?: string | null;
  /** Only this account's subtree (an actor's scope). */
  scopeRoot?: string | null;
  /** With `scopeRoot`: include the root itself (default true). */
  includeScopeRoot?: boolean;
}

export interface AccountListItem extends Account {
  status: Status;
}

export interface AccountPage {
  items: AccountListItem[];
  nextCursor: string | null;
}

function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// $1 scopeRoot, $2 includeScopeRoot, $3 type, $4 parent, $5 q pattern, $6 status, then paging parameters.
const FILTERED = `
  WITH RECURSIVE suspended(id) AS (
    SELECT account_id FROM holds
    UNION
    SELECT c.id FROM accounts c JOIN suspended s ON c.parent_id = s.id
  ), scope(id) AS (
    SELECT id FROM accounts WHERE id = $1::text
    UNION
    SELECT c.id FROM accounts c JOIN scope s ON c.parent_id = s.id
  ), filtered AS (
    SELECT a.*, EXISTS (SELECT 1 FROM suspended s WHERE s.id = a.id) AS is_suspended
      FROM accounts a
     WHERE ($1::text IS NULL OR (a.id IN (SELECT id FROM scope) AND ($2::boolean OR a.id <> $1::text)))
       AND ($3::text IS NULL OR a.type = $3::text)
       AND ($4::text IS NULL OR a.parent_id = $4::text)
       AND ($5::text IS NULL OR lower(a.id || ' ' || coalesce(a.name, '')) LIKE $5::text)
  )`;

function filterParams(f: AccountFilter): unknown[] {
  return [
    f.scopeRoot ?? null,
    f.includeScopeRoot ?? true,
    f.type ?? null,
    f.parent ?? null,
    f.q != null && f.q !== '' ? likePattern(f.q) : null,
    f.status ?? null,
  ];
}

const STATUS_MATCH = `($6::text IS NULL OR is_suspended = ($6::text = 'suspended'))`;

/** Accounts matching the filter, by id, keyset-paged (`cursor` from the previous page's `nextCursor`). */
export async function listAccounts(
  q: Queryable,
  filter: AccountFilter = {},
  page: { cursor?: string | null; limit?: number } = {},
): Promise<AccountPage> {
  const limit = Math.min(Math.max(page.limit ?? 100, 1), 1000);
  const res = await q.query<AccountRow & { is_suspended: boolean }>(
    `${FILTERED}
     SELECT ${ACCOUNT_COLUMNS}, is_suspended FROM filtered
      WHERE ${STATUS_MATCH} AND ($7::text IS NULL OR id > $7::text)
      ORDER BY id LIMIT $8`,
    [...filterParams(filter), decodeCursor(page.cursor), limit + 1],
  );
  const items = res.rows
    .slice(0, limit)
    .map((r): AccountListItem => ({ ...toAccount(r), status: r.is_suspended ? 'suspended' : 'active' }));
  const last = items[items.length - 1];
  return { items, nextCursor: res.rows.length > limit && last ? encodeCursor(last.id) : null };
}

export async function countAccounts(q: Queryable, filter: AccountFilter = {}): Promise<number> {
  const res = await q.query<{ n: number }>(`${FILTERED} SELECT count(*) AS n FROM filtered WHERE ${STATUS_MATCH}`, filterParams(filter));
  return Number(res.rows[0]?.n ?? 0);
}
