// Integration-test databases: each test file gets its own database, cloned from a migrated template.
// The template `suspensiond_tpl_<hash of the migration files>` is built once per migration set, under a session
// advisory lock on the server so parallel vitest workers never race; a change to any migration file makes a new one.
// Owns: creating, cloning and dropping test databases. Never: touches databases it did not create.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Database } from '../../src/store/db.js';
import { createPgDatabase } from '../../src/store/pg-database.js';
import { loadMigrations, migrate, migrationsHash } from '../../src/store/migrate.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
/** Session advisory lock key guarding template creation. */
const TEMPLATE_LOCK_KEY = 7_310_868_215_003_162;

export interface FreshDatabase {
  db: Database;
  /** URL of the new database (for code under test that opens its own pool). */
  url: string;
  name: string;
  /**
   * Closes `db` and drops the database. Pass the suite from `afterAll(({}, suite) => fresh.drop(suite))` to keep the
   * database for inspection when a test in it failed (its name is printed). KEEP_TEST_DB=1 always keeps it.
   */
  drop(suite?: unknown): Promise<void>;
}

/** The server to create test databases on: vitest's provided `databaseUrl`, TEST_DATABASE_URL, or the default. */
export function testServerUrl(): string {
  let provided: unknown;
  try {
    provided = (inject as (key: string) => unknown)('databaseUrl');
  } catch {
    provided = undefined;
  }
  if (typeof provided === 'string' && provided !== '') return provided;
  return process.env.TEST_DATABASE_URL || DEFAULT_URL;
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'suspensiond-tests' });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `cannot reach the test PostgreSQL at ${new URL(url).host} (${(err as Error).message}). ` +
        'Start one (e.g. `pg_ctlcluster 15 main start`) or set TEST_DATABASE_URL, or run through `npx vitest` so ' +
        'test/global-setup.ts provides one.',
      { cause: err },
    );
  }
  client.on('error', () => undefined);
  return client;
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const res = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return (res.rowCount ?? 0) > 0;
}

const templates = new Map<string, Promise<string>>();

/** Creates (once per server and migration set) the migrated template database; returns its name. */
export function ensureTemplate(serverUrl: string): Promise<string> {
  let p = templates.get(serverUrl);
  if (p === undefined) {
    p = buildTemplate(serverUrl);
    p.catch(() => templates.delete(serverUrl));
    templates.set(serverUrl, p);
  }
  return p;
}

async function buildTemplate(serverUrl: string): Promise<string> {
  const name = `suspensiond_tpl_${migrationsHash(await loadMigrations())}`;
  const admin = await connect(serverUrl);
  try {
    await admin.query('SELECT pg_advisory_lock($1::bigint)', [TEMPLATE_LOCK_KEY]);
    if (await databaseExists(admin, name)) return name;
    // Build under a temporary name and rename at the end, so a crash never leaves a half-migrated template.
    const building = `${name}_building`;
    await admin.query(`DROP DATABASE IF EXISTS ${ident(building)} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${ident(building)}`);
    const db = createPgDatabase(withDatabaseName(serverUrl, building), { max: 1 });
    try {
      await migrate(db);
    } finally {
      await db.close();
    }
    await admin.query(`ALTER DATABASE ${ident(building)} RENAME TO ${ident(name)}`);
    return name;
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1::bigint)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    await admin.end();
  }
}

function suiteFailed(suite: unknown): boolean {
  const visit = (task: unknown): boolean => {
    const t = task as { result?: { state?: string }; tasks?: unknown[] } | undefined;
    if (t === undefined || t === null) return false;
    if (t.result?.state === 'fail') return true;
    return (t.tasks ?? []).some(visit);
  };
  return visit(suite);
}

/** A new, migrated database of its own. Call `drop()` in `afterAll`. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const serverUrl = testServerUrl();
  const template = await ensureTemplate(serverUrl);
  const name = `suspensiond_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await connect(serverUrl);
  try {
    // Cloning needs the template free of connections; the lock keeps a concurrent template build out of the way.
    await admin.query('SELECT pg_advisory_lock($1::bigint)', [TEMPLATE_LOCK_KEY]);
    await admin.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1::bigint)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
    await admin.end();
  }
  const url = withDatabaseName(serverUrl, name);
  const db = createPgDatabase(url, { max: 10 });
  let dropped = false;
  return {
    db,
    url,
    name,
    async drop(suite?: unknown) {
      if (dropped) return;
      dropped = true;
      await db.close();
      if (process.env.KEEP_TEST_DB === '1' || (suite !== undefined && suiteFailed(suite))) {
        console.warn(`kept test database ${name} for inspection: ${url}`);
        return;
      }
      const c = await connect(serverUrl);
      try {
        await c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * `freshDatabase()` for the whole test file: made in `beforeAll`, dropped in `afterAll` (kept when a test in the file
 * failed). Its fields are read through getters, so use them inside tests and hooks, not at the file's top level.
 */
export function databaseForFile(): FreshDatabase {
  let fresh: FreshDatabase | undefined;
  beforeAll(async () => {
    fresh = await freshDatabase();
  });
  afterAll(async ({}, suite) => {
    await fresh?.drop(suite);
  });
  const current = (): FreshDatabase => {
    if (!fresh) throw new Error('the file database is made in beforeAll: use it inside a test or a hook');
    return fresh;
  };
  return {
    get db() {
      return current().db;
    },
    get url() {
      return current().url;
    },
    get name() {
      return current().name;
    },
    drop: (suite?: unknown) => current().drop(suite),
  };
}
