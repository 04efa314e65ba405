// The one-statement write of a transition (transition-writes.ts, issue 17) on real PostgreSQL: it leaves, column for
// column and in id order, what the per-table statements it replaced left (holds, lifts, exemptions, review
// decisions, audit, status versions, status and email outbox rows); a batch of transitions on distinct accounts
// costs a fixed three statements; and a conflict still fails the transition with nothing of it kept.
import { describe, expect, it } from 'vitest';
import { databaseForFile } from '../../helpers/db.js';
import type { Subtree, TransitionCommand } from '../../../src/domain/commands.js';
import { statusMessage } from '../../../src/domain/status.js';
import { transition } from '../../../src/domain/transition.js';
import type { Actor, TransitionResult } from '../../../src/domain/types.js';
import type { Queryable } from '../../../src/store/db.js';
import { recordStatusChanges } from '../../../src/store/account-status-repo.js';
import { appendAudit } from '../../../src/store/audit-repo.js';
import { insertDecisions } from '../../../src/store/decisions-repo.js';
import { insertExemptions } from '../../../src/store/exemptions-repo.js';
import { deleteHolds, insertHolds } from '../../../src/store/holds-repo.js';
import { loadSubtree } from '../../../src/store/load-subtree.js';
import { insertOutbox, type NewOutboxRow } from '../../../src/store/outbox-repo.js';
import { executeTransitions, persistTransition, TransitionConflictError, type IdPrefix } from '../../../src/store/transitions.js';
import { activateCmd, seedChannel, suspendCmd } from './fixtures.js';

const fresh = databaseForFile();

const now = '2026-11-24T21:09:16.000Z';
const rule: Actor = { kind: 'system', source: 'rule:irsf' };

/** Holds, lifts, exemptions, review decisions, inherited statuses and emails, in one sequence. */
function commands(p: string): TransitionCommand[] {
  const cust = (n: number) => `${p}c1-cust-00${n}`;
  const ruleHit = (id: string, mode: 'enforce' | 'review'): TransitionCommand => ({
    kind: 'suspend', accountId: id, actor: rule, reason: 'fraud', source: 'rule:irsf', ruleId: 'irsf', mode,
    evidence: { rule: 'irsf', value: 3, sampleCdrIds: ['c-1', 'c-2'] }, expiresAt: '2026-11-25T21:09:16.000Z', note: null,
  });
  return [
    ruleHit(cust(1), 'enforce'),
    ruleHit(cust(2), 'review'),
    suspendCmd(`${p}c1`),
    suspendCmd(cust(3), 'non_payment'),
    { ...activateCmd(cust(1)), reason: 'fraud', note: 'checked with the customer', exemptForMs: 86_400_000 },
    ruleHit(cust(1), 'enforce'),
    activateCmd(`${p}c1`),
    ruleHit(`${p}r1-direct`, 'enforce'),
  ];
}

/** The per-table statements persistTransition ran before transition-writes.ts (the reference for the rows). */
async function persistPerTable(tx: Queryable, result: TransitionResult): Promise<void> {
  await insertHolds(tx, result.holdsPlaced);
  await deleteHolds(tx, result.holdsLifted.map((h) => h.id));
  await insertExemptions(tx, result.exemptionsCreated);
  await insertDecisions(tx, result.decisionsOpened);
  await appendAudit(tx, result.audit);
  await recordStatusChanges(tx, result.statusChanges.map((c) => statusMessage(c.after)), now);
  const emails = result.emails.map((e): NewOutboxRow => ({
    accountId: e.accountId, kind: 'email', payload: { template: e.template, accountId: e.accountId, data: e.data }, dedupeKey: e.dedupeKey,
  }));
  await insertOutbox(tx, emails, now);
}

const ids = (p: string) => {
  let n = 0;
  return (prefix: IdPrefix) => `${p}${prefix}-${++n}`;
};

/** Every row under prefix `p`, all columns but the serial ids, in id order; the prefix normalised away. */
async function rows(p: string): Promise<string> {
  const q = async (sql: string) => (await fresh.db.query(sql, [`${p}%`])).rows;
  const state = {
    holds: await q(`SELECT id, account_id, reason, source, evidence, note, placed_at, expires_at FROM holds WHERE account_id LIKE $1 ORDER BY id`),
    exemptions: await q(`SELECT id, account_id, reason, rules, until, note, created_by, created_at FROM exemptions WHERE account_id LIKE $1 ORDER BY id`),
    decisions: await q(`SELECT id, account_id, reason, source, evidence, note, state, created_at, decided_at, decided_by FROM decisions WHERE account_id LIKE $1 ORDER BY id`),
    audit: await q(`SELECT account_id, kind, actor, at, hold_id, decision_id, reason, note, evidence FROM audit WHERE account_id LIKE $1 ORDER BY id`),
    status: await q(`SELECT account_id, version, status, changed_at FROM account_status WHERE account_id LIKE $1 ORDER BY account_id`),
    outbox: await q(`SELECT account_id, kind, payload, dedupe_key, state, attempts, next_attempt_at, created_at FROM outbox WHERE account_id LIKE $1 ORDER BY id`),
  };
  return JSON.stringify(state).replace(new RegExp(`\\b${p}`, 'g'), 'P-');
}

/** A Queryable that counts its statements. */
function counting(tx: Queryable): { q: Queryable; count: () => number } {
  let n = 0;
  return { q: { query: (text, params) => ((n += 1), tx.query(text, params)) }, count: () => n };
}

describe('transition writes in one statement', () => {
  it('leave, column for column and in id order, what the per-table statements left', async () => {
    await seedChannel(fresh.db, 4, 'a-');
    await seedChannel(fresh.db, 4, 'b-');
    for (const [p, persist] of [
      ['a-', (tx: Queryable, subtree: Subtree, result: TransitionResult) => persistPerTable(tx, result)],
      ['b-', (tx: Queryable, subtree: Subtree, result: TransitionResult) => persistTransition(tx, subtree, result, now)],
    ] as const) {
      const newId = ids(p);
      for (const cmd of commands(p)) {
        await fresh.db.transaction(async (tx) => {
          const subtree = (await loadSubtree(tx, cmd.accountId))!;
          await persist(tx, subtree, transition(subtree, cmd, { now, newId }));
        });
      }
    }
    const a = await rows('a-');
    for (const kind of ['"kind":"hold_placed"', '"kind":"email"', '"kind":"status"', '"state":"pending"', '"created_by"']) expect(a).toContain(kind);
    expect(await rows('b-')).toBe(a);
  });

  it('a batch of rule holds on distinct accounts costs three statements, whatever its size', async () => {
    const { customers } = await seedChannel(fresh.db, 6, 'n-');
    for (const size of [1, 6]) {
      const cmds = customers.slice(0, size).map((id): TransitionCommand => ({
        kind: 'suspend', accountId: id, actor: rule, reason: 'fraud', source: `rule:r${size}`, ruleId: `r${size}`, mode: 'enforce', evidence: {},
      }));
      const statements = await fresh.db.transaction(async (tx) => {
        const { q, count } = counting(tx);
        const out = await executeTransitions(q, cmds, { now, newId: ids(`n${size}-`) });
        expect(out.every((o) => o.ok && o.result.holdsPlaced.length === 1)).toBe(true);
        return count();
      });
      expect(statements).toBe(3);
    }
  });

  it('a hold placed meanwhile fails the transition with TransitionConflictError, and nothing of it is kept', async () => {
    const { customers } = await seedChannel(fresh.db, 1, 'k-');
    const target = customers[0]!;
    const cmd = suspendCmd(target);
    const err = await fresh.db
      .transaction(async (tx) => {
        const subtree = (await loadSubtree(tx, target))!;
        const result = transition(subtree, cmd, { now, newId: ids('k-') });
        // The same hold, written under another id by the time this transition writes.
        await insertHolds(tx, result.holdsPlaced.map((h) => ({ ...h, id: `${h.id}-other` })));
        await persistTransition(tx, subtree, result, now);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransitionConflictError);
    expect(await rows('k-')).toBe(JSON.stringify({ holds: [], exemptions: [], decisions: [], audit: [], status: [], outbox: [] }));
  });
});
