// `replay --enforce`: the switch's side of a hold during a backtest. Once an account (or an ancestor) holds a hold,
// its outbound calls set up from the hold's decision time on are dropped before they reach the pipeline, as the
// switch would refuse them, so later findings are what production would have seen. Inbound calls and emergency
// calls go on (CONTRACT §1). The decision time is the event time of the record that crossed the level (the hold's
// evidence `at`). Never: changes a record, or drops anything without --enforce.
import type { Queryable } from '../store/db.js';
import type { ReplayLine } from './replay-input.js';

/** Emergency numbers as dialled or normalised (999, 112, 911, 000...): always allowed. */
const EMERGENCY = /^(?:\+?44)?(?:999|112|911|000)$/;

export class SwitchBlock {
  /** Account id -> the epoch ms from which its outbound calls are refused. */
  private blockedFrom = new Map<string, number>();
  private holdCount = 0;
  dropped = 0;

  /** Re-reads the blocked accounts when the number of holds changed (holds are few; this runs after each batch). */
  async refresh(q: Queryable): Promise<void> {
    const count = Number((await q.query<{ n: string | number }>('SELECT count(*) AS n FROM holds')).rows[0]?.n ?? 0);
    if (count === this.holdCount) return;
    this.holdCount = count;
    const res = await q.query<{ id: string; since: Date | string }>(
      `WITH RECURSIVE held AS (
         SELECT account_id AS id, min(COALESCE((evidence->>'at')::timestamptz, placed_at)) AS since FROM holds GROUP BY account_id
       ), sub AS (
         SELECT id, since, 0 AS depth FROM held
         UNION ALL
         SELECT a.id, sub.since, sub.depth + 1 FROM accounts a JOIN sub ON a.parent_id = sub.id WHERE sub.depth < 10
       )
       SELECT id, min(since) AS since FROM sub GROUP BY id`,
    );
    this.blockedFrom = new Map(res.rows.map((r) => [r.id, new Date(r.since).getTime()]));
  }

  /** Whether the switch would refuse this record's call: an outbound CDR of a blocked account set up after the hold. */
  drops(line: ReplayLine): boolean {
    if (line.kind !== 'cdrs' || this.blockedFrom.size === 0) return false;
    let o: { accountId?: unknown; direction?: unknown; startedAt?: unknown; callee?: unknown };
    try {
      o = JSON.parse(line.value.toString('utf8')) as typeof o;
    } catch {
      return false;
    }
    if (typeof o.accountId !== 'string' || o.direction !== 'outbound' || typeof o.startedAt !== 'string') return false;
    const from = this.blockedFrom.get(o.accountId);
    if (from === undefined || Date.parse(o.startedAt) < from) return false;
    if (typeof o.callee === 'string' && EMERGENCY.test(o.callee)) return false;
    this.dropped++;
    return true;
  }
}
