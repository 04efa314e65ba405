import { describe, expect, it } from 'vitest';
import { GenerationalMap } from '../../../src/generational-map.js';
import { ProfileCache } from '../../../src/ingest/profile-cache.js';
import type { Queryable } from '../../../src/store/db.js';

describe('GenerationalMap', () => {
  it('keeps between half the bound and the bound of the most recently set keys', () => {
    const m = new GenerationalMap<string, number>(10);
    for (let i = 0; i < 1_000; i++) {
      m.set(`k${i}`, i);
      expect(m.size).toBeLessThanOrEqual(10);
      expect(m.size).toBeGreaterThanOrEqual(Math.min(i + 1, 5));
      // The newest five are always there, with their values.
      for (let j = Math.max(0, i - 4); j <= i; j++) expect(m.get(`k${j}`)).toBe(j);
    }
    expect(m.has('k0')).toBe(false);
    expect(m.get('k0')).toBeUndefined();
  });

  it('a key set again is the newest, with its new value, and counted once', () => {
    const m = new GenerationalMap<string, string>(4);
    m.set('a', '1');
    m.set('b', '1'); // young {a, b} becomes old
    m.set('a', '2'); // a moves to the young generation
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe('2');
    m.set('c', '1'); // young {a, c} becomes old; b is dropped with the old generation
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual(['2', undefined, '1']);
  });

  it('deletes from either generation, and keeps an undefined value as a value', () => {
    const m = new GenerationalMap<string, number | undefined>(4);
    m.set('a', 1);
    m.set('b', 2);
    m.set('c', undefined);
    expect(m.delete('a')).toBe(true);
    expect(m.delete('a')).toBe(false);
    expect(m.has('c')).toBe(true);
    expect(m.get('b')).toBe(2);
    m.clear();
    expect(m.size).toBe(0);
  });

  it('a key set to undefined in the young generation hides its value in the old one', () => {
    const m = new GenerationalMap<string, number | undefined>(4);
    m.set('k', 1);
    m.set('x', 2); // young {k, x} becomes old
    m.set('k', undefined); // k moves to the young generation, as undefined
    expect(m.get('k')).toBeUndefined();
    expect(m.has('k')).toBe(true);
    expect(m.get('x')).toBe(2);
    expect(m.size).toBe(2);
  });
});

describe('ProfileCache bound', () => {
  it('reads again a profile evicted by newer ones, and keeps the newest', async () => {
    const queried: string[] = [];
    const db: Queryable = {
      async query<R>(_t: string, params?: readonly unknown[]) {
        const ids = JSON.parse(String(params![0])) as string[];
        queried.push(...ids);
        return { rows: [] as R[], rowCount: 0 };
      },
    };
    const cache = new ProfileCache('UTC', 4, 60_000);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await cache.load(db, [id], 0);
    expect(cache.size).toBeLessThanOrEqual(4);
    queried.length = 0;
    await cache.load(db, ['e', 'd', 'a'], 1);
    expect(queried).toEqual(['a']);
    expect((await cache.load(db, ['e'], 2)).get('e')).toEqual({ id: 'e', type: null, tags: [], timezone: 'UTC' });
  });

  it('holds an account without a row as its fill time: the same profile while fresh, read again once stale', async () => {
    const queried: string[][] = [];
    const db: Queryable = {
      async query<R>(_t: string, params?: readonly unknown[]) {
        const ids = JSON.parse(String(params![0])) as string[];
        queried.push(ids);
        return { rows: ids.filter((id) => id === 'known').map((id) => ({ id, type: 'business', tags: ['vip'], timezone: null })) as R[], rowCount: 1 };
      },
    };
    const cache = new ProfileCache('Europe/London', 100, 60_000);
    const T = 1_764_500_000_000;
    await cache.load(db, ['known', 'new'], T);
    await cache.load(db, ['new', 'later'], T + 30_000);
    expect(cache.peek('new', T + 59_999)).toEqual({ id: 'new', type: null, tags: [], timezone: 'Europe/London' });
    expect(cache.peek('known', T + 59_999)).toEqual({ id: 'known', type: 'business', tags: ['vip'], timezone: 'Europe/London' });
    expect(cache.peek('new', T + 60_000)).toBeUndefined();
    expect(cache.peek('known', T + 60_000)).toBeUndefined();
    expect(cache.peek('later', T + 60_000)).toEqual({ id: 'later', type: null, tags: [], timezone: 'Europe/London' });
    await cache.load(db, ['known', 'new', 'later'], T + 60_000);
    expect(queried).toEqual([['known', 'new'], ['later'], ['known', 'new']]);
  });

  it('loads every id without looking it up again when the caller has just peeked them all missing', async () => {
    const queried: string[][] = [];
    const db: Queryable = {
      async query<R>(_t: string, params?: readonly unknown[]) {
        const ids = JSON.parse(String(params![0])) as string[];
        queried.push(ids);
        return { rows: ids.filter((id) => id === 'known').map((id) => ({ id, type: 'business', tags: [], timezone: null })) as R[], rowCount: 1 };
      },
    };
    const cache = new ProfileCache('UTC', 100, 60_000);
    const ids = ['known', 'new'];
    expect(ids.map((id) => cache.peek(id, 0))).toEqual([undefined, undefined]);
    const got = await cache.load(db, ids, 0, true);
    expect(queried).toEqual([['known', 'new']]);
    expect(got.get('known')).toEqual({ id: 'known', type: 'business', tags: [], timezone: 'UTC' });
    expect(got.get('new')).toEqual({ id: 'new', type: null, tags: [], timezone: 'UTC' });
    // both are held afterwards as a load without `peeked` holds them: the next look-ups need no query
    expect(cache.peek('known', 1)).toEqual(got.get('known'));
    await cache.load(db, ids, 1);
    expect(queried).toHaveLength(1);
  });
});
