// The help-centre article, through the `suspensiond` CLI against a running API: a reseller suspends a channel
// (it shows under the suspended list), a channel suspends a customer and activates it again, and every step is
// in `history`. Also `tokens create|list|revoke` against the database. The CLI runs in-process, output captured.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../../src/api/tokens.js';
import { main } from '../../../src/cli/main.js';
import { startApiFixture, type ApiFixture } from './api-fixture.js';

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env });
  return { code, out, err };
}

describe('the help-centre walk-through in the CLI', () => {
  let f: ApiFixture;
  let reseller: NodeJS.ProcessEnv;
  let channel: NodeJS.ProcessEnv;
  beforeAll(async () => {
    f = await startApiFixture();
    reseller = { SUSPENSIOND_URL: f.url, SUSPENSIOND_TOKEN: f.tokens.reseller };
    const c2 = await createToken(f.fresh.db, { role: 'channel', accountId: 'c2', label: 'channel c2' });
    channel = { SUSPENSIOND_URL: f.url, SUSPENSIOND_TOKEN: c2.token };
  });
  afterAll(async () => {
    await f.close();
  });

  it('a reseller lists its active channels', async () => {
    const r = await cli(['accounts', 'list', '--type', 'channel', '--status', 'active'], reseller);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+PARENT\s+NAME$/);
    expect(r.out).toMatch(/^c1\s+channel\s+active\s+r1\s+Account c1$/m);
    expect(r.out).toMatch(/^c2\s+channel\s+active/m);
  });

  it('a reseller suspends a channel, and the channel shows under the suspended list', async () => {
    const s = await cli(['accounts', 'suspend', 'c1', '--reason', 'non_payment', '--note', 'unpaid since October'], reseller);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toContain('c1  channel  SUSPENDED');
    const list = await cli(['accounts', 'list', '--status', 'suspended', '--type', 'channel'], reseller);
    expect(list.out).toMatch(/^c1\s+channel\s+suspended/m);
    expect(list.out).not.toMatch(/^c2/m);
  });

  it('a channel suspends a customer, then activates it again', async () => {
    const s = await cli(['accounts', 'suspend', 'u2', '--reason', 'fraud', '--note', 'odd calls at night'], channel);
    expect(s.code, s.err).toBe(0);
    expect(s.out).toContain('u2  customer  SUSPENDED');
    const listed = await cli(['accounts', 'list', '--status', 'suspended', '--type', 'customer', '--json'], channel);
    expect(JSON.parse(listed.out).items.map((a: { id: string }) => a.id)).toEqual(['u2']);
    const a = await cli(['accounts', 'activate', 'u2', '--note', 'customer called back'], channel);
    expect(a.code, a.err).toBe(0);
    expect(a.out).toContain('u2  customer  ACTIVE');
    expect(a.out).toContain('holds: none');
  });

  it('each step is visible in history', async () => {
    const c1 = await cli(['accounts', 'history', 'c1'], reseller);
    expect(c1.out).toMatch(new RegExp(`hold_placed\\s+operator:${f.tokenIds.reseller}\\s+non_payment\\s+unpaid since October`));
    const u2 = await cli(['accounts', 'history', 'u2', '--json'], channel);
    const kinds = JSON.parse(u2.out).items.map((e: { kind: string; note: string }) => `${e.kind}: ${e.note}`);
    expect(kinds).toEqual(['hold_placed: odd calls at night', 'hold_lifted: customer called back']);
  });

  it('show prints the holds and what stops; a channel cannot act on an account outside its scope', async () => {
    const shown = await cli(['accounts', 'show', 'c1'], reseller);
    expect(shown.out).toContain('outbound calls: blocked, portal: blocked, inbound calls: allowed, billing: continues');
    expect(shown.out).toMatch(/HOLD\s+REASON\s+SOURCE/);
    const refused = await cli(['accounts', 'suspend', 'u1', '--reason', 'fraud'], channel);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('error: 404');
  });

  it('the reseller reverses it from the suspended list', async () => {
    expect((await cli(['accounts', 'activate', 'c1'], { ...reseller, SUSPENSIOND_TOKEN: undefined }).then((r) => r.code))).toBe(64);
    const a = await cli(['accounts', 'activate', 'c1', '--token', f.tokens.reseller], { SUSPENSIOND_URL: f.url });
    expect(a.code, a.err).toBe(0);
    const list = await cli(['accounts', 'list', '--status', 'suspended'], reseller);
    expect(list.out.trim().split('\n')).toHaveLength(1); // the header only
  });

  it('tokens create prints the token once; list shows no secret; revoke makes it stop working', async () => {
    const env = { DATABASE_URL: f.fresh.url };
    const created = await cli(['tokens', 'create', '--role', 'channel', '--account', 'c1', '--label', 'walkthrough'], env);
    expect(created.code, created.err).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^sd_t[0-9a-f]{16}_/);
    const id = token.split('_')[1]!;
    expect((await f.call('GET', '/v1/accounts/u1', { token })).status).toBe(200);
    const listed = await cli(['tokens', 'list'], env);
    expect(listed.out).toMatch(new RegExp(`^${id}\\s+channel\\s+c1\\s+walkthrough`, 'm'));
    expect(listed.out).not.toContain(token.slice(-43));
    expect((await cli(['tokens', 'revoke', id], env)).code).toBe(0);
    expect((await f.call('GET', '/v1/accounts/u1', { token })).status).toBe(401);
    expect((await cli(['tokens', 'revoke', id], env)).code).toBe(1);
  });

  // The server runs in this process, so the child must be awaited asynchronously (spawnSync would block it).
  function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'src/cli/index.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  it('the bin entry runs as a separate process', async () => {
    const r = await run(['accounts', 'show', 'u1', '--json'], { SUSPENSIOND_URL: f.url, SUSPENSIOND_TOKEN: f.tokens.customer });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'u1', type: 'customer' });
    const bad = await run(['nonsense'], {});
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('usage: suspensiond');
  });
});
