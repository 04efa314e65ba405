// What a replay found, read back from its throwaway store: every hold placed, review decision opened, alert raised
// and hold lifted, in time order, with the rule (or dunning policy) and its evidence. Table or JSON.
import type { Queryable } from '../store/db.js';

export interface ReplayFinding {
  at: string;
  accountId: string;
  action: 'suspend' | 'review' | 'alert' | 'lift' | 'dunning';
  source: string;
  reason: string | null;
  evidence: Record<string, unknown> | null;
}

export interface ReplayReport {
  records: Record<string, { accepted: number; duplicate: number; rejected: number }>;
  sweeps: number;
  /** Whether the input held invoice events (without them no dunning sweep is simulated or reported). */
  invoices?: boolean;
  /** `--enforce`: outbound CDRs dropped because their account was held when the call was set up. */
  droppedAfterHold?: number;
  findings: ReplayFinding[];
  /** Accounts holding at least one hold at the end, with their hold sources. */
  suspendedAtEnd: { accountId: string; sources: string[] }[];
}

const ACTIONS: Record<string, ReplayFinding['action']> = {
  hold_placed: 'suspend',
  decision_opened: 'review',
  alert: 'alert',
  hold_lifted: 'lift',
  dunning_stage: 'dunning',
};

export async function readFindings(q: Queryable): Promise<{ findings: ReplayFinding[]; suspendedAtEnd: ReplayReport['suspendedAtEnd'] }> {
  const audit = await q.query<{ at: Date | string; account_id: string; kind: string; actor: string; reason: string | null; evidence: Record<string, unknown> | null }>(
    `SELECT at, account_id, kind, actor, reason, evidence FROM audit WHERE kind = ANY($1::text[]) ORDER BY at, id`,
    [Object.keys(ACTIONS)],
  );
  const holds = await q.query<{ account_id: string; sources: string[] }>(
    'SELECT account_id, array_agg(source ORDER BY source) AS sources FROM holds GROUP BY account_id ORDER BY account_id',
  );
  return {
    findings: audit.rows.map((r) => ({
      // A rule's decision time is the event time of the record that crossed the level, not the batch's clock.
      at: typeof r.evidence?.at === 'string' ? r.evidence.at : new Date(r.at).toISOString(),
      accountId: r.account_id,
      action: ACTIONS[r.kind]!,
      source: r.actor,
      reason: r.reason,
      evidence: r.evidence,
    })).map((f, i) => ({ f, i })).sort((x, y) => (x.f.at < y.f.at ? -1 : x.f.at > y.f.at ? 1 : x.i - y.i)).map((x) => x.f),
    suspendedAtEnd: holds.rows.map((r) => ({ accountId: r.account_id, sources: r.sources })),
  };
}

function summarise(e: Record<string, unknown> | null): string {
  if (!e) return '';
  if ('measure' in e) {
    const samples = Array.isArray(e.sampleCdrIds) ? ` samples=${(e.sampleCdrIds as unknown[]).slice(0, 3).join(',')}` : '';
    return `${String(e.measure)}=${String(e.amount ?? e.value)} >= ${String(e.thresholdAmount ?? e.threshold)}${e.window ? ` in ${String(e.window)}` : ''}${samples}`;
  }
  return JSON.stringify(e).slice(0, 120);
}

export function formatTable(r: ReplayReport): string {
  const lines: string[] = [];
  const counts = Object.entries(r.records).map(([k, c]) => `${k}: ${c.accepted} accepted, ${c.duplicate} duplicate, ${c.rejected} rejected`);
  lines.push(`records  ${counts.join('; ') || 'none'}`);
  if (r.invoices !== false) lines.push(`dunning sweeps simulated: ${r.sweeps}`);
  if (r.droppedAfterHold !== undefined) lines.push(`outbound calls refused after a hold (--enforce): ${r.droppedAfterHold}`);
  lines.push('');
  const rows = r.findings.map((f) => [f.at, f.accountId, f.action, f.source, summarise(f.evidence)]);
  const head = ['time', 'account', 'action', 'by', 'evidence'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  if (rows.length === 0) lines.push('no account would have been suspended or flagged');
  else lines.push(fmt(head), ...rows.map(fmt));
  lines.push('', `suspended at the end: ${r.suspendedAtEnd.length === 0 ? 'none' : r.suspendedAtEnd.map((s) => `${s.accountId} (${s.sources.join(', ')})`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
