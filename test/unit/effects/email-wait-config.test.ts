// EMAIL_WAIT_FOR_CONTACT (an addition to CONTRACT §5): how long an email waits for its account's snapshot or contact.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('EMAIL_WAIT_FOR_CONTACT', () => {
  it('defaults to 24 hours and reads any duration up to 30 days, 0 parking at once', () => {
    expect(loadConfig({}).emailWaitForContactMs).toBe(86_400_000);
    expect(loadConfig({ EMAIL_WAIT_FOR_CONTACT: '90m' }).emailWaitForContactMs).toBe(5_400_000);
    expect(loadConfig({ EMAIL_WAIT_FOR_CONTACT: '30d' }).emailWaitForContactMs).toBe(30 * 86_400_000);
    expect(loadConfig({ EMAIL_WAIT_FOR_CONTACT: '0s' }).emailWaitForContactMs).toBe(0);
  });

  it('names the variable when the value is not a duration or is too long', () => {
    expect(problemsOf({ EMAIL_WAIT_FOR_CONTACT: 'a day' })).toEqual(['EMAIL_WAIT_FOR_CONTACT: must be a duration such as 24h (got "a day")']);
    expect(problemsOf({ EMAIL_WAIT_FOR_CONTACT: '31d' })).toEqual(['EMAIL_WAIT_FOR_CONTACT: must be at most 30d (got "31d")']);
  });
});
