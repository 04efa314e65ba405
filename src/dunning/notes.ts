// The dunning's own audit notes (kind `dunning_note`): why it counted in another time zone, why an invoice it had
// stopped counting is back in the ladder (ledger-store.ts), why an episode ended without payment (evaluate.ts, from
// the ladder's `note` actions). This file holds the time-zone note, written once per account and unusable zone,
// set-based in the caller's transaction. Never decides anything.
import type { Queryable } from '../store/db.js';

export interface TimezoneFallback {
  accountId: string;
  /** The stored zone that neither the database nor Intl can use. */
  timezone: string;
}

/** One note per account and unusable zone, however often the account is evaluated. */
export async function noteTimezoneFallbacks(tx: Queryable, items: readonly TimezoneFallback[], fallback: string, nowIso: string): Promise<number> {
  if (items.length === 0) return 0;
  const res = await tx.query(
    `INSERT INTO audit (account_id, kind, actor, at, note, evidence)
     SELECT t.id, 'dunning_note', 'system', $3::timestamptz,
            'time zone ' || t.tz || ' cannot be used; dunning counts days past due in ' || $4 || ' (DEFAULT_TIMEZONE)',
            jsonb_build_object('note', 'timezone_fallback', 'timezone', t.tz, 'fallback', $4::text)
       FROM unnest($1::text[], $2::text[]) AS t(id, tz)
      WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.account_id = t.id AND a.kind = 'dunning_note'
                          AND a.evidence->>'note' = 'timezone_fallback' AND a.evidence->>'timezone' = t.tz AND a.evidence->>'fallback' = $4)
      ORDER BY t.id`,
    [items.map((i) => i.accountId), items.map((i) => i.timezone), nowIso, fallback],
  );
  return res.rowCount ?? 0;
}

