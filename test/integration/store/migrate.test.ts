// The migrator on real PostgreSQL: idempotent, safe when run concurrently, and refuses a newer schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPgDatabase } from '../../../src/store/pg-database.js';
import { loadMigrations, migrate } from '../../../src/store/migrate.js';
import { MigrationError } from '../../../src/store/errors.js';
import { testServerUrl, withDatabaseName } from '../../helpers/db.js';

const serverUrl = testServerUrl();
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = `suspensiond_mig_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  await c.query(`CREATE DATABASE "${name}"`);
  await c.end();
  created.push(name);
  return withDatabaseName(serverUrl, name);
}

afterAll(async () => {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await c.end();
});

describe('migrate on PostgreSQL', () => {
  let names: string[];
  beforeAll(async () => {
    names = (await loadMigrations()).map((m) => m.name);
  });

  it('applies every migration in name order on an empty database, and a second run is a no-op', async () => {
    const db = createPgDatabase(await emptyDatabase());
    try {
      const first = await migrate(db);
      expect(first.applied).toEqual(names);
      expect(names[0]).toBe('0001_core');
      const tables = await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['accounts', 'holds', 'exemptions', 'decisions', 'audit', 'account_status', 'outbox', 'schema_migrations']),
      );
      const second = await migrate(db);
      expect(second.applied).toEqual([]);
      expect(second.all).toEqual(names);
      const count = await db.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations');
      expect(count.rows[0]!.n).toBe(names.length);
    } finally {
      await db.close();
    }
  });

  it('two concurrent runs on one fresh database apply each migration exactly once', async () => {
    const url = await emptyDatabase();
    const a = createPgDatabase(url);
    const b = createPgDatabase(url);
    try {
      const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
      expect([...ra.applied, ...rb.applied].sort()).toEqual(names);
      expect(ra.all).toEqual(names);
      expect(rb.all).toEqual(names);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses a database that has a migration this code does not know', async () => {
    const db = createPgDatabase(await emptyDatabase());
    try {
      await migrate(db);
      await db.query("INSERT INTO schema_migrations (name) VALUES ('9999_from_the_future')");
      await expect(migrate(db)).rejects.toThrow(MigrationError);
      await expect(migrate(db)).rejects.toThrow(/9999_from_the_future.*newer version/);
    } finally {
      await db.close();
    }
  });

  it('a failing migration leaves nothing of itself behind and names the file', async () => {
    const { mkdtemp, writeFile, cp } = await import('node:fs/promises');
    const os = await import('node:os');
    const { MIGRATIONS_DIR } = await import('../../../src/store/migrate.js');
    const dir = await mkdtemp(`${os.tmpdir()}/mig-`);
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await writeFile(`${dir}/9000_broken.sql`, 'CREATE TABLE half_done (id int); SELECT no_such_function();');
    const db = createPgDatabase(await emptyDatabase());
    try {
      await expect(migrate(db, { dir })).rejects.toThrow(/migration 9000_broken failed/);
      const half = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
      expect(half.rowCount).toBe(0);
      const applied = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      expect(applied.rows.map((r) => r.name)).toEqual(names);
    } finally {
      await db.close();
    }
  });
});
