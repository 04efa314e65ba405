// Dependencies for API tests that never reach the database: a Database whose every call fails loudly.
import { ManualClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import type { ApiDeps } from '../../../src/api/deps.js';
import type { Database } from '../../../src/store/db.js';

export const unreachableDb: Database = {
  kind: 'postgres',
  query: () => Promise.reject(new Error('no database in unit tests')),
  transaction: () => Promise.reject(new Error('no database in unit tests')),
  close: () => Promise.resolve(),
};

export function fakeDeps(over: Partial<ApiDeps> = {}, logLines: string[] = []): ApiDeps {
  return {
    db: unreachableDb,
    logger: createLogger('info', { write: (s: string) => (logLines.push(s), true) } as unknown as NodeJS.WritableStream),
    metrics: new Metrics({ defaultMetrics: false }),
    clock: new ManualClock(new Date('2026-11-24T12:00:00Z')),
    rules: () => undefined,
    readiness: () => ({ ready: true, reasons: [] }),
    ...over,
  };
}
