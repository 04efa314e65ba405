// vitest globalSetup for the integration project: provides a real PostgreSQL server and a real Kafka broker.
// PostgreSQL: TEST_DATABASE_URL, else a throwaway cluster (initdb + pg_ctl) on a free port in a temp dir.
// Kafka: KAFKA_BROKERS, else scripts/kafka-broker.sh on free ports with a temp data dir.
// Owns: starting/stopping what it started, `provide('databaseUrl')` and `provide('kafkaBrokers')`.
// Never: stops or alters a server it was given through the environment; never creates topics or schemas.
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PostgreSQL server URL (trust auth): TEST_DATABASE_URL, or database `test` of the throwaway cluster. */
    databaseUrl: string;
    /** Kafka bootstrap list, `host:port[,host:port]`. */
    kafkaBrokers: string;
  }
}

interface Service {
  description: string;
  stop: () => Promise<void>;
  /** Last-resort synchronous kill when the process exits without teardown. */
  killNow: () => void;
}

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const brokerScript = path.join(repoRoot, 'scripts', 'kafka-broker.sh');
const PG_INSTALL = 'install postgresql (apt-get install -y postgresql) or set TEST_DATABASE_URL';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const results = await Promise.allSettled([providePostgres(), provideKafka()]);
  const services = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.service] : []));
  const onExit = (): void => services.forEach((s) => s.killNow());
  const teardown = async (): Promise<void> => {
    process.off('exit', onExit);
    await Promise.allSettled(services.map((s) => s.stop()));
  };
  process.on('exit', onExit);
  const [pgResult, kafkaResult] = results;
  if (pgResult.status === 'rejected' || kafkaResult.status === 'rejected') {
    await teardown();
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [errorText(r.reason)] : []));
    throw new Error(`integration test setup failed:\n- ${reasons.join('\n- ')}`);
  }
  project.provide('databaseUrl', pgResult.value.url);
  project.provide('kafkaBrokers', kafkaResult.value.brokers);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `[global-setup] integration tests use ${pgResult.value.service.description} ` +
      `and ${kafkaResult.value.service.description} (ready in ${secs}s)`,
  );
  return teardown;
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

async function providePostgres(): Promise<{ url: string; service: Service }> {
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (fromEnv) {
    const version = await postgresVersion(fromEnv, 'TEST_DATABASE_URL');
    const service = { description: `${version} at ${redact(fromEnv)} (TEST_DATABASE_URL)`, stop: async () => {}, killNow: () => {} };
    return { url: fromEnv, service };
  }
  const bin = findPostgresBin();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-pg-'));
  const port = await freePort();
  let pgUser: string[] = [];
  if (asRoot) {
    // initdb refuses to run as root: the cluster belongs to the `postgres` OS user.
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error(`running as root but there is no "postgres" OS user: ${PG_INSTALL}`);
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
    pgUser = ['runuser', '-u', 'postgres', '--'];
  }
  const asPg = (cmd: string, args: string[]) => {
    const argv = [...pgUser, path.join(bin, cmd), ...args];
    return run(argv[0]!, argv.slice(1), { cwd: dir, maxBuffer: 4 * 1024 * 1024 });
  };
  const data = path.join(dir, 'data');
  const pgCtlStop = (mode: string) => [path.join(bin, 'pg_ctl'), '-D', data, '-m', mode, '-w', 'stop'];
  const cleanUp = async (): Promise<void> => {
    await asPg('pg_ctl', pgCtlStop('fast').slice(1)).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await asPg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off ` +
      `-c full_page_writes=off -c max_connections=200`;
    await asPg('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query('CREATE DATABASE test');
    await client.end();
  } catch (err) {
    const log = safeRead(path.join(dir, 'server.log'));
    await cleanUp();
    throw new Error(`could not start a throwaway PostgreSQL cluster with ${bin}: ${errorText(err)}${log ? `\n${log}` : ''}`);
  }
  const url = `postgres://postgres@127.0.0.1:${port}/test`;
  const version = await postgresVersion(url, 'the throwaway cluster').catch(async (err: unknown) => {
    await cleanUp();
    throw err;
  });
  return {
    url,
    service: {
      description: `${version} at ${url} (throwaway cluster in ${dir})`,
      stop: cleanUp,
      killNow: () => {
        const argv = [...pgUser, ...pgCtlStop('immediate')];
        spawnSync(argv[0]!, argv.slice(1));
        rmSync(dir, { recursive: true, force: true });
      },
    },
  };
}

function findPostgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`initdb not found under ${root}/*/bin: ${PG_INSTALL}`);
  return path.join(root, versions[0]!, 'bin');
}

async function postgresVersion(url: string, source: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return `PostgreSQL ${rows[0]!.v.split(' ')[0]}`;
  } catch (err) {
    throw new Error(`PostgreSQL from ${source} (${redact(url)}) does not answer: ${errorText(err)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

// --------------------------------------------------------------------------------------------------- Kafka

async function provideKafka(): Promise<{ brokers: string; service: Service }> {
  const fromEnv = process.env.KAFKA_BROKERS;
  if (fromEnv) {
    const cluster = await kafkaCluster(fromEnv, 'KAFKA_BROKERS');
    return { brokers: fromEnv, service: { description: `Kafka ${cluster} at ${fromEnv} (KAFKA_BROKERS)`, stop: async () => {}, killNow: () => {} } };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'suspensiond-kafka-'));
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_DATA_DIR: dataDir };
  const script = (cmd: string) => run('bash', [brokerScript, cmd], { env, maxBuffer: 4 * 1024 * 1024 });
  const stop = async (): Promise<void> => {
    await script('stop').catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };
  let startLog: string;
  try {
    startLog = (await script('start')).stderr;
  } catch (err) {
    await stop();
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`could not start a Kafka broker with scripts/kafka-broker.sh: ${stderr || errorText(err)}`);
  }
  const brokers = `127.0.0.1:${port}`;
  const cluster = await kafkaCluster(brokers, 'the throwaway broker').catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  const version = /starting Kafka (\S+)/.exec(startLog)?.[1] ?? '4.x';
  return {
    brokers,
    service: {
      description: `Apache Kafka ${version} ${cluster} at ${brokers} (scripts/kafka-broker.sh, data in ${dataDir})`,
      stop,
      killNow: () => {
        const pid = Number(safeRead(path.join(dataDir, 'kafka.pid')));
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        rmSync(dataDir, { recursive: true, force: true });
      },
    },
  };
}

async function kafkaCluster(brokers: string, source: string): Promise<string> {
  const kafka = new kafkajs.Kafka({
    clientId: 'global-setup',
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 3 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers: nodes, controller, clusterId } = await admin.describeCluster();
    return `(cluster ${clusterId}, ${nodes.length} broker${nodes.length === 1 ? '' : 's'}, controller ${controller})`;
  } catch (err) {
    throw new Error(`Kafka from ${source} (${brokers}) does not answer a metadata request: ${errorText(err)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// ------------------------------------------------------------------------------------------------- helpers

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    return stderr ? `${err.message.split('\n')[0]}\n${stderr}` : err.message;
  }
  return String(err);
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
