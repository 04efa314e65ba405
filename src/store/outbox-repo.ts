// Queueing effects in the outbox (DEVELOPERS.md "outbox rows"), in the caller's transaction. The dispatcher
// (src/effects) claims and sends them. Never: sends anything, or changes a row's state after insert.
import type { Queryable } from './db.js';
import type { Contact } from '../domain/types.js';
import { json } from './rows.js';

export type OutboxKind = 'status' | 'email';

export interface NewOutboxRow {
  accountId: string;
  kind: OutboxKind;
  payload: unknown;
  /** Unique: a second row with the same key is skipped (never a second send). */
  dedupeKey: string;
}

/**
 * An `email` row's payload; the dispatcher renders `template` with `data`, to the main contact of the account as
 * stored when it sends. `to` is written no more (rows from before 0010 may carry one, and are sent to it).
 */
export interface EmailPayload {
  template: string;
  accountId: string;
  to?: Contact | null;
  data: Record<string, unknown>;
}

/** Inserts rows in one statement, skipping duplicate dedupe keys. Returns the dedupe keys actually inserted. */
export async function insertOutbox(q: Queryable, rows: readonly NewOutboxRow[], now: string): Promise<string[]> {
  if (rows.length === 0) return [];
  const res = await q.query<{ dedupe_key: string }>(
    `INSERT INTO outbox (account_id, kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at)
     SELECT e.doc->>'accountId', e.doc->>'kind', e.doc->'payload', e.doc->>'dedupeKey', 'pending', 0,
            $2::timestamptz, $2::timestamptz
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(doc, ord)
      ORDER BY e.ord
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING dedupe_key`,
    [json(rows), now],
  );
  return res.rows.map((r) => r.dedupe_key);
}
