// The environment parsed once: defaults, durations, and every bad variable named.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.kafka).toBeUndefined();
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(c.enforce).toBe(true);
    expect(c.dunningSchedule).toBe('*/15 * * * *');
    expect(c.allowedLatenessMs).toBe(300_000);
    expect(c.engineStateIntervalMs).toBe(30_000);
    expect(c.stallAfterMs).toBe(300_000);
    expect(c.topics).toEqual({ accounts: 'accounts', cdrs: 'cdrs', invoices: 'invoices', status: 'account-status', dlq: 'suspensiond-dlq' });
  });

  it('reads durations', () => {
    expect(loadConfig({ ENGINE_STATE_INTERVAL: '2m', ALLOWED_LATENESS: '90s' })).toMatchObject({ engineStateIntervalMs: 120_000, allowedLatenessMs: 90_000 });
    expect(loadConfig({ STALL_AFTER: '90s' })).toMatchObject({ stallAfterMs: 90_000 });
  });

  it('names every bad variable with what it got', () => {
    const problems = problemsOf({ ENGINE_STATE_INTERVAL: 'often', HTTP_PORT: 'abc' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('ENGINE_STATE_INTERVAL:'))).toMatch(/duration.*"often"/);
    expect(problems.find((p) => p.startsWith('HTTP_PORT:'))).toMatch(/"abc"/);
  });
});
