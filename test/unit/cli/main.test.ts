import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    out: () => out,
    err: () => err,
  };
}

describe('the suspensiond command line', () => {
  it('an unknown command prints the usage and exits 64', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(64);
    expect(io.err()).toContain('unknown command: frobnicate');
    expect(io.err()).toContain('usage: suspensiond');
  });

  it('help prints the usage and exits 0', async () => {
    const io = capture();
    expect(await main(['help'], io)).toBe(0);
    expect(io.out()).toContain('tokens create --role R');
  });

  it('bad configuration names every bad variable and exits 2', async () => {
    const io = capture({ HTTP_PORT: 'eighty', ENFORCE: 'maybe', DATABASE_URL: 'mysql://x' });
    expect(await main(['migrate'], io)).toBe(2);
    expect(io.err()).toContain('HTTP_PORT');
    expect(io.err()).toContain('ENFORCE');
    expect(io.err()).toContain('DATABASE_URL');
  });

  it('tokens create without a valid role is a usage error', async () => {
    const io = capture();
    expect(await main(['tokens', 'create', '--role', 'admin'], io)).toBe(64);
    expect(io.err()).toContain('--role must be one of operator, reseller, channel, customer, ingest');
  });

  it('an unknown option is a usage error', async () => {
    const io = capture();
    expect(await main(['tokens', 'list', '--colour'], io)).toBe(64);
  });

  it('accounts commands need a URL and a token', async () => {
    const io = capture();
    expect(await main(['accounts', 'list'], io)).toBe(64);
    expect(io.err()).toContain('SUSPENSIOND_URL');
    const io2 = capture({ SUSPENSIOND_URL: 'http://127.0.0.1:1' });
    expect(await main(['accounts', 'list'], io2)).toBe(64);
    expect(io2.err()).toContain('SUSPENSIOND_TOKEN');
  });

  it('an unreachable API is reported and exits 1', async () => {
    const io = capture({ SUSPENSIOND_URL: 'http://127.0.0.1:1', SUSPENSIOND_TOKEN: 'sd_x' });
    expect(await main(['accounts', 'show', 'cust-1'], io)).toBe(1);
    expect(io.err()).toMatch(/cannot reach/);
    expect(io.err()).not.toContain('sd_x');
  });
});

describe('the accounts commands check ids locally', () => {
  it('an id argument with a control character is a usage error before anything is sent', async () => {
    let err = '';
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, env: { SUSPENSIOND_URL: 'http://127.0.0.1:9', SUSPENSIOND_TOKEN: 't' } };
    expect(await main(['accounts', 'show', 'u1\u0000'], io)).toBe(64);
    expect(err).toContain('the account id must not contain');
  });
});
