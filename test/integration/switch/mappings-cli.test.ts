// `rules check` validates the source mappings of MAPPINGS_DIR too, printing file:line:field for a bad one, and
// `replay --format NAME` backtests files in a switch's own format.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-mappings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(env: NodeJS.ProcessEnv): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env, out: () => out, err: () => err };
}

describe('rules check and source mappings', () => {
  it('accepts the shipped rules and mappings', async () => {
    const io = capture({ MAPPINGS_DIR: path.join(ROOT, 'mappings') });
    expect(await main(['rules', 'check', path.join(ROOT, 'rules')], io)).toBe(0);
    expect(io.out()).toMatch(/and mappings in .*mappings are valid/);
  });

  it('names the file, line and field of a bad mapping and exits 1', async () => {
    writeFileSync(path.join(dir, 'switch.yaml'), 'name: my-switch\ninput: { format: json }\nfields:\n  id: { path: uuid }\n  accountId: { path: acct }\n  callee: { path: dst }\n  startedAt: { path: start, time: local }\n');
    const io = capture({ MAPPINGS_DIR: dir });
    expect(await main(['rules', 'check', path.join(ROOT, 'rules')], io)).toBe(1);
    expect(io.err()).toContain(`${path.join(dir, 'switch.yaml')}:7:fields.startedAt: time: local needs a zone`);
  });

  it('replay --format maps a Master.csv first, reporting the lines it cannot read by file:line', async () => {
    const file = path.join(ROOT, 'test/fixtures/mappings/asterisk-master.csv');
    const io = capture({ MAPPINGS_DIR: path.join(ROOT, 'mappings'), RULES_DIR: path.join(ROOT, 'rules') });
    expect(await main(['replay', '--format', 'asterisk-csv', file], io)).toBe(0);
    expect(io.err()).toContain(`${file}:5: mapping asterisk-csv: end (endedAt): must be a local time`);
    // Lines 1 and 2 are one CDR twice in the specification's examples (see the fixture README); line 3 is dropped.
    expect(io.out()).toMatch(/cdrs: 2 accepted, 1 duplicate, 0 rejected/);
    const unknown = capture({ MAPPINGS_DIR: path.join(ROOT, 'mappings') });
    expect(await main(['replay', '--format', 'nonesuch', file], unknown)).toBe(64);
    expect(unknown.err()).toContain('no mapping named "nonesuch"');
  }, 60_000);
});
