// Shared plumbing of the ingestion integration tests: topics, producing, the worker child process, and reading
// progress and per-account counts back from the partition checkpoints and their engine parts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database, Queryable } from '../../../src/store/db.js';
import { createKafka, createTopics, uniqueName } from '../../helpers/kafka.js';
import { COUNTING_RULES_YAML, decodeCountingPart } from './counting-engine.js';
import type { WireMessage } from './wire.js';

export interface IngestTopics {
  accounts: string;
  cdrs: string;
  invoices: string;
  dlq: string;
}

export async function makeTopics(brokers: string[], cdrPartitions = 6): Promise<IngestTopics> {
  const t = { accounts: uniqueName('accounts'), cdrs: uniqueName('cdrs'), invoices: uniqueName('invoices'), dlq: uniqueName('dlq') };
  await createTopics(brokers, [
    { topic: t.accounts, numPartitions: 2 },
    { topic: t.cdrs, numPartitions: cdrPartitions },
    { topic: t.invoices, numPartitions: 2 },
    { topic: t.dlq, numPartitions: 1 },
  ]);
  return t;
}

export async function produce(brokers: string[], topic: string, messages: readonly WireMessage[], chunk = 5000): Promise<void> {
  const producer = createKafka(brokers).producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    // Requests stay under the broker's ~1 MB batch limit: a big value goes alone.
    let batch: WireMessage[] = [];
    let bytes = 0;
    const flush = async () => {
      // A just-created topic may not be in every metadata cache yet: retry "unknown topic-partition" briefly.
      for (let attempt = 0; batch.length > 0; attempt++) {
        try {
          await producer.send({ topic, acks: -1, messages: batch });
          break;
        } catch (err) {
          if (attempt >= 20 || (err as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      batch = [];
      bytes = 0;
    };
    for (const m of messages) {
      if (batch.length >= chunk || bytes + m.value.length > 900_000) await flush();
      batch.push(m);
      bytes += m.value.length;
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
}

export function countingRulesDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ingest-rules-'));
  writeFileSync(path.join(dir, 'count.yaml'), COUNTING_RULES_YAML);
  return dir;
}

/** How many offsets of the topics' Kafka partitions are durably applied (the further of the two stored offsets). */
export async function progress(db: Queryable, topics: string | string[]): Promise<number> {
  const r = await db.query<{ n: string | null }>(
    'SELECT sum(greatest(effects_offset, next_offset))::text AS n FROM partition_checkpoints WHERE topic = ANY($1::text[]) AND partition >= 0',
    [typeof topics === 'string' ? [topics] : topics],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Per-account counts merged from every partition's stored account parts (the counting engine's export). */
export async function checkpointCounts(db: Database, topic: string): Promise<Map<string, number>> {
  const r = await db.query<{ account_id: string; state: Uint8Array }>('SELECT account_id, state FROM engine_account_state WHERE topic = $1 ORDER BY partition', [topic]);
  const out = new Map<string, number>();
  for (const row of r.rows) out.set(row.account_id, (out.get(row.account_id) ?? 0) + decodeCountingPart(row.state).count);
  return out;
}

export const sorted = (m: Map<string, number>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000, everyMs = 100): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WORKER = path.join(import.meta.dirname, 'worker.ts');
let bundled: Promise<string> | null = null;

/**
 * The worker bundled once with esbuild (tsx's dependency), so each of the many restarts starts in a fraction of
 * a second instead of re-transpiling the source tree. Packages stay external and resolve from node_modules.
 */
export function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    const outfile = path.join(ROOT, 'node_modules/.cache/ingest-worker', `worker-${process.pid}.mjs`);
    await build({ entryPoints: [WORKER], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'warning' });
    return outfile;
  })();
  return bundled;
}

export async function startWorker(env: { databaseUrl: string; brokers: string[]; groupId: string; topics: IngestTopics; rulesDir: string }): Promise<Worker> {
  const child = spawn(process.execPath, [await workerBundle()], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      KAFKA_BROKERS: env.brokers.join(','),
      GROUP_ID: env.groupId,
      TOPIC_ACCOUNTS: env.topics.accounts,
      TOPIC_CDRS: env.topics.cdrs,
      TOPIC_INVOICES: env.topics.invoices,
      TOPIC_DLQ: env.topics.dlq,
      RULES_DIR: env.rulesDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before ready: ${err}`)));
  });
  ready.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, ready, exited, stderr: () => err };
}
