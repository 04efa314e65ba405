// Evaluating the dunning ladder for a batch of accounts inside the caller's transaction, and applying its actions:
// stage emails become outbox rows and `dunning_stage` audit rows; suspensions and reactivations go through the one
// domain transition (the store's executeTransitions, batched: apply-transitions.ts), so holds, status events and the
// suspension/activation emails are the store's. Called on every invoice event (ingest) and by the sweep. Never reads the clock: `now` is passed in.
// Exactly once: accounts are locked (advisory, id order), a stage is acted on only when its dunning_stages row is new,
// emails are deduplicated by key, and the domain never stacks a second hold of the same reason and source.
import type { Queryable } from '../store/db.js';
import type { AuditEntry } from '../domain/types.js';
import type { DunningPolicy } from '../rules/types.js';
import type { Logger } from '../log.js';
import { appendAudit } from '../store/audit-repo.js';
import { insertOutbox, type NewOutboxRow } from '../store/outbox-repo.js';
import { evaluateLadder, isOverdueAccount } from '../rules/dunning/ladder.js';
import type { DunningAction, Episode, StageFired } from '../rules/dunning/types.js';
import { lockAccounts, loadAccountStates, recordStages, saveEpisodes, stageEvidence, stageKey } from './state-store.js';
import { applyTransitions, type TransitionAction, type TransitionRunner } from './apply-transitions.js';
import { noteTimezoneFallbacks, type TimezoneFallback } from './notes.js';

export type { TransitionRunner };

export interface EvaluateOptions {
  defaultTimezone?: string;
  logger?: Pick<Logger, 'info' | 'error'>;
  /**
   * ENFORCE=false (dry run, every rule in monitor mode): episodes and stages are recorded and audited (evidence
   * `mode: 'monitor'`) and logged, but no stage email is queued and no hold is placed. A reactivation still lifts
   * the dunning's own hold (one placed before enforcement was switched off): a dry run never keeps a customer who
   * has paid cut off. Turning enforcement on later places the hold of an episode whose suspend stage fired.
   */
  enforce?: boolean;
  /** Injected for tests; defaults to the store's executeTransition. */
  transition?: TransitionRunner;
}

export interface EvaluateSummary {
  evaluated: number;
  overdueAccounts: number;
  stagesFired: number;
  emails: number;
  suspended: number;
  activated: number;
  failed: number;
  /** Transitions that changed something; counted in the metrics by the caller once its transaction commits. */
  decisions: Array<'suspend' | 'activate'>;
}

/** One email per account, episode, stage and anchor invoice (the stages re-arm when the anchor moves). */
export function emailDedupeKey(accountId: string, episodeId: string, stage: string, invoiceId: string): string {
  return `dunning:${accountId}:${episodeId}:${stage}@${invoiceId}`;
}

/** Re-evaluates `accountIds` at `now` and applies the ladder's actions in `tx`. Unknown accounts are skipped. */
export async function evaluateAccounts(
  tx: Queryable,
  accountIds: readonly string[],
  now: number,
  policies: readonly DunningPolicy[],
  opts: EvaluateOptions = {},
): Promise<EvaluateSummary> {
  const summary: EvaluateSummary = { evaluated: 0, overdueAccounts: 0, stagesFired: 0, emails: 0, suspended: 0, activated: 0, failed: 0, decisions: [] };
  const ids = [...new Set(accountIds)].sort();
  if (ids.length === 0) return summary;
  const nowIso = new Date(now).toISOString();
  const monitor = opts.enforce === false;
  await lockAccounts(tx, ids);
  const defaultTimezone = opts.defaultTimezone ?? 'UTC';
  const states = await loadAccountStates(tx, ids, now, defaultTimezone);
  const fallbacks: TimezoneFallback[] = [];

  const episodes: Episode[] = [];
  const stages: StageFired[] = [];
  const actions: DunningAction[] = [];
  for (const id of ids) {
    const state = states.get(id);
    if (!state) continue;
    summary.evaluated += 1;
    if (state.timezoneUnusable !== null) fallbacks.push({ accountId: id, timezone: state.timezoneUnusable });
    const result = evaluateLadder({ ...state, policies, now });
    if (isOverdueAccount(result, policies)) summary.overdueAccounts += 1;
    episodes.push(...result.episodes);
    stages.push(...result.stagesFired);
    actions.push(...result.actions);
  }
  if (fallbacks.length > 0) {
    const noted = await noteTimezoneFallbacks(tx, fallbacks, defaultTimezone, nowIso);
    if (noted > 0) opts.logger?.info({ accounts: fallbacks.map((f) => f.accountId), fallback: defaultTimezone }, 'dunning: unusable account time zone, DEFAULT_TIMEZONE used');
  }
  await saveEpisodes(tx, episodes);
  const fresh = await recordStages(tx, stages, now);
  const firedNow = new Set(stages.map((s) => stageKey(s.accountId, s.episodeId, s.stage, s.invoiceId)));
  const isFresh = (a: string, e: string, s: string, i: string) => fresh.has(stageKey(a, e, s, i));
  summary.stagesFired = fresh.size;

  const audit: AuditEntry[] = stages
    .filter((s) => isFresh(s.accountId, s.episodeId, s.stage, s.invoiceId))
    .map((s) => ({ accountId: s.accountId, kind: 'dunning_stage', actor: `dunning:${s.policyId}`, at: nowIso, reason: 'non_payment', note: null, evidence: monitor ? { ...stageEvidence(s), mode: 'monitor' } : stageEvidence(s) }));
  for (const a of actions) {
    if (a.kind !== 'note') continue;
    audit.push({ accountId: a.accountId, kind: 'dunning_note', actor: `dunning:${a.policyId}`, at: nowIso, reason: 'non_payment', note: a.note, evidence: { note: a.cause, policyId: a.policyId, episodeId: a.episodeId } });
  }
  await appendAudit(tx, audit);

  if (monitor) {
    for (const a of actions) {
      if (a.kind === 'email' || a.kind === 'suspend') opts.logger?.info({ accountId: a.accountId, policyId: a.policyId, episodeId: a.episodeId, action: a.kind, mode: 'monitor' }, `dunning ${a.kind} (monitor)`);
    }
    const lifts = actions.filter((a): a is TransitionAction => a.kind === 'activate');
    return { ...summary, ...(await applyTransitions(tx, lifts, nowIso, { logger: opts.logger, transition: opts.transition })) };
  }
  const emails: NewOutboxRow[] = [];
  for (const a of actions) {
    if (a.kind !== 'email' || !isFresh(a.accountId, a.episodeId, a.stage, a.data.invoiceId)) continue;
    emails.push({
      accountId: a.accountId,
      kind: 'email',
      dedupeKey: emailDedupeKey(a.accountId, a.episodeId, a.stage, a.data.invoiceId),
      // No recipient: the dispatcher resolves it from the account as stored when it sends (src/effects).
      payload: { template: a.template, accountId: a.accountId, data: a.data },
    });
  }
  summary.emails = (await insertOutbox(tx, emails, nowIso)).length;

  const transitions: TransitionAction[] = actions.filter((a): a is TransitionAction => {
    if (a.kind === 'email' || a.kind === 'note') return false;
    if (a.kind === 'activate') return true;
    // A stage's suspension acts only when its stage row is new; a re-assertion (stage fired earlier) always may.
    const key = stageKey(a.accountId, a.episodeId, a.evidence.stage, a.evidence.invoiceId);
    return !(firedNow.has(key) && !fresh.has(key));
  });
  const applied = await applyTransitions(tx, transitions, nowIso, { logger: opts.logger, transition: opts.transition });
  summary.suspended = applied.suspended;
  summary.activated = applied.activated;
  summary.failed = applied.failed;
  summary.decisions = applied.decisions;
  return summary;
}
