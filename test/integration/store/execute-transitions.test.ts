// executeTransitions on real PostgreSQL: many commands in one call leave exactly what executeTransition one by one
// leaves (holds, audit, status versions, outbox rows, results), including commands on overlapping subtrees, repeats,
// refusals and unknown accounts; and the subtree loader answers for many targets at once.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import { executeTransition, executeTransitions, type IdPrefix } from '../../../src/store/transitions.js';
import { loadSubtree, loadSubtrees } from '../../../src/store/load-subtree.js';
import type { TransitionCommand } from '../../../src/domain/commands.js';
import type { Actor } from '../../../src/domain/types.js';
import { activateCmd, seedChannel, suspendCmd } from './fixtures.js';

const fresh = databaseForFile();

const now = '2026-11-24T21:09:16.000Z';
const dunning: Actor = { kind: 'system', source: 'dunning:standard' };

/** A mixed run: overlapping subtrees (channel and its customers), a repeat, an activation, a refusal, an unknown id. */
function commands(p: string): TransitionCommand[] {
  const cust = (n: number) => `${p}c1-cust-00${n}`;
  const npSuspend = (id: string): TransitionCommand => ({
    kind: 'suspend', accountId: id, actor: dunning, reason: 'non_payment', source: 'dunning:standard', evidence: { stage: '14d' },
  });
  return [
    npSuspend(cust(1)),
    suspendCmd(cust(2)),
    suspendCmd(`${p}c1`),
    npSuspend(cust(1)),
    npSuspend(cust(3)),
    activateCmd(cust(2)),
    suspendCmd(`${p}nope`),
    suspendCmd(cust(4), 'fraud', { kind: 'person', id: 'chan-user', role: 'channel', accountId: `${p}elsewhere` }),
    npSuspend(`${p}r1-direct`),
    { kind: 'activate', accountId: cust(3), actor: dunning, reason: 'non_payment', source: 'dunning:standard' },
  ];
}

const ids = (p: string) => {
  let n = 0;
  return (prefix: IdPrefix) => `${p}${prefix}-${++n}`;
};

/** Everything the transitions wrote under prefix `p`, with the prefix and generated row ids normalised away. */
async function written(p: string): Promise<string> {
  const q = async (sql: string) => (await fresh.db.query(sql, [`${p}%`])).rows;
  const state = {
    holds: await q(`SELECT id, account_id, reason, source, evidence, note, placed_at FROM holds WHERE account_id LIKE $1 ORDER BY id`),
    audit: await q(`SELECT account_id, kind, actor, at, hold_id, reason, note, evidence FROM audit WHERE account_id LIKE $1 ORDER BY id`),
    status: await q(`SELECT account_id, version, status FROM account_status WHERE account_id LIKE $1 ORDER BY account_id`),
    outbox: await q(`SELECT account_id, kind, payload, dedupe_key FROM outbox WHERE account_id LIKE $1 ORDER BY account_id, kind, id`),
  };
  return JSON.stringify(state).replace(new RegExp(`\\b${p}`, 'g'), 'P-');
}

describe('executeTransitions', () => {
  it('leaves exactly what executeTransition one by one leaves, and reports the same outcomes', async () => {
    await seedChannel(fresh.db, 5, 'a-');
    await seedChannel(fresh.db, 5, 'b-');
    const one = await fresh.db.transaction(async (tx) => {
      const newId = ids('a-');
      const out: unknown[] = [];
      for (const cmd of commands('a-')) {
        try {
          const r = await executeTransition(tx, cmd, { now, newId });
          out.push({ ok: true, changed: r.changed, statusMessages: r.statusMessages, emails: r.emails.map((e) => e.dedupeKey) });
        } catch (err) {
          out.push({ ok: false, code: (err as { code?: string }).code });
        }
      }
      return out;
    });
    const many = await fresh.db.transaction(async (tx) => {
      const outcomes = await executeTransitions(tx, commands('b-'), { now, newId: ids('b-') });
      return outcomes.map((o) =>
        o.ok
          ? { ok: true, changed: o.result.changed, statusMessages: o.result.statusMessages, emails: o.result.emails.map((e) => e.dedupeKey) }
          : { ok: false, code: (o.error as { code?: string }).code },
      );
    });
    expect(many.map((o) => (o as { ok: boolean }).ok)).toEqual([true, true, true, true, true, true, false, false, true, true]);
    expect(JSON.stringify(many).replace(/\bb-/g, 'P-')).toBe(JSON.stringify(one).replace(/\ba-/g, 'P-'));
    const a = await written('a-');
    expect(a).toContain('"kind":"status"');
    expect(await written('b-')).toBe(a);
  });

  it('loads the subtrees of many targets at once, each as loadSubtree does, and skips unknown ones', async () => {
    const { reseller, channel, customers } = await seedChannel(fresh.db, 3, 'l-');
    const targets = [customers[0]!, channel, reseller, 'l-missing'];
    const [many, single] = await fresh.db.transaction(async (tx) => {
      const one = [];
      for (const t of targets) one.push(await loadSubtree(tx, t));
      return [await loadSubtrees(tx, targets), one] as const;
    });
    expect([...many.keys()].sort()).toEqual([customers[0]!, channel, reseller].sort());
    targets.forEach((t, i) => expect(many.get(t) ?? null).toEqual(single[i]));
    expect(many.get(reseller)!.descendants.map((d) => d.id).sort()).toEqual([channel, ...customers, 'l-r1-direct'].sort());
    expect(many.get(customers[0]!)!.ancestors.map((a) => a.id)).toEqual([channel, reseller]);
  });
});
