// First start on the embedded database: PGlite serves one process, so `suspensiond tokens create` cannot run while
// the daemon does. When no token exists yet, the daemon makes one operator token and writes it (never logs it) to
// `$DATA_DIR/operator-token`, readable by the owner only. Never: runs against a shared PostgreSQL, or twice.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createToken } from '../api/tokens.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/db.js';

export async function bootstrapOperatorToken(deps: { db: Database; dataDir: string; clock: Clock; logger: Logger }): Promise<string | null> {
  if (deps.db.kind !== 'pglite') return null;
  const { rows } = await deps.db.query<{ n: number | string }>('SELECT count(*) AS n FROM api_tokens');
  if (Number(rows[0]?.n ?? 0) > 0) return null;
  const created = await createToken(deps.db, { role: 'operator', label: 'bootstrap' }, deps.clock.now());
  const file = path.join(deps.dataDir, 'operator-token');
  await writeFile(file, `${created.token}\n`, { mode: 0o600 });
  deps.logger.info({ file, tokenId: created.id }, 'first start: an operator token was written to the data directory');
  return file;
}
