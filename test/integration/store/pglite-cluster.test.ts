// The embedded cluster's first start (pglite-cluster.ts): built off the event loop in a temporary directory that
// becomes `${dataDir}/pg` only when complete; a non-cluster directory is refused rather than mixed with a new one.
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePgliteCluster } from '../../../src/store/pglite-cluster.js';
import { createPgliteDatabase } from '../../../src/store/pglite-database.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDataDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'suspensiond-pglite-cluster-'));
  dirs.push(d);
  return d;
}

describe('PGlite cluster creation', () => {
  it('refuses a non-empty pg directory that holds no cluster, and leaves it untouched', async () => {
    const dataDir = await tempDataDir();
    await mkdir(path.join(dataDir, 'pg'));
    await writeFile(path.join(dataDir, 'pg', 'stray.txt'), 'not a database');
    await expect(ensurePgliteCluster(path.join(dataDir, 'pg'))).rejects.toThrow(/holds no PGlite cluster/);
    expect(await readdir(path.join(dataDir, 'pg'))).toEqual(['stray.txt']);
  });

  it('creates the cluster in an empty pg directory, clears leftovers of an interrupted start, and opens it', async () => {
    const dataDir = await tempDataDir();
    await mkdir(path.join(dataDir, 'pg'));
    await mkdir(path.join(dataDir, 'pg.init-1-1'));
    await writeFile(path.join(dataDir, 'pg.init-1-1', 'PG_VERSION'), 'half made');

    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      await ensurePgliteCluster(path.join(dataDir, 'pg'));
    } finally {
      clearInterval(timer);
    }
    // initdb ran in a worker: the event loop kept turning meanwhile (it takes seconds; a blocked loop ticks ~never).
    expect(ticks).toBeGreaterThan(10);
    expect((await stat(path.join(dataDir, 'pg', 'PG_VERSION'))).isFile()).toBe(true);
    expect(await readdir(dataDir)).toEqual(['pg']);

    const db = await createPgliteDatabase(dataDir);
    try {
      const res = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
      expect(res.rows[0]?.shared_buffers).toBe('32MB');
      await db.exec!('CREATE TABLE t (id int PRIMARY KEY)');
      await db.query('INSERT INTO t VALUES (1)');
    } finally {
      await db.close();
    }
    // A second open finds the existing cluster and its data (no new initdb).
    const again = await createPgliteDatabase(dataDir);
    try {
      expect((await again.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]?.n).toBe(1);
    } finally {
      await again.close();
    }
  }, 300_000);
});
