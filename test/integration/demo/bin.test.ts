// The installed command `suspensiond` (bin/suspensiond.js), which the README's walk-through runs as `npx suspensiond
// demo` right after `npm ci && npm start`: a development checkout has no dist/ (only `npm run build` makes it), so
// the command must run the TypeScript source then, and say what to do when it can run neither. Each case runs the
// real bin file in a throwaway layout (symlinks to this checkout's src/ and node_modules/), so whether this checkout
// happens to hold a build does not decide which path runs.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/daemon.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A package layout holding the real bin file, and (as asked) links to this checkout's src/ and node_modules/. */
function layout(parts: { src: boolean; nodeModules: boolean }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-bin-'));
  dirs.push(dir);
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(path.join(ROOT, 'bin', 'suspensiond.js'), path.join(dir, 'bin', 'suspensiond.js'));
  copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  if (parts.src) symlinkSync(path.join(ROOT, 'src'), path.join(dir, 'src'));
  if (parts.nodeModules) symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function run(dir: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', 'suspensiond.js'), ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('the suspensiond command (bin/suspensiond.js)', () => {
  it('runs the TypeScript source in a checkout without dist/, as after npm ci && npm start', () => {
    const dir = layout({ src: true, nodeModules: true });
    const r = run(dir, ['rules', 'check', path.join(ROOT, 'rules')]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/rules in .*rules and mappings in .* are valid/);
  });

  it('exits 1 naming `npm run build` when it has neither dist/ nor the source', () => {
    const dir = layout({ src: false, nodeModules: true });
    const r = run(dir, ['rules', 'check', path.join(ROOT, 'rules')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('dist/cli/index.js is missing: run `npm run build`');
  });

  it('exits 1 naming what to install when it has the source but not tsx', () => {
    const dir = layout({ src: true, nodeModules: false });
    const r = run(dir, ['rules', 'check', path.join(ROOT, 'rules')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('dist/ is missing and tsx is not installed');
  });
});
