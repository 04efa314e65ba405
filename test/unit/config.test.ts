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
    expect(c.engineStateMaxAccounts).toBe(2_500);
    expect(c.stallAfterMs).toBe(300_000);
    expect(c.topics).toEqual({ accounts: 'accounts', cdrs: 'cdrs', invoices: 'invoices', status: 'account-status', dlq: 'suspensiond-dlq' });
  });

  it('reads durations', () => {
    expect(loadConfig({ ENGINE_STATE_INTERVAL: '2m', ALLOWED_LATENESS: '90s' })).toMatchObject({ engineStateIntervalMs: 120_000, allowedLatenessMs: 90_000 });
    expect(loadConfig({ STALL_AFTER: '90s' })).toMatchObject({ stallAfterMs: 90_000 });
    expect(loadConfig({ ENGINE_STATE_MAX_ACCOUNTS: '10000' })).toMatchObject({ engineStateMaxAccounts: 10_000 });
    expect(problemsOf({ ENGINE_STATE_MAX_ACCOUNTS: '0' })[0]).toMatch(/^ENGINE_STATE_MAX_ACCOUNTS:/);
  });

  it('chooses the fraud engine: classic unless told', () => {
    expect(loadConfig({}).fraudEngine).toBe('classic');
    expect(loadConfig({ FRAUD_ENGINE: 'fused' }).fraudEngine).toBe('fused');
    expect(problemsOf({ FRAUD_ENGINE: 'turbo' })).toEqual(['FRAUD_ENGINE: must be classic or fused (got "turbo")']);
  });

  it('counts authorization set-ups in the HTTP lane without Kafka and on the cdrs topic with it, unless told', () => {
    expect(loadConfig({}).authorizeCountsSetup).toBe('http');
    expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' }).authorizeCountsSetup).toBe('kafka');
    expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', AUTHORIZE_COUNTS_SETUP: 'http' }).authorizeCountsSetup).toBe('http');
    expect(loadConfig({ AUTHORIZE_COUNTS_SETUP: 'off' }).authorizeCountsSetup).toBe('off');
    expect(problemsOf({ AUTHORIZE_COUNTS_SETUP: 'kafka' })).toEqual(['AUTHORIZE_COUNTS_SETUP: kafka needs KAFKA_BROKERS']);
    expect(problemsOf({ AUTHORIZE_COUNTS_SETUP: 'always' })[0]).toMatch(/^AUTHORIZE_COUNTS_SETUP: .*"always"/);
  });

  it('names every bad variable with what it got', () => {
    const problems = problemsOf({ ENGINE_STATE_INTERVAL: 'often', HTTP_PORT: 'abc' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('ENGINE_STATE_INTERVAL:'))).toMatch(/duration.*"often"/);
    expect(problems.find((p) => p.startsWith('HTTP_PORT:'))).toMatch(/"abc"/);
  });
});

// EMAIL_WAIT_FOR_CONTACT (an addition to CONTRACT §5): how long an email waits for its account's snapshot or contact.
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

// ENGINE_MEMORY_BUDGET (issue 17): the fraud engines' memory budget, bytes or a share of the heap limit.
describe('ENGINE_MEMORY_BUDGET', () => {
  it('defaults to half the heap limit', () => {
    expect(loadConfig({}).engineMemoryBudget).toEqual({ heapFraction: 0.5 });
  });

  it('reads bytes with a unit (powers of 1024) and percentages', () => {
    expect(loadConfig({ ENGINE_MEMORY_BUDGET: '512MB' }).engineMemoryBudget).toEqual({ bytes: 512 * 2 ** 20 });
    expect(loadConfig({ ENGINE_MEMORY_BUDGET: '1.5GB' }).engineMemoryBudget).toEqual({ bytes: 1.5 * 2 ** 30 });
    expect(loadConfig({ ENGINE_MEMORY_BUDGET: '64kb' }).engineMemoryBudget).toEqual({ bytes: 65_536 });
    expect(loadConfig({ ENGINE_MEMORY_BUDGET: '25%' }).engineMemoryBudget).toEqual({ heapFraction: 0.25 });
  });

  it('names a budget without a unit, of zero or over 100%', () => {
    for (const bad of ['512', '0MB', '150%', 'lots']) {
      expect(problemsOf({ ENGINE_MEMORY_BUDGET: bad })).toEqual([expect.stringMatching(new RegExp(`^ENGINE_MEMORY_BUDGET: must be bytes with a unit.*"${bad.replace('%', '%')}"`))]);
    }
  });
});

// INGEST_WORKERS (issue 17, parallel partitions): worker threads for the Kafka partitions, each with its own pool.
describe('INGEST_WORKERS', () => {
  const pg = { DATABASE_URL: 'postgres://u@h/db', KAFKA_BROKERS: 'k:9092' };
  it('defaults to 0 (every lane on the main thread) and reads a count', () => {
    expect(loadConfig({}).ingestWorkers).toBe(0);
    expect(loadConfig({ ...pg, INGEST_WORKERS: '2' }).ingestWorkers).toBe(2);
  });
  it('refuses workers on the embedded database or without Kafka, and a count that is not a whole number', () => {
    expect(problemsOf({ KAFKA_BROKERS: 'k:9092', INGEST_WORKERS: '2' })).toEqual([expect.stringMatching(/^INGEST_WORKERS: workers need DATABASE_URL/)]);
    expect(problemsOf({ DATABASE_URL: pg.DATABASE_URL, INGEST_WORKERS: '1' })).toEqual([expect.stringMatching(/^INGEST_WORKERS: workers own Kafka partitions and need KAFKA_BROKERS/)]);
    expect(problemsOf({ ...pg, INGEST_WORKERS: '1.5' })).toEqual([expect.stringMatching(/^INGEST_WORKERS: /)]);
    expect(problemsOf({ ...pg, INGEST_WORKERS: '-1' })).toEqual([expect.stringMatching(/^INGEST_WORKERS: /)]);
  });
});

// A hung ingest worker (event loop blocked, or a call never answered) is noticed by these two limits.
describe('INGEST_WORKER_HUNG_AFTER and INGEST_WORKER_CALL_DEADLINE', () => {
  it('default to 30 s without a heartbeat and 5 minutes for an unanswered call, and read durations', () => {
    expect(loadConfig({})).toMatchObject({ ingestWorkerHungAfterMs: 30_000, ingestWorkerCallDeadlineMs: 300_000 });
    expect(loadConfig({ INGEST_WORKER_HUNG_AFTER: '2s', INGEST_WORKER_CALL_DEADLINE: '90s' })).toMatchObject({ ingestWorkerHungAfterMs: 2_000, ingestWorkerCallDeadlineMs: 90_000 });
    expect(loadConfig({ INGEST_WORKER_HUNG_AFTER: '500ms', INGEST_WORKER_CALL_DEADLINE: '1h' })).toMatchObject({ ingestWorkerHungAfterMs: 500, ingestWorkerCallDeadlineMs: 3_600_000 });
  });
  it('names a value that is not a duration or is out of range', () => {
    expect(problemsOf({ INGEST_WORKER_HUNG_AFTER: '30' })).toEqual([expect.stringMatching(/^INGEST_WORKER_HUNG_AFTER: must be a duration/)]);
    expect(problemsOf({ INGEST_WORKER_HUNG_AFTER: '100ms' })).toEqual([expect.stringMatching(/^INGEST_WORKER_HUNG_AFTER: must be from 500ms to 10m/)]);
    expect(problemsOf({ INGEST_WORKER_HUNG_AFTER: '11m' })).toEqual([expect.stringMatching(/^INGEST_WORKER_HUNG_AFTER: must be from 500ms to 10m/)]);
    expect(problemsOf({ INGEST_WORKER_CALL_DEADLINE: 'soon' })).toEqual([expect.stringMatching(/^INGEST_WORKER_CALL_DEADLINE: must be a duration/)]);
    expect(problemsOf({ INGEST_WORKER_CALL_DEADLINE: '900ms' })).toEqual([expect.stringMatching(/^INGEST_WORKER_CALL_DEADLINE: must be from 1s to 1h/)]);
    expect(problemsOf({ INGEST_WORKER_CALL_DEADLINE: '2h' })).toEqual([expect.stringMatching(/^INGEST_WORKER_CALL_DEADLINE: must be from 1s to 1h/)]);
  });
});
