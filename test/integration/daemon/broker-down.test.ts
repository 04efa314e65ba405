// A broker that is down when the daemon starts does not stop it: HTTP answers, /readyz says why with 503, and a
// graceful stop still completes promptly (the connection retry is cancelled, no consumer is left behind).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';
import { uniqueName } from '../../helpers/kafka.js';

let fresh: FreshDatabase;
let daemon: Daemon | undefined;

beforeAll(async () => {
  fresh = await freshDatabase();
});
afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
});

describe('the broker is down at start', () => {
  it('serves HTTP, answers /readyz 503 naming Kafka, and stops promptly', async () => {
    const deadPort = await freePort(); // nothing listens there
    const config = loadConfig({
      DATABASE_URL: fresh.url,
      DATA_DIR: path.join(ROOT, '.tmp', uniqueName('broker-down')),
      KAFKA_BROKERS: `127.0.0.1:${deadPort}`,
      KAFKA_GROUP_ID: uniqueName('grp'),
      HTTP_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    });
    daemon = await startDaemon(config, { logger: createLogger('silent') });
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${daemon.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = JSON.stringify(await ready.json());
    expect(body).toMatch(/kafka/i);
    const t0 = Date.now();
    await daemon.stop();
    daemon = undefined;
    expect(Date.now() - t0).toBeLessThan(5_000);
  }, 120_000);
});
