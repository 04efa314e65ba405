// Row <-> domain mapping for the core tables. Owns: column names and type conversion (timestamptz -> ISO string).
// Never: runs a query. Shared by the repositories and load-subtree.
import type { Account, AccountType, Contact, Decision, DecisionState, Evidence, Exemption, Hold, HoldReason, HoldSource } from '../domain/types.js';

/** A timestamptz value (Date from pg/PGlite, or text) as an ISO 8601 string. */
export function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return new Date(String(v)).toISOString();
}

export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

export interface AccountRow {
  id: string;
  type: string;
  parent_id: string | null;
  name: string | null;
  main_contact: Contact | null;
  timezone: string | null;
  currency: string | null;
  tags: string[] | null;
  closed: boolean;
  updated_at: Date | string;
}

export const ACCOUNT_COLUMNS = 'id, type, parent_id, name, main_contact, timezone, currency, tags, closed, updated_at';

export function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    type: r.type as AccountType,
    parentId: r.parent_id,
    name: r.name,
    mainContact: r.main_contact,
    timezone: r.timezone,
    currency: r.currency,
    tags: r.tags ?? [],
    closed: r.closed,
    updatedAt: iso(r.updated_at),
  };
}

export interface HoldRow {
  id: string;
  account_id: string;
  reason: string;
  source: string;
  evidence: Evidence | null;
  note: string | null;
  placed_at: Date | string;
  expires_at: Date | string | null;
}

export const HOLD_COLUMNS = 'id, account_id, reason, source, evidence, note, placed_at, expires_at';

export function toHold(r: HoldRow): Hold {
  return {
    id: r.id,
    accountId: r.account_id,
    reason: r.reason as HoldReason,
    source: r.source as HoldSource,
    evidence: r.evidence ?? {},
    note: r.note,
    placedAt: iso(r.placed_at),
    expiresAt: isoOrNull(r.expires_at),
  };
}

export interface ExemptionRow {
  id: string;
  account_id: string;
  reason: string | null;
  rules: string[] | null;
  until: Date | string;
  note: string | null;
  created_by: string;
  created_at: Date | string;
}

export const EXEMPTION_COLUMNS = 'id, account_id, reason, rules, until, note, created_by, created_at';

export function toExemption(r: ExemptionRow): Exemption {
  return {
    id: r.id,
    accountId: r.account_id,
    reason: r.reason as HoldReason | null,
    rules: r.rules,
    until: iso(r.until),
    note: r.note,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

export interface DecisionRow {
  id: string;
  account_id: string;
  reason: string;
  source: string;
  evidence: Evidence | null;
  note: string | null;
  state: string;
  created_at: Date | string;
  decided_at: Date | string | null;
  decided_by: string | null;
}

export const DECISION_COLUMNS = 'id, account_id, reason, source, evidence, note, state, created_at, decided_at, decided_by';

export function toDecision(r: DecisionRow): Decision {
  return {
    id: r.id,
    accountId: r.account_id,
    reason: r.reason as HoldReason,
    source: r.source as HoldSource,
    evidence: r.evidence ?? {},
    note: r.note,
    state: r.state as DecisionState,
    createdAt: iso(r.created_at),
    decidedAt: isoOrNull(r.decided_at),
    decidedBy: r.decided_by,
  };
}

/** JSON text for a `$n::jsonb` parameter: both drivers then see the same plain text value. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** Opaque keyset cursors: base64url of the last row's sort key. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
