// Rejected input (GET /v1/dead-letters) from the ingest engineer's `dead_letters` table. Queried defensively: the
// table may be absent (an older schema), and key/value are raw bytes, shown as UTF-8 when they are, else base64.
import type { Queryable } from '../../store/db.js';
import { isoOrNull } from './account-queries.js';

export interface DeadLetterItem {
  id: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  key: string | null;
  value: string | null;
  valueEncoding: 'utf8' | 'base64';
  headers: unknown;
  error: string | null;
  receivedAt: string | null;
}

interface Row {
  id: string;
  topic: string | null;
  partition: number | string | null;
  offset: string | null;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: unknown;
  error: string | null;
  received_at: Date | string | null;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array | null): { text: string | null; utf8: boolean } {
  if (bytes === null) return { text: null, utf8: true };
  try {
    return { text: UTF8.decode(bytes), utf8: true };
  } catch {
    return { text: Buffer.from(bytes).toString('base64'), utf8: false };
  }
}

export async function deadLettersAvailable(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ t: string | null }>(`SELECT to_regclass('dead_letters')::text AS t`);
  return rows[0]?.t != null;
}

/** Newest first (by id, a bigserial); `beforeId` is the id of the previous page's last row. */
export async function listDeadLetters(db: Queryable, beforeId: string | undefined, limit: number): Promise<DeadLetterItem[]> {
  if (!(await deadLettersAvailable(db))) return [];
  if (beforeId !== undefined && !/^\d{1,18}$/.test(beforeId)) return [];
  const { rows } = await db.query<Row>(
    `SELECT id::text AS id, topic, "partition", "offset"::text AS "offset", key, value, headers, error, received_at
       FROM dead_letters
      WHERE $1::bigint IS NULL OR id < $1::bigint
      ORDER BY id DESC
      LIMIT $2`,
    [beforeId ?? null, limit],
  );
  return rows.map((r) => {
    const key = text(r.key);
    const value = text(r.value);
    return {
      id: r.id,
      topic: r.topic,
      partition: r.partition === null ? null : Number(r.partition),
      offset: r.offset,
      key: key.text,
      value: value.text,
      valueEncoding: value.utf8 ? 'utf8' : 'base64',
      headers: r.headers ?? null,
      error: r.error,
      receivedAt: isoOrNull(r.received_at),
    };
  });
}
