// What the API needs from the composition root. Everything is injected: the API opens nothing by itself.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RuleSet } from '../rules/types.js';
import type { Database } from '../store/db.js';

export type IngestTopic = 'accounts' | 'cdrs' | 'invoices';

export interface IngestRecordResult {
  index: number;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  error?: string;
}

/** The ingest pipeline's HTTP entry: raw record bytes in, one result per record out (same order). */
export type IngestHandler = (topic: IngestTopic, records: Buffer[]) => Promise<IngestRecordResult[]>;

export interface ApiLimits {
  /** Bytes; default 1 MiB. */
  bodyLimit: number;
  /** Bytes for /v1/events/*; default 16 MiB. */
  eventsBodyLimit: number;
  /** Whole request, ms; default 30 s. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections, ms; default 5 s. */
  keepAliveTimeoutMs: number;
}

export interface ApiDeps {
  db: Database;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  rules: () => RuleSet | undefined;
  readiness: () => { ready: boolean; reasons: string[]; details?: Record<string, unknown> };
  ingest?: IngestHandler | undefined;
  /** Called after a transition commits (wakes the outbox dispatcher). Must not throw; errors are logged. */
  onCommitted?: (() => void) | undefined;
  openapi?: { title?: string; version?: string } | undefined;
  limits?: Partial<ApiLimits> | undefined;
}

export const DEFAULT_LIMITS: ApiLimits = {
  bodyLimit: 1024 * 1024,
  eventsBodyLimit: 16 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
};
