// The daemon as the switch tests run it: in process, on a fresh database, with the shipped rules and mappings, HTTP
// on a free port; `env` adds to (or overrides) that configuration (Kafka topics, for example).
import path from 'node:path';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { freePort, ROOT } from '../../helpers/daemon.js';

export async function startSwitchDaemon(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<Daemon> {
  return startDaemon(
    loadConfig({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      HTTP_PORT: String(await freePort()),
      RULES_DIR: path.join(ROOT, 'rules'),
      MAPPINGS_DIR: path.join(ROOT, 'mappings'),
      LOG_LEVEL: 'silent',
      ...env,
    }),
    { logger: createLogger('silent') },
  );
}
