// Chooses the Database adapter (CONTRACT §5): DATABASE_URL set -> PostgreSQL; unset -> PGlite in $DATA_DIR/pg.
// Owns: that choice only. Never: migrate (the caller runs `migrate(db)` explicitly, at start or via the CLI).
import type { Database } from './db.js';
import { createPgDatabase, type PgDatabaseOptions } from './pg-database.js';
import { createPgliteDatabase } from './pglite-database.js';

export interface OpenDatabaseConfig {
  databaseUrl?: string | undefined;
  dataDir: string;
}

export async function openDatabase(config: OpenDatabaseConfig, pgOptions?: PgDatabaseOptions): Promise<Database> {
  if (config.databaseUrl !== undefined && config.databaseUrl !== '') {
    return createPgDatabase(config.databaseUrl, pgOptions);
  }
  return createPgliteDatabase(config.dataDir);
}
