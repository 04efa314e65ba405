// Configuration (CONTRACT §5): every environment variable is parsed once, here, with zod.
// A bad value is named; the caller prints the problems and exits with status 2. No silent fallbacks.
import path from 'node:path';
import { z } from 'zod';
import { emergencyNumbers, type EmergencyNumbers } from './domain/emergency-numbers.js';
import { parseBudget, type BudgetSetting } from './ingest/spill-policy.js';
import { ENGINE_KINDS, type EngineKind } from './rules/engine-kind.js';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const boolish = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default('true')
    .transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

const postgresUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'postgres:' || u.protocol === 'postgresql:';
      } catch {
        return false;
      }
    }, 'must be a postgres:// or postgresql:// URL')
    .optional(),
);

const smtpUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
      } catch {
        return false;
      }
    }, 'must be an smtp:// or smtps:// URL')
    .optional(),
);

const brokers = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s !== ''))
    .refine((list) => list.length > 0 && list.every((b) => /^[A-Za-z0-9.\-_\[\]:]+:\d{1,5}$/.test(b)), 'must be host:port[,host:port...]')
    .optional(),
);

const topic = (name: string) =>
  z.preprocess(emptyToUndefined, z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name').default(name));

const port = z.preprocess(
  emptyToUndefined,
  z.coerce.number({ message: 'must be a port number' }).int('must be an integer').min(0).max(65535).default(8080),
);

const timezone = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-GB', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/London')
    .default('UTC'),
);

export const configSchema = z.object({
  DATABASE_URL: postgresUrl,
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  KAFKA_BROKERS: brokers,
  KAFKA_GROUP_ID: z.preprocess(emptyToUndefined, z.string().min(1).default('suspensiond')),
  KAFKA_SSL: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).optional().transform((v) => v === 'true')),
  KAFKA_SASL_MECHANISM: z.preprocess(emptyToUndefined, z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional()),
  KAFKA_SASL_USERNAME: optionalString,
  KAFKA_SASL_PASSWORD: optionalString,
  TOPIC_ACCOUNTS: topic('accounts'),
  TOPIC_CDRS: topic('cdrs'),
  TOPIC_INVOICES: topic('invoices'),
  TOPIC_STATUS: topic('account-status'),
  TOPIC_DLQ: topic('suspensiond-dlq'),
  SMTP_URL: smtpUrl,
  MAIL_FROM: z.preprocess(emptyToUndefined, z.string().min(3).default('suspensions@localhost')),
  RULES_DIR: z.preprocess(emptyToUndefined, z.string().default('./rules')),
  TEMPLATES_DIR: optionalString,
  DUNNING_SCHEDULE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => { const n = v.trim().split(/\s+/).length; return n === 5 || n === 6; }, 'must be a cron expression with 5 or 6 fields')
      .default('*/15 * * * *'),
  ),
  DEFAULT_TIMEZONE: timezone,
  HTTP_HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  HTTP_PORT: port,
  ENFORCE: boolish,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  // Additions beyond CONTRACT §5 (documented in the README):
  ALLOWED_LATENESS: z.preprocess(emptyToUndefined, z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 5m').default('5m')),
  SUPPORT_CONTACT: z.preprocess(emptyToUndefined, z.string().default('the support desk')),
  EMAIL_WAIT_FOR_CONTACT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 24h')
      .refine((v) => !/^\d+(ms|s|m|h|d)$/.test(v) || durationMs(v) <= 30 * 86_400_000, 'must be at most 30d')
      .default('24h'),
  ),
  ENGINE_STATE_INTERVAL: z.preprocess(emptyToUndefined, z.string().regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 30s').default('30s')),
  ENGINE_STATE_MAX_ACCOUNTS: z.preprocess(emptyToUndefined, z.coerce.number({ message: 'must be a whole number of accounts' }).int('must be a whole number of accounts').min(1).default(2_500)),
  MAPPINGS_DIR: z.preprocess(emptyToUndefined, z.string().default('./mappings')),
  FRAUD_ENGINE: z.preprocess(emptyToUndefined, z.enum(ENGINE_KINDS, { message: 'must be classic or fused' }).default('classic')),
  EMERGENCY_NUMBERS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          emergencyNumbers(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be CC:number[,number...] separated by ; (e.g. GB:999,112;EU:112;US:911)')
      .optional(),
  ),
  STALL_AFTER: z.preprocess(emptyToUndefined, z.string().regex(/^[1-9]\d*(ms|s|m|h)$/, 'must be a duration such as 5m').default('5m')),
  AUTHORIZE_COUNTS_SETUP: z.preprocess(emptyToUndefined, z.enum(['http', 'kafka', 'off']).optional()),
  ENGINE_MEMORY_BUDGET: z.preprocess(
    emptyToUndefined,
    z.string().refine((v) => parseBudget(v) !== null, 'must be bytes with a unit (such as 512MB or 2GB) or a percentage of the heap limit (such as 50%)').default('50%'),
  ),
  // Worker threads that decode, evaluate and commit the Kafka partitions (issue 17; 0: all on the main thread).
  INGEST_WORKERS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(64).default(0)),
  // A worker whose heartbeat (bumped from its event loop) stops this long is hung: terminated, counted, replaced.
  INGEST_WORKER_HUNG_AFTER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(ms|s|m)$/, 'must be a duration such as 30s')
      .refine((v) => !/^\d+(ms|s|m)$/.test(v) || (durationMs(v) >= 500 && durationMs(v) <= 600_000), 'must be from 500ms to 10m')
      .default('30s'),
  ),
  // A call (a batch, prepare, flush...) a worker has not answered this long, or a start not done (in at least 1 min).
  INGEST_WORKER_CALL_DEADLINE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(ms|s|m|h)$/, 'must be a duration such as 5m')
      .refine((v) => !/^\d+(ms|s|m|h)$/.test(v) || (durationMs(v) >= 1_000 && durationMs(v) <= 3_600_000), 'must be from 1s to 1h')
      .default('5m'),
  ),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  kafka:
    | {
        brokers: string[];
        groupId: string;
        ssl: boolean;
        sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | undefined;
      }
    | undefined;
  topics: { accounts: string; cdrs: string; invoices: string; status: string; dlq: string };
  smtpUrl: string | undefined;
  mailFrom: string;
  rulesDir: string;
  templatesDir: string | undefined;
  dunningSchedule: string;
  defaultTimezone: string;
  http: { host: string; port: number };
  enforce: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  allowedLatenessMs: number;
  supportContact: string;
  /** How often a Kafka partition's fraud engine state is stored; at most this much traffic is re-read after a crash. */
  engineStateIntervalMs: number;
  /** A partition's engine state is also written once this many of its accounts changed (bounds the write's encode). */
  engineStateMaxAccounts: number;
  /** How long an email waits for its account's snapshot or main contact before it is parked (0: park at once). */
  emailWaitForContactMs: number;
  /** Source mappings (issue 15): one YAML file per mapped CDR format. */
  mappingsDir: string;
  /** Which fraud engine evaluates the rules (src/rules/engine-choice.ts): the same decisions, `fused` faster. */
  fraudEngine: EngineKind;
  /** Emergency numbers per country (defaults, with EMERGENCY_NUMBERS overriding the countries it names). */
  emergencyNumbers: EmergencyNumbers;
  /** A Kafka partition with lag that has not advanced for this long is stalled (/readyz, metric, alert). */
  stallAfterMs: number;
  /**
   * Who counts an authorization request with a callId as the call's set-up (README, Call authorization): the HTTP
   * lane's engine (http, the default without Kafka), the owner of the account's cdrs partition (kafka, the default
   * with Kafka), or nobody (off).
   */
  authorizeCountsSetup: 'http' | 'kafka' | 'off';
  /** The fraud engines' memory budget (issue 17): bytes, or a fraction of V8's heap limit resolved at start. */
  engineMemoryBudget: BudgetSetting;
  /** Worker threads owning the Kafka partitions (partition % n); 0 keeps every lane on the main thread. */
  ingestWorkers: number;
  /** An ingest worker whose heartbeat stops this long is hung: terminated, counted (reason hung) and replaced. */
  ingestWorkerHungAfterMs: number;
  /** An ingest worker that leaves a call (a batch, prepare, flush...) or its start (at least 1 min) unanswered this long is hung. */
  ingestWorkerCallDeadlineMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/** Parses the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '?');
      const shown = name.includes('PASSWORD') || name === 'DATABASE_URL' || name === 'SMTP_URL' ? '' : ` (got ${JSON.stringify(env[name] ?? null)})`;
      return `${name}: ${i.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const c = parsed.data;
  const problems: string[] = [];
  if (c.KAFKA_SASL_MECHANISM && (!c.KAFKA_SASL_USERNAME || !c.KAFKA_SASL_PASSWORD)) {
    problems.push('KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set');
  }
  if (c.AUTHORIZE_COUNTS_SETUP === 'kafka' && !c.KAFKA_BROKERS) problems.push('AUTHORIZE_COUNTS_SETUP: kafka needs KAFKA_BROKERS');
  // Each worker opens its own pool on DATABASE_URL: the embedded database (PGlite) serves one thread only, so a
  // worker count without it is refused rather than silently run on the main thread.
  if (c.INGEST_WORKERS > 0 && !c.DATABASE_URL) problems.push('INGEST_WORKERS: workers need DATABASE_URL (the embedded database serves the main thread only)');
  if (c.INGEST_WORKERS > 0 && !c.KAFKA_BROKERS) problems.push('INGEST_WORKERS: workers own Kafka partitions and need KAFKA_BROKERS');
  if (problems.length > 0) throw new ConfigError(problems);
  const dataDir = path.resolve(c.DATA_DIR);
  return {
    databaseUrl: c.DATABASE_URL,
    dataDir,
    kafka: c.KAFKA_BROKERS
      ? {
          brokers: c.KAFKA_BROKERS,
          groupId: c.KAFKA_GROUP_ID,
          ssl: c.KAFKA_SSL,
          sasl: c.KAFKA_SASL_MECHANISM
            ? { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME!, password: c.KAFKA_SASL_PASSWORD! }
            : undefined,
        }
      : undefined,
    topics: { accounts: c.TOPIC_ACCOUNTS, cdrs: c.TOPIC_CDRS, invoices: c.TOPIC_INVOICES, status: c.TOPIC_STATUS, dlq: c.TOPIC_DLQ },
    smtpUrl: c.SMTP_URL,
    mailFrom: c.MAIL_FROM,
    rulesDir: path.resolve(c.RULES_DIR),
    templatesDir: c.TEMPLATES_DIR ? path.resolve(c.TEMPLATES_DIR) : undefined,
    dunningSchedule: c.DUNNING_SCHEDULE,
    defaultTimezone: c.DEFAULT_TIMEZONE,
    http: { host: c.HTTP_HOST, port: c.HTTP_PORT },
    enforce: c.ENFORCE,
    logLevel: c.LOG_LEVEL,
    allowedLatenessMs: durationMs(c.ALLOWED_LATENESS),
    supportContact: c.SUPPORT_CONTACT,
    engineStateIntervalMs: durationMs(c.ENGINE_STATE_INTERVAL),
    engineStateMaxAccounts: c.ENGINE_STATE_MAX_ACCOUNTS,
    emailWaitForContactMs: durationMs(c.EMAIL_WAIT_FOR_CONTACT),
    emergencyNumbers: emergencyNumbers(c.EMERGENCY_NUMBERS),
    mappingsDir: path.resolve(c.MAPPINGS_DIR),
    fraudEngine: c.FRAUD_ENGINE,
    stallAfterMs: durationMs(c.STALL_AFTER),
    authorizeCountsSetup: c.AUTHORIZE_COUNTS_SETUP ?? (c.KAFKA_BROKERS ? 'kafka' : 'http'),
    engineMemoryBudget: parseBudget(c.ENGINE_MEMORY_BUDGET)!,
    ingestWorkers: c.INGEST_WORKERS,
    ingestWorkerHungAfterMs: durationMs(c.INGEST_WORKER_HUNG_AFTER),
    ingestWorkerCallDeadlineMs: durationMs(c.INGEST_WORKER_CALL_DEADLINE),
  };
}
