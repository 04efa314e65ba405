// The composed daemon (src/main.ts) on a fresh PostgreSQL database with one rule file and an operator token, for
// tests that drive it through its HTTP API.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createToken } from '../../src/api/tokens.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { freePort } from './daemon.js';
import { freshDatabase } from './db.js';

export interface RulesDaemon {
  daemon: Daemon;
  /** An operator's request to the daemon: status, and the JSON body (null when there is none). */
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startRulesDaemon(name: string, fraudYaml: string, env: Record<string, string> = {}): Promise<RulesDaemon> {
  const fresh = await freshDatabase();
  const tmp = mkdtempSync(path.join(os.tmpdir(), `suspensiond-${name}-`));
  writeFileSync(path.join(tmp, 'fraud.yaml'), fraudYaml);
  const token = (await createToken(fresh.db, { role: 'operator', label: name }, new Date())).token;
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    DATA_DIR: path.join(tmp, 'data'),
    RULES_DIR: tmp,
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const daemon = await startDaemon(config, { logger: createLogger('silent') });
  return {
    daemon,
    async api(method, url, body) {
      const res = await fetch(`${daemon.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async stop() {
      await daemon.stop();
      await fresh.drop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
