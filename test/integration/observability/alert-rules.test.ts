// The alert rules are checked and unit-tested by the real promtool (Debian's prometheus package).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
  it('pass promtool check rules, every alert in the file among them', () => {
    const out = promtool(['check', 'rules', 'alerts.yml']);
    const alerts = readFileSync(path.join(dir, 'alerts.yml'), 'utf8').match(/^\s*- alert: /gm) ?? [];
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    expect(out).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('pass promtool test rules, with a firing and a quiet case per alert', () => {
    const out = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(out).toMatch(/SUCCESS/);
  });
});
