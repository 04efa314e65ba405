// FRAUD_ENGINE=fused through the composed daemon (src/main.ts) on real PostgreSQL (issue 17): the daemon starts,
// judges a batch and places the hold whether or not the fused engine can run its lanes. While the fused engine does not
// store state (FUSED_STORES_STATE), every lane runs the classic engine and says so: /readyz details name the engine
// asked for and why it does not run, and suspensiond_fraud_engine_fallbacks_total counts the lanes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import { FUSED_STORES_STATE } from '../../../src/rules/fused/fused-engine.js';
import { freePort } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

const RULES = `
fraud:
  - id: expensive-call
    measure: call_cost
    warn: "25.00"
    suspend: "75.00"
    cooldown: 1h
`;

let fresh: FreshDatabase;
let daemon: Daemon;
let token = '';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-fraud-engine-'));

beforeAll(async () => {
  fresh = await freshDatabase();
  writeFileSync(path.join(tmp, 'fraud.yaml'), RULES);
  token = (await createToken(fresh.db, { role: 'operator', label: 'fraud-engine' }, new Date())).token;
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    DATA_DIR: path.join(tmp, 'data'),
    RULES_DIR: tmp,
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    FRAUD_ENGINE: 'fused',
  });
  daemon = await startDaemon(config, { logger: createLogger('silent') });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await fresh?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

async function api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${daemon.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

describe('FRAUD_ENGINE=fused', () => {
  it('judges a batch and places the hold, and says which engine runs and why', async () => {
    const t0 = Date.now() - 3_600_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const res = await api('POST', '/v1/events/cdrs', [
      {
        id: 'dear-1', accountId: 'cust-dear', direction: 'outbound', caller: '+442071234567', callee: '+442079460123',
        startedAt: iso(t0), answeredAt: iso(t0 + 5_000), endedAt: iso(t0 + 65_000), durationSec: 60,
        disposition: 'answered', cost: '80.00', currency: 'GBP',
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(1);
    const dear = await api('GET', '/v1/accounts/cust-dear');
    expect(dear.body.holds.map((h: { reason: string; source: string }) => [h.reason, h.source])).toEqual([['fraud', 'rule:expensive-call']]);

    const ready = (await (await fetch(`${daemon.url}/readyz`)).json()) as { ready: boolean; details: { fraudEngine: string; fraudEngineFallback: string | null } };
    expect(ready.ready).toBe(true);
    expect(ready.details.fraudEngine).toBe('fused');
    const metrics = await (await fetch(`${daemon.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    const fallbacks = Number(/^suspensiond_fraud_engine_fallbacks_total (\d+)/m.exec(metrics)?.[1]);
    if (FUSED_STORES_STATE) {
      expect(ready.details.fraudEngineFallback).toBeNull();
      expect(fallbacks).toBe(0);
    } else {
      expect(ready.details.fraudEngineFallback).toBe('the fused engine does not store state yet (snapshots, spill, restarts)');
      expect(fallbacks).toBeGreaterThanOrEqual(1);
    }
  });
});
