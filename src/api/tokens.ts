// API bearer tokens: create, list, revoke, authenticate. Owns the `api_tokens` table (0005_api.sql).
// A token is `sd_<id>_<secret>`: the id is looked up (not secret), then the sha256 of the whole token is compared
// with the stored hash by crypto.timingSafeEqual. The token itself is returned once by `createToken` and is never
// stored or logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../domain/types.js';
import type { Queryable } from '../store/db.js';

export const TOKEN_PREFIX = 'sd_';
export const ROLES: readonly Role[] = ['operator', 'reseller', 'channel', 'customer', 'ingest', 'authorize'];
const SCOPED_ROLES: readonly Role[] = ['reseller', 'channel', 'customer'];
const TOKEN_PATTERN = /^sd_(t[0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface TokenInfo {
  id: string;
  role: Role;
  accountId: string | null;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface CreatedToken extends TokenInfo {
  /** Shown once; only its hash is stored. */
  token: string;
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

interface TokenRow {
  id: string;
  role: Role;
  account_id: string | null;
  label: string | null;
  created_at: Date | string;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

function toInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    role: r.role,
    accountId: r.account_id,
    label: r.label,
    createdAt: iso(r.created_at)!,
    revokedAt: iso(r.revoked_at),
    lastUsedAt: iso(r.last_used_at),
  };
}

export async function createToken(
  db: Queryable,
  input: { role: Role; accountId?: string | null; label?: string | null },
  now: Date = new Date(),
): Promise<CreatedToken> {
  if (!ROLES.includes(input.role)) throw new TokenError(`role: must be one of ${ROLES.join(', ')}`);
  const accountId = input.accountId ?? null;
  if (SCOPED_ROLES.includes(input.role) && !accountId) throw new TokenError(`account: required for role ${input.role}`);
  if (!SCOPED_ROLES.includes(input.role) && accountId) throw new TokenError(`account: not allowed for role ${input.role}`);
  const id = `t${randomBytes(8).toString('hex')}`;
  const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  const { rows } = await db.query<TokenRow>(
    `INSERT INTO api_tokens (id, role, account_id, hash, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, role, account_id, label, created_at, revoked_at, last_used_at`,
    [id, input.role, accountId, sha256(token), input.label ?? null, now],
  );
  return { ...toInfo(rows[0]!), token };
}

export async function listTokens(db: Queryable): Promise<TokenInfo[]> {
  const { rows } = await db.query<TokenRow>(
    `SELECT id, role, account_id, label, created_at, revoked_at, last_used_at FROM api_tokens ORDER BY created_at, id`,
  );
  return rows.map(toInfo);
}

/** Revokes a token; true when it existed and was live. */
export async function revokeToken(db: Queryable, id: string, now: Date = new Date()): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`, [id, now]);
  return rowCount > 0;
}

export interface TokenActor {
  tokenId: string;
  role: Role;
  accountId: string | null;
  label: string | null;
}

/** Resolves a presented bearer token to its actor, or null when it is malformed, unknown or revoked. */
export async function authenticate(db: Queryable, presented: string, now: Date = new Date()): Promise<TokenActor | null> {
  const m = TOKEN_PATTERN.exec(presented);
  if (!m) return null;
  const id = m[1]!;
  const { rows } = await db.query<TokenRow & { hash: Buffer; stale: boolean }>(
    `SELECT id, role, account_id, label, created_at, revoked_at, last_used_at, hash,
            (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute') AS stale
       FROM api_tokens WHERE id = $1`,
    [id, now],
  );
  const row = rows[0];
  if (!row || row.revoked_at !== null) return null;
  const stored = Buffer.from(row.hash);
  const given = sha256(presented);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) return null;
  // last_used_at is informational; refreshed at most once a minute so reads stay reads.
  if (row.stale) await db.query(`UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, [id, now]);
  return { tokenId: row.id, role: row.role, accountId: row.account_id, label: row.label };
}
