// A throwaway, migrated database on the bench's PostgreSQL server, and how to drop it (ingest.ts, ingest-profile.ts).
import pg from 'pg';
import { createPgDatabase } from '../src/store/pg-database.js';
import { migrate } from '../src/store/migrate.js';

export async function freshDb(serverUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = createPgDatabase(u.toString(), { max: 2 });
  await migrate(db);
  await db.close();
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: serverUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await a.end();
    },
  };
}
