// The alert rules are checked and unit-tested by the real promtool (Debian's prometheus package).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../../../prometheus');

function promtool(args: string[]): string {
  try {
    return execFileSync('promtool', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool not found: apt-get install prometheus');
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

describe('prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    const out = promtool(['check', 'rules', 'alerts.yml']);
    expect(out).toMatch(/SUCCESS: 8 rules found/);
  });

  it('pass promtool test rules, with a firing and a quiet case per alert', () => {
    const out = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(out).toMatch(/SUCCESS/);
  });
});
