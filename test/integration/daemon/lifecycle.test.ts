// The daemon as a user runs it: `suspensiond run` on embedded defaults (PGlite in DATA_DIR), config errors,
// graceful SIGTERM, and data that survives a restart.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, waitFor200 } from '../../helpers/daemon.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-life-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('suspensiond run on embedded defaults', () => {
  it('answers /healthz and /readyz within 15 s, keeps data under DATA_DIR, exits 0 within 5 s of SIGTERM, and finds its data after a restart', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, HTTP_PORT: String(port), LOG_LEVEL: 'info' };

    // A token made before the daemon starts (PGlite serves one process at a time).
    const tok = runCli(['tokens', 'create', '--role', 'operator', '--label', 'lifecycle'], env);
    expect((await tok.exited).code).toBe(0);
    const token = /sd_[A-Za-z0-9_-]+/.exec(tok.stdout())?.[0];
    expect(token, tok.stdout() + tok.stderr()).toBeTruthy();

    const first = runCli(['run'], env);
    await waitFor200(`${base}/healthz`, 15_000);
    await waitFor200(`${base}/readyz`, 15_000);
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(true);

    const put = await fetch(`${base}/v1/accounts/res-1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'res-1', type: 'reseller', name: 'Reseller One', updatedAt: '2026-11-20T09:00:00Z' }),
    });
    expect(put.status).toBeLessThan(300);

    const t0 = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // Structured JSON logs: every stdout line parses.
    for (const line of first.stdout().split('\n').filter((l) => l.trim() !== '')) expect(() => JSON.parse(line)).not.toThrow();

    const second = runCli(['run'], env);
    await waitFor200(`${base}/readyz`, 15_000);
    const got = await fetch(`${base}/v1/accounts/res-1`, { headers: { authorization: `Bearer ${token}` } });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ id: 'res-1', type: 'reseller' });
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});

describe('first start on the embedded database', () => {
  it('writes an operator token, readable by the owner only, to DATA_DIR/operator-token, and it works', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const run = runCli(['run'], { DATA_DIR: dataDir, HTTP_PORT: String(port) });
    await waitFor200(`http://127.0.0.1:${port}/readyz`, 60_000);
    const { readFileSync, statSync } = await import('node:fs');
    const file = path.join(dataDir, 'operator-token');
    expect(statSync(file).mode & 0o077).toBe(0);
    const token = readFileSync(file, 'utf8').trim();
    expect(run.stdout()).not.toContain(token);
    const res = await fetch(`http://127.0.0.1:${port}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });
});

describe('bad configuration', () => {
  it('HTTP_PORT=abc names the variable and exits 2', async () => {
    const run = runCli(['run'], { DATA_DIR: tempDir(), HTTP_PORT: 'abc' });
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toContain('HTTP_PORT');
  });

  it('a malformed DATABASE_URL names the variable and exits 2', async () => {
    const run = runCli(['run'], { DATA_DIR: tempDir(), DATABASE_URL: 'not a url' });
    const exit = await run.exited;
    expect(exit.code).toBe(2);
    expect(run.stderr()).toContain('DATABASE_URL');
  });

  it('several bad variables are all named', async () => {
    const run = runCli(['run'], { DATA_DIR: tempDir(), HTTP_PORT: '99999', ENFORCE: 'maybe', KAFKA_BROKERS: 'nope' });
    expect((await run.exited).code).toBe(2);
    for (const v of ['HTTP_PORT', 'ENFORCE', 'KAFKA_BROKERS']) expect(run.stderr()).toContain(v);
  });

  it('a bad rule file stops the daemon with exit 2, naming the file and line', async () => {
    const rulesDir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(rulesDir, 'bad.yaml'), 'fraud:\n  - id: x\n    measure: callz\n');
    const run = runCli(['run'], { DATA_DIR: tempDir(), RULES_DIR: rulesDir, HTTP_PORT: String(await freePort()) });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toMatch(/bad\.yaml:\d+/);
  });
});
