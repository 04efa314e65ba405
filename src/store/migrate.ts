// The migrator: numbered plain-SQL files in ./migrations, applied in name order, append-only.
// Each migration runs in its own transaction under one advisory lock, so concurrent runs (replicas starting together,
// `suspensiond migrate` during a rollout) apply each file exactly once. Applied names live in `schema_migrations`.
// Owns: that procedure. Never: edits, reorders or skips a migration; runs against a schema newer than this code.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Database, Queryable } from './db.js';
import { MigrationError } from './errors.js';

/** pg_advisory_xact_lock key of the migrator ("suspensiond migrate" in ASCII, truncated to int8). */
export const MIGRATION_LOCK_KEY = 7_310_868_215_003_161;

/** The migrations directory next to this module: src/store/migrations under tsx, dist/store/migrations when built. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

const NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  /** The file name without `.sql`, e.g. `0001_core`. */
  name: string;
  sql: string;
}

/** Reads every migration file, in name order. Rejects a duplicated number. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => NAME.test(f)).sort();
  const seen = new Map<string, string>();
  const out: Migration[] = [];
  for (const file of files) {
    const num = file.slice(0, 4);
    const other = seen.get(num);
    if (other !== undefined) throw new MigrationError(`migrations ${other} and ${file} share the number ${num}`);
    seen.set(num, file);
    out.push({ name: file.slice(0, -'.sql'.length), sql: await readFile(`${dir}/${file}`, 'utf8') });
  }
  return out;
}

/** A short stable hash of the migration set (names and contents): it changes when any file does. */
export function migrationsHash(migrations: readonly Migration[]): string {
  const h = createHash('sha256');
  for (const m of migrations) h.update(m.name).update('\0').update(m.sql).update('\0');
  return h.digest('hex').slice(0, 12);
}

async function execScript(tx: Queryable, sql: string): Promise<void> {
  if (tx.exec) await tx.exec(sql);
  else await tx.query(sql);
}

async function appliedNames(tx: Queryable): Promise<Set<string>> {
  const res = await tx.query<{ name: string }>('SELECT name FROM schema_migrations');
  return new Set(res.rows.map((r) => r.name));
}

export interface MigrateResult {
  /** Names applied by this call, in order (empty when the database was up to date). */
  applied: string[];
  /** Every migration name the database now has. */
  all: string[];
}

/**
 * Applies every migration not yet applied, each in its own transaction under the migration advisory lock.
 * Throws `MigrationError` when the database has a migration this code does not know (the schema is newer).
 */
export async function migrate(db: Database, opts: { dir?: string } = {}): Promise<MigrateResult> {
  const migrations = await loadMigrations(opts.dir);
  const known = new Set(migrations.map((m) => m.name));
  const applied: string[] = [];
  for (;;) {
    const next = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = await appliedNames(tx);
      const unknown = [...done].filter((n) => !known.has(n)).sort();
      if (unknown.length > 0) {
        throw new MigrationError(
          `the database has migrations this version of suspensiond does not know (${unknown.join(', ')}); ` +
            'it was migrated by a newer version: upgrade suspensiond instead',
        );
      }
      const pending = migrations.find((m) => !done.has(m.name));
      if (pending === undefined) return null;
      try {
        await execScript(tx, pending.sql);
      } catch (err) {
        throw new MigrationError(`migration ${pending.name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [pending.name]);
      return pending.name;
    });
    if (next === null) break;
    applied.push(next);
  }
  const res = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
  return { applied, all: res.rows.map((r) => r.name) };
}
