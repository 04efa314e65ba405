// The store's public surface, re-exported for the composition root and the services. Importing it does no I/O.
export type { Database, Queryable, QueryResult } from './db.js';
export { createPgDatabase, parseInt8, type PgDatabaseOptions } from './pg-database.js';
export { createPgliteDatabase } from './pglite-database.js';
export { openDatabase, type OpenDatabaseConfig } from './open-database.js';
export { migrate, loadMigrations, migrationsHash, MIGRATIONS_DIR, MIGRATION_LOCK_KEY, type Migration, type MigrateResult } from './migrate.js';
export * from './errors.js';
export * from './accounts-repo.js';
export * from './holds-repo.js';
export * from './exemptions-repo.js';
export * from './decisions-repo.js';
export * from './audit-repo.js';
export * from './account-status-repo.js';
export * from './outbox-repo.js';
export { loadSubtree, loadSubtrees } from './load-subtree.js';
export * from './transitions.js';
export * from './decide.js';
