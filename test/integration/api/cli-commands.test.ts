// The CLI's local commands: `rules check` (file:line:field, exit 1 on error) and `migrate` (idempotent).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env });
  return { code, out, err };
}

describe('local CLI commands', () => {
  let dir: string;
  let fresh: FreshDatabase;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-rules-'));
    fresh = await freshDatabase();
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fresh.drop();
  });

  it('rules check accepts the shipped rules', async () => {
    const r = await cli(['rules', 'check', 'rules']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('valid');
  });

  it('rules check prints file:line:field for a bad rule and exits 1', async () => {
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      ['fraud:', '  - id: burst', '    measure: calls', '    window: 10m', '    suspend: 10', '  - id: Bad_Id', '    measure: sideways', '    window: 10m', '    suspend: 5', ''].join('\n'),
    );
    const r = await cli(['rules', 'check', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.yaml:\d+:fraud\[1\]\.\w+: /);
  });

  it('migrate applies nothing on a migrated database and exits 0', async () => {
    const r = await cli(['migrate'], { DATABASE_URL: fresh.url });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('up to date');
  });
});
