import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and fast (no I/O), `integration` talks to real PostgreSQL, Kafka, SMTP and
// Prometheus, which test/global-setup.ts provides (or takes from TEST_DATABASE_URL / KAFKA_BROKERS).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 0 },
          // Pure tests, but the property tests (5,000 runs each) took over vitest's 5 s default on a loaded 2-core
          // machine (cdr-fast: 2.6 s at load 4.6, > 5 s at load 7). A timeout is not what they assert.
          testTimeout: 30_000,
          // Vitest's default on a 2-core machine is one worker (cores - 1): the unit files then ran one after another,
          // ~330 s of the CI's ~660 s. They are pure and CPU-bound, so two workers use both cores.
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          sequence: { groupOrder: 1 },
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
