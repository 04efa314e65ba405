// The embedded cluster's files: the PGlite start options, and creating `${dataDir}/pg` on a first start.
// A first start runs initdb inside WebAssembly (about 9 s of CPU; 20-35 s on a loaded 2-core machine). It runs in a
// worker thread, so the daemon's event loop stays free (HTTP probes can answer meanwhile), into a temporary sibling
// directory that is renamed to `pg` only once the cluster is complete and cleanly shut down: a crash during the first
// start leaves no half-made cluster behind, and the next start simply begins again.
// Owns: that procedure and the option lists. Never: touches an existing cluster's files, or runs without PGlite's
// own single-process guarantee (one daemon per data dir).
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { existsSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

/**
 * shared_buffers of the embedded server. PGlite's initdb default is 128MB, which postgres allocates and zeroes inside
 * the WebAssembly heap at every start: 32MB saves ~0.4 s of CPU per open and ~120 MB of RSS. Pages not in the buffer
 * pool are read from the OS page cache, so a small pool costs little for one connection.
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/** Server arguments: PGlite's defaults plus the smaller buffer pool (the command line overrides postgresql.conf). */
export const PGLITE_START_PARAMS: readonly string[] = [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];

/**
 * initdb arguments (appended to PGlite's): the same pool during initdb's own server runs, written to postgresql.conf,
 * and no final sync — initdb builds the cluster in memory (PGlite then copies it to disk), where a sync is a no-op.
 */
export const PGLITE_INITDB_PARAMS: readonly string[] = ['-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`, '--no-sync'];

const INIT_PREFIX = 'pg.init-';

// Plain JavaScript run by the worker (eval), so it needs no TypeScript loader: create the cluster, shut it down.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { PGlite } = await import(workerData.pgliteUrl);
  const pg = await PGlite.create(workerData.dir, { startParams: workerData.startParams, initDbStartParams: workerData.initdbParams });
  await pg.close();
})().then(
  () => parentPort.postMessage({ ok: true }),
  (err) => parentPort.postMessage({ ok: false, message: err && err.stack ? err.stack : String(err) }),
);
`;

/**
 * Where `npm ci` leaves a pristine, freshly initialised cluster for this PGlite version (postinstall runs
 * scripts/pglite-template.mjs). Keyed by the PGlite version, because a data directory is only valid for the
 * version that made it. Absent (e.g. a production install with --ignore-scripts): the first start runs initdb.
 */
export function pgliteTemplateDir(): string {
  // The package does not export its package.json: find it from the entry point, then read its version.
  let pkgDir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(pkgDir, 'package.json')) || path.basename(pkgDir) !== 'pglite') {
    const up = path.dirname(pkgDir);
    if (up === pkgDir) throw new Error('cannot locate @electric-sql/pglite/package.json');
    pkgDir = up;
  }
  const version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const nodeModules = path.resolve(pkgDir, '..', '..');
  return path.join(nodeModules, '.cache', 'suspensiond', `pglite-${version}`, 'pg');
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

function runInitWorker(dir: string): Promise<void> {
  const pgliteUrl = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')).href;
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { pgliteUrl, dir, startParams: [...PGLITE_START_PARAMS], initdbParams: [...PGLITE_INITDB_PARAMS] },
    });
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve();
    };
    worker.once('message', (msg: { ok: boolean; message?: string }) => {
      settle(msg.ok ? undefined : new Error(`PGlite initdb failed: ${msg.message ?? 'unknown error'}`));
    });
    worker.once('error', (err) => settle(new Error(`PGlite initdb worker failed: ${err.message}`, { cause: err })));
    worker.once('exit', (code) => settle(new Error(`PGlite initdb worker exited (code ${code}) before finishing`)));
  });
}

/**
 * Makes sure `dir` (i.e. `${dataDir}/pg`) holds a PGlite cluster, creating one when it has none. Leftover temporary
 * directories of an interrupted first start are removed. Refuses a non-empty `dir` that is not a cluster.
 */
export async function ensurePgliteCluster(dir: string, opts: { template?: string | null } = {}): Promise<void> {
  if (await exists(path.join(dir, 'PG_VERSION'))) return;
  const parent = path.dirname(dir);
  await fs.mkdir(parent, { recursive: true });
  if (await exists(dir)) {
    const entries = await fs.readdir(dir);
    if (entries.length > 0) {
      throw new Error(`${dir} is not empty but holds no PGlite cluster (no PG_VERSION); move it away to start afresh`);
    }
  }
  for (const name of await fs.readdir(parent)) {
    if (name.startsWith(INIT_PREFIX)) await fs.rm(path.join(parent, name), { recursive: true, force: true });
  }
  const tmp = path.join(parent, `${INIT_PREFIX}${process.pid}-${Date.now()}`);
  try {
    const template = opts.template === undefined ? pgliteTemplateDir() : opts.template;
    if (template && (await exists(path.join(template, 'PG_VERSION')))) {
      // A pristine cluster made at install time (scripts/pglite-template.mjs): copying it skips initdb (~10 s CPU).
      await fs.cp(template, tmp, { recursive: true });
    } else {
      await runInitWorker(tmp);
    }
    if (!(await exists(path.join(tmp, 'PG_VERSION')))) throw new Error(`PGlite initdb left no PG_VERSION in ${tmp}`);
    // rename(2) replaces an empty directory atomically; a complete cluster appears under `dir`, or nothing does.
    await fs.rename(tmp, dir);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
