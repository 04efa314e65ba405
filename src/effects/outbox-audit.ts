// Writes the effects' entries into the account's audit trail (the history the API shows): emails sent, emails
// that could not be sent, and status messages that were given up on. Set-based; runs in the caller's transaction.
import type { AuditKind, Evidence } from '../domain/types.js';
import type { Queryable } from '../store/db.js';

export interface EffectAuditEntry {
  accountId: string;
  kind: Extract<AuditKind, 'email_sent' | 'email_failed' | 'alert'>;
  at: Date;
  note: string;
  evidence: Evidence;
}

/** The actor recorded for effects: the daemon itself, not a person or a rule. */
export const EFFECTS_ACTOR = 'system';

export async function insertEffectAudit(tx: Queryable, entries: readonly EffectAuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO audit (account_id, kind, actor, at, note, evidence)
     SELECT e.account_id, e.kind, $5, e.at, e.note, e.evidence::jsonb
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $6::text[]) AS e(account_id, kind, at, note, evidence)`,
    [
      entries.map((e) => e.accountId),
      entries.map((e) => e.kind),
      entries.map((e) => e.at.toISOString()),
      entries.map((e) => e.note),
      EFFECTS_ACTOR,
      entries.map((e) => JSON.stringify(e.evidence)),
    ],
  );
}
