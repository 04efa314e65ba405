// What the API needs from the composition root. Everything is injected: the API opens nothing by itself.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RuleSet } from '../rules/types.js';
import type { StatusView } from '../status-view/status-view.js';
import type { Database } from '../store/db.js';
import type { AuthorizeDeps } from './routes/authorize-routes.js';
import type { MappedIngestDeps } from './routes/mapped-event-routes.js';

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
  /** Records per ingest request (/v1/events/*); more is a 413. Default 10,000. */
  maxRecordsPerRequest: number;
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
  /** CDRs in a switch's own format (POST /v1/events/cdrs/{format}); absent: 503. */
  mapped?: MappedIngestDeps | undefined;
  /**
   * The replica's in-memory status view (falls back to `authorize.view`): feeds the bearer-token cache its
   * revocations and answers GET /v1/accounts/{id}'s scope check. Absent: every request reads tokens from the store.
   */
  statusView?: StatusView | undefined;
  /** Call authorization (/v1/authorize); absent: it answers 503. */
  authorize?: AuthorizeDeps | undefined;
  limits?: Partial<ApiLimits> | undefined;
}

export const DEFAULT_LIMITS: ApiLimits = {
  bodyLimit: 1024 * 1024,
  eventsBodyLimit: 16 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxRecordsPerRequest: 10_000,
};
