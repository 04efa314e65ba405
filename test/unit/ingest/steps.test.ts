// The decode and evaluate steps on their own: pure decode, and evaluate over an in-memory Queryable (the profiles'
// one query) and a small engine, without a database.
import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../../../src/ingest/decode-step.js';
import { evaluateBatch } from '../../../src/ingest/evaluate-step.js';
import { ProfileCache } from '../../../src/ingest/profile-cache.js';
import type { RawRecord } from '../../../src/ingest/types.js';
import type { CdrRecord } from '../../../src/events/types.js';
import type { FraudEngine, ProcessResult } from '../../../src/rules/types.js';
import type { Queryable } from '../../../src/store/db.js';
import { cdr } from '../../helpers/traffic.js';
import { cdrToWire } from '../../integration/ingest/wire.js';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const raw = (offset: number, value: unknown): RawRecord => ({ offset, key: null, value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), arrivedAtMs: NOW });
const call = (id: string, accountId: string) => cdrToWire(cdr({ id, accountId, callee: '+442071234567', startedAt: NOW - 600_000 }));

/** Answers the profile query; refuses one account id the way PostgreSQL refuses a value it cannot read (22P05).
 *  (A NUL, the usual cause, is now refused by decoding itself; the step must still isolate whatever slips by.) */
const profilesDb: Queryable = {
  async query<R>(_text: string, params?: readonly unknown[]) {
    const ids = JSON.parse(String(params![0])) as string[];
    if (ids.some((id) => id === 'unreadable-in-db')) throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
    return { rows: [] as R[], rowCount: 0 };
  },
};

/** Throws on one CDR id (a bug in that record's path); every other CDR is accepted without hits. */
const engine = (throwOn: string): FraudEngine =>
  ({
    process(c: CdrRecord): ProcessResult {
      if (c.id === throwOn) throw new TypeError("Cannot read properties of undefined (reading 'at')");
      return { outcome: 'accepted', hits: [] };
    },
  }) as unknown as FraudEngine;

describe('decode step', () => {
  it('skips what the checkpoint covers, feeds the rebuild range to the engine only, and dead-letters bad bytes', () => {
    const records = [raw(5, call('a', 'x')), raw(10, call('b', 'x')), raw(11, '{"id":'), raw(12, call('c', 'x'))];
    const out = decodeBatch('cdrs', records, { kafka: true, appliedOffset: 10, rebuildUntil: 12 });
    expect(out.results.map((r) => r.type)).toEqual(['duplicate', 'duplicate', 'duplicate', 'ok']);
    expect(out.skipped).toBe(1);
    expect(out.rebuild.map((r) => r.cdr.id)).toEqual(['b']);
    expect(out.lastOffset).toBe(12);
    const live = decodeBatch('cdrs', records, { kafka: true, appliedOffset: 10, rebuildUntil: null });
    expect(live.results[2]).toMatchObject({ type: 'dead_letter', reason: expect.stringMatching(/^value: invalid JSON/) });
  });
});

describe('evaluate step', () => {
  it('dead-letters alone a CDR whose account the database cannot read and one the engine throws on', async () => {
    const decoded = decodeBatch('cdrs', [raw(0, call('a', 'x')), raw(1, call('b', 'unreadable-in-db')), raw(2, call('c', 'y')), raw(3, call('d', 'y'))], { kafka: true, appliedOffset: null, rebuildUntil: null });
    const results = await evaluateBatch({
      results: decoded.results,
      arrivedAtMs: () => NOW,
      rebuild: [],
      engine: engine('c'),
      profiles: new ProfileCache('UTC'),
      db: profilesDb,
      nowMs: NOW,
    });
    expect(results.map((r) => r.type)).toEqual(['ok', 'dead_letter', 'dead_letter', 'ok']);
    expect(results[1]).toMatchObject({ reason: expect.stringMatching(/^accountId: cannot be read from the database \(22P05/) });
    expect(results[2]).toMatchObject({ reason: expect.stringMatching(/^fraud engine failed on this record/) });
  });

  it('answers retry for the whole batch when the database is unavailable, before the engine sees anything', async () => {
    const decoded = decodeBatch('cdrs', [raw(0, call('a', 'x')), raw(1, '{')], { kafka: true, appliedOffset: null, rebuildUntil: null });
    let seen = 0;
    const down: Queryable = { query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) };
    const counting = { process: () => (seen++, { outcome: 'accepted', hits: [] }) } as unknown as FraudEngine;
    const rebuild = [{ cdr: cdr({ id: 'r', accountId: 'z', callee: '+442071234567', startedAt: NOW - 900_000 }), arrivedAtMs: NOW }];
    const results = await evaluateBatch({ results: decoded.results, arrivedAtMs: () => NOW, rebuild, engine: counting, profiles: new ProfileCache('UTC'), db: down, nowMs: NOW });
    expect(results.map((r) => r.type)).toEqual(['retry', 'retry']);
    expect(results[0]).toMatchObject({ error: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    expect(seen).toBe(0);
  });

  it('gives each CDR its account profile, querying only the accounts the cache lacks or holds stale', async () => {
    const queried: string[][] = [];
    const db: Queryable = {
      async query<R>(_text: string, params?: readonly unknown[]) {
        const ids = JSON.parse(String(params![0])) as string[];
        queried.push([...ids].sort());
        return { rows: ids.filter((id) => id !== 'unknown').map((id) => ({ id, type: 'business', tags: [id], timezone: 'Europe/London' })) as R[], rowCount: ids.length };
      },
    };
    const seen: [string, string | null, readonly string[], string][] = [];
    const profiled = { process: (c: CdrRecord, p: { type: string | null; tags: readonly string[]; timezone: string }) => (seen.push([c.accountId, p.type, p.tags, p.timezone]), { outcome: 'accepted', hits: [] }) } as unknown as FraudEngine;
    const profiles = new ProfileCache('UTC', 100, 60_000);
    const batch = (ids: string[], nowMs: number) => {
      const decoded = decodeBatch('cdrs', ids.map((id, k) => raw(k, call(`c${k}-${nowMs}`, id))), { kafka: true, appliedOffset: null, rebuildUntil: null });
      return evaluateBatch({ results: decoded.results, arrivedAtMs: () => nowMs, rebuild: [], engine: profiled, profiles, db, nowMs });
    };
    await batch(['a', 'b', 'a', 'unknown'], NOW);
    await batch(['b', 'c', 'unknown'], NOW + 1_000); // a and b cached; c new; unknown cached as unknown
    await batch(['a', 'c'], NOW + 60_500); // a is stale (60.5 s old), c is not (59.5 s)
    expect(queried).toEqual([['a', 'b', 'unknown'], ['c'], ['a']]);
    expect(seen).toEqual([
      ['a', 'business', ['a'], 'Europe/London'], ['b', 'business', ['b'], 'Europe/London'], ['a', 'business', ['a'], 'Europe/London'], ['unknown', null, [], 'UTC'],
      ['b', 'business', ['b'], 'Europe/London'], ['c', 'business', ['c'], 'Europe/London'], ['unknown', null, [], 'UTC'],
      ['a', 'business', ['a'], 'Europe/London'], ['c', 'business', ['c'], 'Europe/London'],
    ]);
  });
});
