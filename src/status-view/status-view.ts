// The in-memory view of effective statuses that answers `/v1/authorize` without reading the database.
// Kept current on every replica by LISTEN/NOTIFY (migration 0009): the `account_status` trigger sends each stored
// status message when its transaction commits, the `accounts` trigger each new account id. Since migration 0012
// the same connection also carries token revocations and account changes (an updated account, a hold placed or
// lifted) to the API's caches (src/api/token-cache.ts, src/api/account-cache.ts): a watcher is told each of them,
// and told to forget everything whenever the view is not following (a notification may have been missed).
//
// Modes (changed only in setMode):
//   stopped  -> loading   start(): LISTEN on both channels first, then read every status and account id; payloads
//                         that arrive meanwhile are applied too (the higher version wins, so order does not matter)
//   loading  -> following the load finished: lookups are answered
//   following -> lost     the LISTEN connection dropped: lookups still answer from the last state, readiness says
//                         so, and a reconnect with backoff goes back to loading (a full reload: notifications sent
//                         while no one listened are gone)
//   any      -> stopped   stop()
// Never: reads the database in lookup(); publishes anything.
import type { KnownStatus } from '../domain/call-authorization.js';
import type { StatusMessageHold } from '../domain/status.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Database, Listening } from '../store/db.js';

export const STATUS_CHANNEL = 'suspensiond_status';
export const ACCOUNT_CHANNEL = 'suspensiond_account';
export const TOKEN_CHANNEL = 'suspensiond_token';
export const CHANGE_CHANNEL = 'suspensiond_account_change';

/** Told of changes: each revoked token, each changed account, and `reset()` when one may have been missed. */
export interface ChangeWatcher {
  tokenRevoked?(tokenId: string): void;
  /** The account was inserted or updated (a move too), or one of its holds was placed or lifted. */
  accountChanged?(accountId: string): void;
  reset(): void;
}

type Mode = 'stopped' | 'loading' | 'following' | 'lost';

interface Entry extends KnownStatus {
  version: number;
}

interface StatusPayload {
  accountId: string;
  version: number;
  status?: 'active' | 'suspended';
  holds?: StatusMessageHold[];
  inheritedFrom?: string[];
  truncated?: boolean;
}

export interface StatusView {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The account's effective status, `null` when the account is unknown; never reads the database. */
  lookup(accountId: string): KnownStatus | null;
  /** Whether lookups are answered (loaded at least once). */
  readonly loaded: boolean;
  /** Whether changes are being followed right now (LISTEN up and the load done). */
  readonly following: boolean;
  /** Adds a watcher of revocations and account changes; returns its removal. */
  watch(w: ChangeWatcher): () => void;
  readiness(): { ready: boolean; reasons: string[] };
}

export interface StatusViewDeps {
  db: Database;
  logger: Logger;
  metrics: Metrics;
  /** Reconnect back-off bounds, ms (defaults 500 and 10,000). */
  retryMs?: { min: number; max: number };
}

// What a known account without a stored status maps to: active; any stored status (version >= 1) replaces it.
const ACTIVE: Entry = { status: 'active', holds: [], inheritedFrom: [], version: -1 };

function entryOf(p: StatusPayload): Entry {
  return {
    version: Number(p.version),
    status: p.status === 'suspended' ? 'suspended' : 'active',
    holds: (p.holds ?? []).map((h) => ({ id: h.id, reason: h.reason, source: h.source, since: h.since })),
    inheritedFrom: [...(p.inheritedFrom ?? [])],
  };
}

export function createStatusView(deps: StatusViewDeps): StatusView {
  const log = deps.logger.child({ component: 'status-view' });
  const retry = deps.retryMs ?? { min: 500, max: 10_000 };
  // Every known account id -> its last stored status, or ACTIVE when it has none: one Map lookup per question.
  const statuses = new Map<string, Entry>();
  let mode: Mode = 'stopped';
  let loaded = false;
  let listening: Listening[] = [];
  let timer: NodeJS.Timeout | undefined;
  let delay = retry.min;
  let lastError = '';
  let generation = 0;
  const watchers = new Set<ChangeWatcher>();

  const setMode = (next: Mode) => {
    mode = next;
    if (next !== 'following') for (const w of watchers) w.reset();
    deps.metrics.setStatusViewUp(next === 'following');
  };

  const apply = (e: Entry, accountId: string) => {
    const cur = statuses.get(accountId);
    if (!cur || cur.version < e.version) statuses.set(accountId, e);
  };
  const addKnown = (accountId: string) => {
    if (!statuses.has(accountId)) statuses.set(accountId, ACTIVE);
  };

  const fetchOne = async (accountId: string) => {
    const { rows } = await deps.db.query<{ status: StatusPayload }>('SELECT status FROM account_status WHERE account_id = $1', [accountId]);
    if (rows[0]) apply(entryOf(rows[0].status), accountId);
  };

  const onStatus = (payload: string) => {
    let p: StatusPayload;
    try {
      p = JSON.parse(payload) as StatusPayload;
    } catch (err) {
      log.error({ err }, 'unreadable status notification');
      return;
    }
    if (typeof p.accountId !== 'string') return;
    if (p.truncated) {
      fetchOne(p.accountId).catch((err: unknown) => log.error({ err, accountId: p.accountId }, 'reading a large status failed'));
      return;
    }
    apply(entryOf(p), p.accountId);
  };
  const onAccount = (payload: string) => {
    if (payload !== '') addKnown(payload);
  };

  const onNotify = (channel: string, payload: string) => {
    if (channel === STATUS_CHANNEL) onStatus(payload);
    else if (channel === ACCOUNT_CHANNEL) onAccount(payload);
    else if (channel === CHANGE_CHANNEL) for (const w of watchers) w.accountChanged?.(payload);
    else if (channel === TOKEN_CHANNEL) for (const w of watchers) w.tokenRevoked?.(payload);
  };

  const closeListeners = async () => {
    const ls = listening;
    listening = [];
    await Promise.all(ls.map((l) => l.close().catch(() => undefined)));
  };

  const scheduleRetry = (gen: number) => {
    if (mode === 'stopped' || gen !== generation) return;
    clearTimeout(timer);
    timer = setTimeout(() => void connect().catch(() => undefined), delay);
    timer.unref();
    delay = Math.min(delay * 2, retry.max);
  };

  const onLost = (gen: number) => (err: Error) => {
    if (gen !== generation || mode === 'stopped') return;
    lastError = err.message;
    log.error({ err }, 'status view lost its LISTEN connection; answering from the last known state until it is back');
    setMode('lost');
    void closeListeners();
    scheduleRetry(gen);
  };

  async function connect(): Promise<void> {
    const gen = ++generation;
    setMode('loading');
    try {
      if (!deps.db.listen) throw new Error(`the ${deps.db.kind} database adapter cannot LISTEN`);
      await closeListeners();
      listening.push(await deps.db.listen([STATUS_CHANNEL, ACCOUNT_CHANNEL, TOKEN_CHANNEL, CHANGE_CHANNEL], onNotify, onLost(gen)));
      const started = Date.now();
      const ids = await deps.db.query<{ id: string }>('SELECT id FROM accounts');
      for (const r of ids.rows) addKnown(r.id);
      const rows = await deps.db.query<{ account_id: string; status: StatusPayload }>('SELECT account_id, status FROM account_status');
      for (const r of rows.rows) apply(entryOf(r.status), r.account_id);
      if (gen !== generation || mode === 'stopped') return;
      loaded = true;
      delay = retry.min;
      setMode('following');
      log.info({ accounts: statuses.size, statuses: rows.rows.length, ms: Date.now() - started }, 'status view loaded');
    } catch (err) {
      if (gen !== generation || mode === 'stopped') return;
      lastError = (err as Error).message;
      log.error({ err }, 'status view could not load; retrying');
      setMode('lost');
      await closeListeners();
      scheduleRetry(gen);
      throw err;
    }
  }

  return {
    get loaded() {
      return loaded;
    },
    get following() {
      return mode === 'following';
    },
    watch(w) {
      watchers.add(w);
      return () => void watchers.delete(w);
    },
    async start() {
      if (mode !== 'stopped') return;
      await connect().catch(() => undefined);
    },
    async stop() {
      generation++;
      clearTimeout(timer);
      setMode('stopped');
      await closeListeners();
    },
    lookup(accountId) {
      return statuses.get(accountId) ?? null;
    },
    readiness() {
      if (mode === 'following') return { ready: true, reasons: [] };
      if (mode === 'stopped') return { ready: false, reasons: ['status view: stopped'] };
      if (!loaded) return { ready: false, reasons: [`status view: not loaded yet${lastError ? ` (${lastError})` : ''}`] };
      return { ready: false, reasons: [`status view: not following changes (${lastError}); /v1/authorize answers from the last known state`] };
    },
  };
}
