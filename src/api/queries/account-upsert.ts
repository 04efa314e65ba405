// PUT /v1/accounts/{id}: an operator's upsert in the topic's shape. The latest `updatedAt` wins, as on the topic;
// an older snapshot is ignored (answered with the stored account). Never changes holds or statuses.
import type { Account } from '../../domain/types.js';
import type { Queryable } from '../../store/db.js';

/** True when the snapshot was stored (new or newer). */
export async function upsertAccount(db: Queryable, a: Account): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO accounts (id, type, parent_id, name, main_contact, timezone, currency, tags, closed, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET
       type = EXCLUDED.type, parent_id = EXCLUDED.parent_id, name = EXCLUDED.name, main_contact = EXCLUDED.main_contact,
       timezone = EXCLUDED.timezone, currency = EXCLUDED.currency, tags = EXCLUDED.tags, closed = EXCLUDED.closed,
       updated_at = EXCLUDED.updated_at
     WHERE accounts.updated_at <= EXCLUDED.updated_at`,
    [a.id, a.type, a.parentId, a.name, a.mainContact === null ? null : JSON.stringify(a.mainContact), a.timezone, a.currency, a.tags, a.closed, a.updatedAt],
  );
  return rowCount > 0;
}
