// `suspensiond migrate`: apply the database migrations, print what was applied, exit.
import type { Config } from '../../config.js';
import { migrate } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-database.js';
import { EXIT, println, type CliIo } from '../io.js';

export async function migrateCommand(io: CliIo, config: Config): Promise<number> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const result = await migrate(db);
    if (result.applied.length === 0) println(io.stdout, `database is up to date (${result.all.length} migrations)`);
    else for (const name of result.applied) println(io.stdout, `applied ${name}`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
