// What a fraud rule hit does (CONTRACT §1 Modes, §3 Levels), inside the batch's transaction. `warn` -> an `alert`
// audit entry; `suspend` -> the one suspend transition (enforce: hold; review: pending decision; monitor and
// ENFORCE=false: metrics and log only). Shared by Kafka, HTTP ingest and replay. Never: commits, or reads the clock.
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
}

/** To report once the transaction has committed. */
export interface CommittedDecision {
  action: 'suspend' | 'review';
  arrivedAtMs: number;
}

export interface HitDeps {
  effects: IngestEffects;
  enforce: boolean;
  metrics: Metrics;
  log: Logger;
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

/** Applies the hits in order. Returns the decisions taken, for metrics after commit. */
export async function applyRuleHits(
  tx: Queryable,
  hits: readonly TimedHit[],
  ctx: TransitionContext,
  deps: HitDeps,
): Promise<CommittedDecision[]> {
  const alerts: AuditEntry[] = [];
  const acting: TimedHit[] = [];
  for (const t of hits) {
    const { hit } = t;
    deps.metrics.ruleHit(hit.ruleId, hit.level);
    const mode = deps.enforce ? hit.mode : 'monitor';
    const fields = { accountId: hit.accountId, ruleId: hit.ruleId, level: hit.level, mode, value: hit.value, threshold: hit.threshold };
    if (hit.level === 'warn') {
      deps.log.warn(fields, 'fraud rule alert');
      alerts.push({ accountId: hit.accountId, kind: 'alert', actor: `rule:${hit.ruleId}`, at: ctx.now, reason: hit.reason, evidence: evidenceOf(hit) });
    } else if (mode === 'monitor') {
      deps.log.warn(fields, 'fraud rule reached its suspend level (monitor mode: no action)');
    } else {
      acting.push(t);
    }
  }
  await appendAudit(tx, alerts);
  if (acting.length === 0) return [];
  // A CDR may precede its account's snapshot: a placeholder row (epoch updatedAt) lets the hold exist now, and any
  // real snapshot replaces it because a newer updatedAt always wins.
  await tx.query(
    `INSERT INTO accounts (id, type, parent_id, updated_at)
     SELECT id, 'customer', NULL, 'epoch'::timestamptz FROM jsonb_array_elements_text($1::jsonb) AS u(id)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify([...new Set(acting.map((t) => t.hit.accountId))].sort())],
  );
  const decisions: CommittedDecision[] = [];
  const nowMs = Date.parse(ctx.now);
  for (const t of acting) {
    const mode = t.hit.mode === 'review' ? 'review' : 'enforce';
    const result = await deps.effects.executeTransition(tx, suspendCommand(t.hit, mode, nowMs), ctx);
    const placed = result.holdsPlaced.length > 0;
    const opened = result.decisionsOpened.length > 0;
    if (placed || opened) {
      decisions.push({ action: placed ? 'suspend' : 'review', arrivedAtMs: t.arrivedAtMs });
      deps.log.warn(
        { accountId: t.hit.accountId, ruleId: t.hit.ruleId, holdId: result.holdsPlaced[0]?.id, decisionId: result.decisionsOpened[0]?.id },
        placed ? 'fraud hold placed' : 'fraud review decision opened',
      );
    }
  }
  return decisions;
}
