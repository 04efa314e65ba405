// What a fraud rule hit does (CONTRACT §1 Modes, §3 Levels), inside the batch's transaction. `warn` -> an `alert`
// audit entry; `suspend` -> the one suspend transition (enforce: hold; review: pending decision; monitor and
// ENFORCE=false: metrics and log only). Shared by Kafka, HTTP ingest and replay. applyRuleHits writes and returns
// what happened; reportRuleHits counts and logs it AFTER the COMMIT, so a batch that is retried or redelivered is
// counted once. Never: commits, counts or logs inside the transaction, or reads the clock.
import { formatMicros } from '../domain/money.js';
import type { SuspendCommand, TransitionContext } from '../domain/commands.js';
import type { AuditEntry } from '../domain/types.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RuleHit } from '../rules/types.js';
import { appendAudit } from '../store/audit-repo.js';
import type { Queryable } from '../store/db.js';
import type { IngestEffects } from './types.js';

export interface TimedHit {
  hit: RuleHit;
  /** Arrival of the CDR that crossed the level, for the decision latency. */
  arrivedAtMs: number;
  /** The batch index of that CDR, when the caller wants its hits back by record (BatchResult.decisions). */
  index?: number;
}

/** What one hit did, to report once the transaction has committed. */
export interface HitOutcome {
  hit: RuleHit;
  /** The mode it ran under (monitor when ENFORCE=false). */
  mode: string;
  arrivedAtMs: number;
  index?: number | undefined;
  /** Set when the hit placed a hold or opened a review decision. */
  action: 'suspend' | 'review' | null;
  holdId?: string | undefined;
  decisionId?: string | undefined;
}

export interface HitDeps {
  effects: IngestEffects;
  enforce: boolean;
}

const MONEY_MEASURES = new Set(['cost', 'call_cost']);
const UNITS: Record<string, string> = { minutes: 'minutes', call_duration: 'minutes', cost: 'micro-units', call_cost: 'micro-units' };

/** What an operator reads on a hold: the rule, the figure against its level, the window and sample CDRs. */
export function evidenceOf(hit: RuleHit): Record<string, unknown> {
  const money = MONEY_MEASURES.has(hit.measure);
  return {
    rule: hit.ruleId,
    measure: hit.measure,
    value: hit.value,
    level: hit.level,
    threshold: hit.threshold,
    unit: UNITS[hit.measure] ?? 'count',
    // Money measures are integer micro-units inside; the amounts are also given in major units for people.
    ...(money ? { amount: formatMicros(hit.value), thresholdAmount: formatMicros(hit.threshold) } : {}),
    window: hit.window,
    sampleCdrIds: hit.sampleCdrIds,
    at: new Date(hit.at).toISOString(),
  };
}

export function suspendCommand(hit: RuleHit, mode: 'enforce' | 'review', nowMs: number): SuspendCommand {
  const source = `rule:${hit.ruleId}` as const;
  return {
    kind: 'suspend',
    accountId: hit.accountId,
    actor: { kind: 'system', source },
    reason: hit.reason,
    source,
    ruleId: hit.ruleId,
    mode,
    evidence: evidenceOf(hit),
    expiresAt: hit.releaseAfterMs === null ? null : new Date(nowMs + hit.releaseAfterMs).toISOString(),
    note: null,
  };
}

/** Applies the hits in order. Returns what each did, for reportRuleHits after the commit. */
export async function applyRuleHits(tx: Queryable, hits: readonly TimedHit[], ctx: TransitionContext, deps: HitDeps): Promise<HitOutcome[]> {
  const alerts: AuditEntry[] = [];
  const acting: HitOutcome[] = [];
  const outcomes: HitOutcome[] = [];
  for (const t of hits) {
    const { hit } = t;
    const mode = deps.enforce ? hit.mode : 'monitor';
    const outcome: HitOutcome = { hit, mode, arrivedAtMs: t.arrivedAtMs, index: t.index, action: null };
    outcomes.push(outcome);
    if (hit.level === 'warn') {
      alerts.push({ accountId: hit.accountId, kind: 'alert', actor: `rule:${hit.ruleId}`, at: ctx.now, reason: hit.reason, evidence: evidenceOf(hit) });
    } else if (mode !== 'monitor') {
      acting.push(outcome);
    }
  }
  await appendAudit(tx, alerts);
  if (acting.length === 0) return outcomes;
  // A CDR may precede its account's snapshot: a placeholder row (epoch updatedAt) lets the hold exist now, and any
  // real snapshot replaces it because a newer updatedAt always wins.
  await tx.query(
    `INSERT INTO accounts (id, type, parent_id, updated_at)
     SELECT id, 'customer', NULL, 'epoch'::timestamptz FROM jsonb_array_elements_text($1::jsonb) AS u(id)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify([...new Set(acting.map((o) => o.hit.accountId))].sort())],
  );
  const nowMs = Date.parse(ctx.now);
  // All of the batch's transitions at once: one subtree load and one write statement for the hits on distinct
  // accounts (a second hit on the same account follows in its own run), the same rows as one by one.
  const cmds = acting.map((o) => suspendCommand(o.hit, o.hit.mode === 'review' ? 'review' : 'enforce', nowMs));
  const executed = await deps.effects.executeTransitions(tx, cmds, ctx);
  // A refusal fails the batch as the first refused transition alone would have (the records are then isolated).
  const refused = executed.find((r) => !r.ok);
  if (refused && !refused.ok) throw refused.error;
  acting.forEach((o, i) => {
    const r = executed[i]!;
    if (!r.ok) return;
    const placed = r.result.holdsPlaced.length > 0;
    if (placed || r.result.decisionsOpened.length > 0) {
      o.action = placed ? 'suspend' : 'review';
      o.holdId = r.result.holdsPlaced[0]?.id;
      o.decisionId = r.result.decisionsOpened[0]?.id;
    }
  });
  return outcomes;
}

/** After the COMMIT: the rule-hit and decision counters, the decision latency and one log line per hit. */
export function reportRuleHits(outcomes: readonly HitOutcome[], metrics: Metrics, log: Logger, committedAtMs: number): void {
  for (const o of outcomes) {
    const { hit } = o;
    metrics.ruleHit(hit.ruleId, hit.level);
    const fields = { accountId: hit.accountId, ruleId: hit.ruleId, level: hit.level, mode: o.mode, value: hit.value, threshold: hit.threshold };
    if (hit.level === 'warn') log.warn(fields, 'fraud rule alert');
    else if (o.mode === 'monitor') log.warn(fields, 'fraud rule reached its suspend level (monitor mode: no action)');
    if (o.action === null) continue;
    metrics.decision('fraud', 'rule', o.action);
    if (o.action === 'suspend') metrics.observeDecisionLatency('fraud', Math.max(0, committedAtMs - o.arrivedAtMs) / 1000);
    log.warn({ accountId: hit.accountId, ruleId: hit.ruleId, holdId: o.holdId, decisionId: o.decisionId }, o.action === 'suspend' ? 'fraud hold placed' : 'fraud review decision opened');
  }
}
