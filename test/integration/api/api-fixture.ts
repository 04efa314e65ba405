// Integration fixture for the API: a fresh database, a small account tree, one token per role and the server on
// port 0, with every log line captured so tests can check that no secret is ever logged.
import { ManualClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { Metrics } from '../../../src/metrics.js';
import { createApiServer, type ApiServer } from '../../../src/api/server.js';
import type { ApiDeps } from '../../../src/api/deps.js';
import { createToken } from '../../../src/api/tokens.js';
import type { AccountType, Role } from '../../../src/domain/types.js';
import type { Queryable } from '../../../src/store/db.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

/**
 *   r1 (reseller) ── c1 (channel) ── u1, u1b (customers)
 *                 ├─ c2 (channel) ── u2
 *                 └─ u3 (customer directly under the reseller)
 *   r2 (reseller) ── c3 (channel) ── u4
 */
export const TREE: Array<[string, AccountType, string | null]> = [
  ['r1', 'reseller', null],
  ['c1', 'channel', 'r1'],
  ['u1', 'customer', 'c1'],
  ['u1b', 'customer', 'c1'],
  ['c2', 'channel', 'r1'],
  ['u2', 'customer', 'c2'],
  ['u3', 'customer', 'r1'],
  ['r2', 'reseller', null],
  ['c3', 'channel', 'r2'],
  ['u4', 'customer', 'c3'],
];

export async function insertAccounts(db: Queryable, rows: Array<[string, AccountType, string | null]>): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, type, parent_id, name, main_contact, updated_at)
     SELECT id, type, parent, 'Account ' || id, jsonb_build_object('name', 'Contact ' || id, 'email', id || '@example.test'),
            '2026-11-20T09:00:00Z'
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, type, parent)`,
    [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])],
  );
}

export type Who = 'operator' | 'reseller' | 'channel' | 'customer' | 'ingest';
export const TOKEN_ACCOUNTS: Record<Who, string | null> = { operator: null, reseller: 'r1', channel: 'c1', customer: 'u1', ingest: null };

export interface ApiFixture {
  fresh: FreshDatabase;
  server: ApiServer;
  url: string;
  tokens: Record<Who, string>;
  tokenIds: Record<Who, string>;
  logLines: string[];
  clock: ManualClock;
  committed: { count: number };
  call(method: string, path: string, opts?: { token?: string | null; body?: unknown; raw?: string | Buffer; contentType?: string }): Promise<{ status: number; body: any; contentType: string }>;
  close(): Promise<void>;
}

export async function startApiFixture(over: Partial<ApiDeps> = {}): Promise<ApiFixture> {
  const fresh = await freshDatabase();
  await insertAccounts(fresh.db, TREE);
  const tokens = {} as Record<Who, string>;
  const tokenIds = {} as Record<Who, string>;
  for (const who of Object.keys(TOKEN_ACCOUNTS) as Who[]) {
    const t = await createToken(fresh.db, { role: who as Role, accountId: TOKEN_ACCOUNTS[who], label: `${who}-test` });
    tokens[who] = t.token;
    tokenIds[who] = t.id;
  }
  const logLines: string[] = [];
  const clock = new ManualClock(new Date('2026-11-24T12:00:00Z'));
  const committed = { count: 0 };
  const server = createApiServer({
    db: fresh.db,
    logger: createLogger('debug', { write: (s: string) => (logLines.push(s), true) } as unknown as NodeJS.WritableStream),
    metrics: new Metrics({ defaultMetrics: false }),
    clock,
    rules: () => undefined,
    readiness: () => ({ ready: true, reasons: [] }),
    onCommitted: () => {
      committed.count++;
    },
    ...over,
  });
  const { url } = await server.start('127.0.0.1', 0);
  const call: ApiFixture['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, contentType: res.headers.get('content-type') ?? '' };
  };
  return {
    fresh,
    server,
    url,
    tokens,
    tokenIds,
    logLines,
    clock,
    committed,
    call,
    async close() {
      await server.stop();
      await fresh.drop();
    },
  };
}
