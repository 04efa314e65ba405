// A bounded in-memory cache of the account profiles the fraud engine needs ({type, tags, timezone}), filled
// set-based: one query per batch for the ids it lacks. Unknown accounts (and the placeholder rows a rule hold
// inserts for them) are profiled as type null with the default time zone, so a CDR for an unknown account counts.
// The bound keeps the most recently filled profiles in two generations (generational-map.ts): evicting one Map's
// oldest key per fill walked every slot deleted before it, hundreds of ms a second once the bound was reached.
// An account without a row (most of a new account's first minute: every CDR of an account before its snapshot) is
// held as its fill time alone, a small integer, and its profile made when read: no object per such account stays
// in the old generation (three of them did: the entry, its profile and the boxed time; bench/README.md, branch
// `gclat`).
// Never: writes accounts.
import type { AccountType } from '../domain/types.js';
import type { AccountProfile } from '../rules/types.js';
import type { Queryable } from '../store/db.js';
import { GenerationalMap } from '../generational-map.js';

/** The tags of an account without a snapshot: one array for all of them (the engine only reads tags). */
const NO_TAGS: readonly string[] = Object.freeze([]);

interface Entry {
  profile: AccountProfile;
  at: number;
}

export class ProfileCache {
  /** A known account's entry, or an unknown one's fill time in ms since `epoch` (a small integer: no heap object). */
  private readonly entries: GenerationalMap<string, Entry | number>;
  /** The first fill's time: unknown accounts' times are kept relative to it. */
  private epoch: number | null = null;

  constructor(
    private readonly defaultTimezone: string,
    /** The most profiles held; between half of it and all of it are kept, the most recently filled. */
    maxEntries = 200_000,
    /** Snapshots may arrive on another partition or replica: re-read after this long. */
    private readonly ttlMs = 60_000,
  ) {
    this.entries = new GenerationalMap(maxEntries);
  }

  /**
   * Profiles for every id, reading the missing or stale ones in one query. `peeked`: the caller has just found every
   * id (distinct) missing or stale with `peek`, at `nowMs`, in the same synchronous run (nothing can have filled them
   * since), so they are not looked up again (a million-account process misses on nearly every CDR).
   */
  async load(q: Queryable, ids: Iterable<string>, nowMs: number, peeked = false): Promise<Map<string, AccountProfile>> {
    const out = new Map<string, AccountProfile>();
    const missing: string[] = [];
    for (const id of ids) {
      if (out.has(id)) continue;
      const p = peeked ? undefined : this.peek(id, nowMs);
      if (p !== undefined) out.set(id, p);
      else {
        missing.push(id);
        out.set(id, this.unknown(id));
      }
    }
    if (missing.length > 0) {
      const res = await q.query<{ id: string; type: AccountType; tags: string[]; timezone: string | null }>(
        `SELECT id, type, tags, timezone FROM accounts WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND updated_at > 'epoch'::timestamptz`,
        [JSON.stringify(missing)],
      );
      // Every missing id is held as unknown first; the rows found replace theirs with the profile read.
      this.epoch ??= nowMs;
      for (const id of missing) this.entries.set(id, nowMs - this.epoch);
      for (const r of res.rows) {
        const profile: AccountProfile = { id: r.id, type: r.type, tags: r.tags ?? [], timezone: r.timezone ?? this.defaultTimezone };
        out.set(r.id, profile);
        this.entries.set(r.id, { profile, at: nowMs });
      }
    }
    return out;
  }

  /** The cached profile of `id` if it is fresh at `nowMs`, else undefined (then `load` reads it). No query. */
  peek(id: string, nowMs: number): AccountProfile | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    if (typeof e === 'number') return nowMs - this.epoch! - e < this.ttlMs ? this.unknown(id) : undefined;
    return nowMs - e.at < this.ttlMs ? e.profile : undefined;
  }

  /** Forget ids whose snapshot was just written, so the next batch reads them afresh. */
  invalidate(ids: Iterable<string>): void {
    for (const id of ids) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private unknown(id: string): AccountProfile {
    return { id, type: null, tags: NO_TAGS, timezone: this.defaultTimezone };
  }
}
